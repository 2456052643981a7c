// Protocol version 2 on real sockets: a receiver sees each group's master and the sender's
// hears list; a version 1 peer is still answered, in version 1, and never sent a field it
// would reject.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  encodeHeartbeat,
  frameVersion,
  type HeartbeatFrame,
  type HeartbeatMesh,
  type ProtocolVersion,
  type WireGroupState,
} from '../src/index.js';
import { startCluster, TEST_CLUSTER, TEST_KEY, type TestCluster } from './helpers/cluster.js';
import { RawPeer } from './helpers/raw-peer.js';
import { until, waitForEvent } from './helpers/wait.js';

const GROUPS: Readonly<Record<string, WireGroupState>> = {
  web: { priority: 200, state: 'MASTER', epoch: 4, master: 'a' },
  db: { priority: 100, state: 'BACKUP', epoch: 3, master: null },
  old: { priority: 50, state: 'BACKUP', epoch: 1 },
};

describe('heartbeat protocol version 2', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(
      ['a', 'b'],
      () => ({ intervalMs: 25, downMultiplier: 8 }),
      // x is played by the tests (a version 1 or 2 peer); a's own dials to it fail.
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

  /** A peer that speaks only `version`: its frames in it, the mesh's raw bytes recorded. */
  async function versionedPeer(version: ProtocolVersion) {
    const x = await RawPeer.connect(a.port(), { nodeId: 'x' });
    const versions: { kind: HeartbeatFrame['kind']; version: number }[] = [];
    x.ws.on('message', (data: Buffer) => {
      versions.push({ kind: data[3] === 1 ? 'hello' : 'heartbeat', version: frameVersion(data) });
    });
    const frame = (kind: HeartbeatFrame['kind'], patch: Partial<HeartbeatFrame>): Uint8Array =>
      encodeHeartbeat(
        {
          kind,
          incarnation: x.incarnation,
          nonce: x.nonce,
          seq: ++x.seq,
          sentAtMs: performance.timeOrigin + performance.now(),
          echoSentAtMs: 0,
          echoHeldMs: 0,
          clusterName: TEST_CLUSTER,
          nodeId: 'x',
          groups: {},
          ...patch,
        },
        TEST_KEY,
        version,
      );
    const hello = await x.meshHello();
    x.send(frame('hello', {}));
    return { x, versions, hello, frame };
  }

  it('answers a version 1 peer in version 1 only, and hears it', async () => {
    a.setLocalState(GROUPS, ['b', 'x']);
    const { x, versions, hello, frame } = await versionedPeer(1);
    try {
      const fromX = waitForEvent(a, 'heartbeat', (hb) => hb.from === 'x');
      x.send(
        frame('heartbeat', {
          nonce: hello.nonce,
          groups: { web: { priority: 1, state: 'BACKUP', epoch: 4 } },
        }),
      );
      const [heartbeat] = await fromX;
      assert.equal(Object.hasOwn(heartbeat, 'hears'), false);
      assert.deepEqual(heartbeat.groups, { web: { priority: 1, state: 'BACKUP', epoch: 4 } });
      // Several of a's heartbeats, all in version 1 and without the version 2 fields.
      await until(() => versions.filter((v) => v.kind === 'heartbeat').length >= 3, '3 beats');
      assert.deepEqual(new Set(versions.map((v) => v.version)), new Set([1]));
      const beat = await x.nextFrame((f) => f.kind === 'heartbeat' && f.nonce === x.nonce);
      assert.equal(Object.hasOwn(beat, 'hears'), false);
      assert.equal(Object.hasOwn(beat.groups.web ?? {}, 'master'), false);
      assert.deepEqual(beat.groups.web, { priority: 200, state: 'MASTER', epoch: 4 });
    } finally {
      x.terminate();
      await x.closed;
    }
  });

  it('moves a version 2 dialer up to version 2 after its hello', async () => {
    a.setLocalState(GROUPS, ['b', 'x']);
    const { x, versions, hello, frame } = await versionedPeer(2);
    try {
      const fromX = waitForEvent(a, 'heartbeat', (hb) => hb.from === 'x');
      x.send(frame('heartbeat', { nonce: hello.nonce, hears: ['a'] }));
      assert.deepEqual((await fromX)[0].hears, ['a']);
      await until(() => versions.filter((v) => v.kind === 'heartbeat').length >= 2, '2 beats');
      assert.ok(versions.filter((v) => v.kind === 'heartbeat').every((v) => v.version === 2));
      const beat = await x.nextFrame((f) => f.kind === 'heartbeat' && f.hears !== undefined);
      assert.deepEqual(beat.hears, ['b', 'x']);
      assert.deepEqual(beat.groups, GROUPS);
    } finally {
      x.terminate();
      await x.closed;
    }
  });
});
