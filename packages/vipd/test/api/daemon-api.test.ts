// The daemon serves its API with the configured limits, and a reload changes them: a real
// `vipd run` (a witness, so no capabilities are needed) on 127.0.0.1.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess } from '../cli/process.js';
import { RawClient } from './raw-client.js';

const witness = (api: string) => `node: { id: w1, listen: 127.0.0.1:0 }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:0, token_file: api.token, ${api} }
`;

describe('vipd run: api.max_connections and api.allowed_hosts (real process)', () => {
  let dir: ConfigDir;
  let daemon: DaemonProcess;
  let port = 0;

  before(async () => {
    dir = configDir(witness('max_connections: 2, allowed_hosts: [vipd-1.example]'));
    daemon = new DaemonProcess(['run', '--config', dir.file]);
    const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'the ready line');
    port = Number(new URL(String(ready['api'])).port);
  });
  after(async () => {
    RawClient.destroyAll();
    await daemon.kill();
    dir.remove();
  });

  it('answers the listed name and IP literals, refuses another name with 421', async () => {
    const client = new RawClient(port);
    await client.opened();
    assert.equal((await client.get('/v1/status', `vipd-1.example:${port}`)).status, 200);
    assert.equal((await client.get('/v1/status', `127.0.0.1:${port}`)).status, 200);
    const refused = await client.get('/v1/status', 'evil.example');
    assert.equal(refused.status, 421);
    assert.equal((JSON.parse(refused.body) as { code: string }).code, 'HOST_NOT_ALLOWED');
    client.socket.destroy();
  });

  it('sheds waiting connections at the cap, and a reload lowers the cap', async () => {
    const served = async (): Promise<RawClient> => {
      const client = new RawClient(port);
      await client.opened();
      assert.equal((await client.get('/healthz')).status, 200);
      return client;
    };
    // Cap 2: two clients waiting between requests share the API.
    const a = await served();
    const b = await served();
    assert.equal((await a.get('/healthz')).status, 200, 'both fit under a cap of 2');
    // A third sheds the one that has waited longest (b: a just asked again).
    const c = await served();
    assert.ok(await b.closedWithin(10_000), 'a third connection is shed for with a cap of 2');
    assert.equal(a.closed, false);
    a.socket.destroy();
    c.socket.destroy();

    writeFileSync(dir.file, witness('max_connections: 1, allowed_hosts: [vipd-1.example]'));
    daemon.signal('SIGHUP');
    await daemon.waitFor((l) => /^configuration reloaded/.test(l.msg), 10_000, 'the reload');
    const only = await served();
    const second = await served();
    assert.ok(await only.closedWithin(10_000), 'two connections fit under a cap of 1');
    const metrics = (await second.get('/metrics')).body;
    const evicted = /^vipd_api_connections_dropped_total\{reason="evicted"\} (\d+)$/m.exec(metrics);
    // b for c; then, under the lowered cap, whatever a and c left counted until the server saw
    // them close, and `only` for `second`.
    assert.ok(Number(evicted?.[1]) >= 2, `evicted: ${evicted?.[1] ?? 'absent'}`);
    const warning = daemon.lines.find((l) => /^API connection cut/.test(l.msg));
    assert.equal(warning?.level, 'warn');
  });
});
