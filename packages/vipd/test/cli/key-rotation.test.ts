// Rotating the cluster key with SIGHUP on two running nodes (real processes, real mesh on
// 127.0.0.1): the three documented steps keep each node hearing the other throughout, and a
// node that jumps ahead is no longer heard.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { configDir, type ConfigDir } from '../config/fixture.js';
import { freePorts } from '@vipd/testkit';
import { DaemonProcess } from './process.js';

const OLD_KEY = 'o'.repeat(32);
const NEW_KEY = 'n'.repeat(32);
const INTERVAL_MS = 50;
/** Several heartbeats each way under one step's keys. */
const STEP_MS = 10 * INTERVAL_MS;

interface Node {
  readonly id: string;
  readonly dir: ConfigDir;
  readonly config: (keyFile: string, acceptFiles: readonly string[]) => string;
  daemon: DaemonProcess;
  api: string;
}

describe('cluster key rotation with SIGHUP (two real nodes)', () => {
  const nodes: Node[] = [];

  before(async () => {
    const [p1 = 0, p2 = 0] = await freePorts(2);
    const spec = [
      { id: 'w1', port: p1, peer: 'w2', peerPort: p2 },
      { id: 'w2', port: p2, peer: 'w1', peerPort: p1 },
    ];
    for (const { id, port, peer, peerPort } of spec) {
      const config = (keyFile: string, acceptFiles: readonly string[]) =>
        `node: { id: ${id}, listen: 127.0.0.1:${port} }
cluster:
  key_file: ${keyFile}
  accept_key_files: [${acceptFiles.join(', ')}]
  heartbeat_interval: ${INTERVAL_MS}ms
  peers: [{ id: ${peer}, address: 127.0.0.1:${peerPort} }]
api: { listen: 127.0.0.1:0, token_file: api.token }
`;
      const dir = configDir(config('old.key', []));
      dir.write('old.key', `${OLD_KEY}\n`);
      dir.write('new.key', `${NEW_KEY}\n`);
      const daemon = new DaemonProcess(['run', '--config', dir.file]);
      nodes.push({ id, dir, config, daemon, api: '' });
    }
    for (const node of nodes) {
      const ready = await node.daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'ready');
      node.api = String(ready['api']);
    }
    for (const node of nodes) {
      await node.daemon.waitFor((l) => l.msg === 'peer up', 10_000, `${node.id} hears its peer`);
    }
  });
  after(async () => {
    for (const node of nodes) {
      await node.daemon.kill();
      node.dir.remove();
    }
  });

  const peerUp = async (node: Node): Promise<boolean> => {
    const status = (await (await fetch(`${node.api}/v1/status`)).json()) as {
      peers: { id: string; up: boolean }[];
    };
    return status.peers[0]?.up === true;
  };

  /** Rewrite a node's config and SIGHUP it; resolves once the reload is logged. */
  async function reload(node: Node, keyFile: string, acceptFiles: readonly string[]) {
    const seen = node.daemon.lines.length;
    node.dir.write('vipd.yaml', node.config(keyFile, acceptFiles), 0o644);
    node.daemon.signal('SIGHUP');
    const line = await node.daemon.waitFor(
      (l, i) => i >= seen && /^(configuration reloaded|reload rejected)/.test(l.msg),
      10_000,
      `${node.id} reload`,
    );
    assert.match(line.msg, /^configuration reloaded/, JSON.stringify(line));
    assert.equal(line['clusterKeysChanged'], true);
    assert.ok(!JSON.stringify(line).includes(NEW_KEY), 'the key is never logged');
  }

  it('accept, switch, drop: both nodes keep hearing each other at every step', async () => {
    const downsBefore = nodes.map(
      (n) => n.daemon.lines.filter((l) => l.msg === 'peer down').length,
    );
    const steps: [string, readonly string[]][] = [
      ['old.key', ['new.key']], // 1. accept the new key, sign with the old
      ['new.key', ['old.key']], // 2. sign with the new key, accept the old
      ['new.key', []], // 3. drop the old key
    ];
    for (const [keyFile, accept] of steps) {
      for (const node of nodes) {
        await reload(node, keyFile, accept);
        await new Promise((resolve) => setTimeout(resolve, STEP_MS));
        for (const each of nodes)
          assert.equal(await peerUp(each), true, `${each.id} hears its peer`);
      }
    }
    const downsAfter = nodes.map((n) => n.daemon.lines.filter((l) => l.msg === 'peer down').length);
    assert.deepEqual(downsAfter, downsBefore, 'no peer went down during the rotation');
  });

  it('a node that signs with a key its peer does not accept is not heard', async () => {
    const [w1, w2] = nodes as [Node, Node];
    let seen = w2.daemon.lines.length;
    await reload(w1, 'old.key', []); // w2 accepts only new.key now
    await w2.daemon.waitFor((l, i) => i >= seen && l.msg === 'peer down', 10_000, 'w2 loses w1');
    assert.equal(await peerUp(w2), false);
    seen = w2.daemon.lines.length;
    await reload(w1, 'new.key', []);
    await w2.daemon.waitFor((l, i) => i >= seen && l.msg === 'peer up', 10_000, 'w2 hears w1');
  });
});
