// Protocol version 3 on real sockets: a receiver sees each group's master and the sender's
// hears list; a node of an earlier build (versions 1 and 2) is refused with a clear reason.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HeartbeatMesh, WireGroupState } from '../src/index.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { until, waitForEvent } from './helpers/wait.js';

const GROUPS: Readonly<Record<string, WireGroupState>> = {
  web: { priority: 200, state: 'MASTER', epoch: 4, master: 'a' },
  db: { priority: 100, state: 'BACKUP', epoch: 3, master: null },
  old: { priority: 50, state: 'BACKUP', epoch: 1 },
};

describe('heartbeat protocol version 3', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(
      ['a', 'b'],
      () => ({ intervalMs: 25, downMultiplier: 8 }),
      // x is played by the tests (a node of an earlier build); a's own dials to it fail.
      (id) => (id === 'a' ? [{ id: 'x', address: '127.0.0.1:1' }] : []),
    );
    a = cluster.node('a').mesh;
    await until(() => a.peers().find((peer) => peer.id === 'b')!.up, 'b up on a');
  });
  after(async () => {
    await cluster.stop();
  });

  it('carries master per group and hears per heartbeat between two meshes', async () => {
    const b = cluster.node('b').mesh;
    a.setLocalState(GROUPS, ['b', 'x']);
    const received = waitForEvent(
      b,
      'heartbeat',
      (hb) => hb.from === 'a' && hb.hears !== undefined,
    );
    a.sendNow();
    const [heartbeat] = await received;
    assert.deepEqual(heartbeat.hears, ['b', 'x']);
    assert.deepEqual(heartbeat.groups, GROUPS);
    assert.equal(Object.hasOwn(heartbeat.groups.old ?? {}, 'master'), false, 'not stated');
  });

  it('says nothing of hears once the sender stops setting it', async () => {
    const b = cluster.node('b').mesh;
    a.setLocalState(GROUPS, []);
    await waitForEvent(b, 'heartbeat', (hb) => hb.from === 'a' && hb.hears?.length === 0);
    a.setLocalState(GROUPS);
    const [heartbeat] = await waitForEvent(
      b,
      'heartbeat',
      (hb) => hb.from === 'a' && hb.hears === undefined,
    );
    assert.equal(Object.hasOwn(heartbeat, 'hears'), false);
  });

  it('refuses a node of an earlier build: bad-version, one warning per remote naming it', async () => {
    const logs = cluster.node('a').logs;
    const from = logs.length;
    const warnings = () =>
      logs
        .slice(from)
        .filter(
          (line) =>
            line.level === 'warn' && (line.fields as { reason?: string }).reason === 'bad-version',
        );
    const before = a.stats().rejected['bad-version'];
    for (let i = 0; i < 3; i++) {
      // What a version 2 node sends first when it dials: its hello (the layout after the
      // version byte does not matter; nothing past it is read).
      const old = await RawPeer.connect(a.port(), { nodeId: 'x' });
      const hello = Buffer.from(old.frame('hello'));
      hello[2] = 2;
      old.send(hello);
      assert.equal(await old.closed, 1006, 'cut, not negotiated with');
    }
    assert.equal(a.stats().rejected['bad-version'], before + 3);
    const lines = warnings();
    assert.equal(lines.length, 1, 'one warning for the remote host, not one per connection');
    assert.deepEqual(
      { versionSeen: (lines[0]!.fields as { versionSeen: number }).versionSeen },
      { versionSeen: 2 },
    );
    assert.match(lines[0]!.message, /upgrade every node/);
  });
});
