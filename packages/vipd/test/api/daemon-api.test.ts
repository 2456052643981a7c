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

  it('closes connections over the cap, and a reload lowers the cap', async () => {
    // A closed connection still counts for a moment, until the server has seen it close; a
    // client that arrives before is dropped (and counted) too, and tries again.
    let retriesDropped = 0;
    const served = async (): Promise<RawClient> => {
      for (let attempt = 0; attempt < 50; attempt += 1) {
        const client = new RawClient(port);
        await client.opened();
        const ok = await client.get('/healthz').then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return client;
        retriesDropped += 1;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      assert.fail('the API never had a free connection');
    };
    const a = await served();
    const b = await served();
    const c = new RawClient(port);
    assert.ok(await c.closedWithin(10_000), 'a third connection is served with a cap of 2');
    assert.equal(c.received, '');
    a.socket.destroy();
    b.socket.destroy();

    writeFileSync(dir.file, witness('max_connections: 1, allowed_hosts: [vipd-1.example]'));
    daemon.signal('SIGHUP');
    await daemon.waitFor((l) => /^configuration reloaded/.test(l.msg), 10_000, 'the reload');
    const only = await served();
    const second = new RawClient(port);
    assert.ok(await second.closedWithin(10_000), 'a second connection is served with a cap of 1');
    const metrics = (await only.get('/metrics')).body;
    const dropped = /^vipd_api_connections_dropped_total\{reason="max-connections"\} (\d+)$/m.exec(
      metrics,
    );
    assert.equal(Number(dropped?.[1]), 2 + retriesDropped);
    const warning = daemon.lines.find((l) => /^API connection cut/.test(l.msg));
    assert.equal(warning?.level, 'warn');
  });
});
