// One contract, two implementations: what the loopback double (createLoopbackNetwork) and the
// WebSocket mesh both promise their users, run as the same test body against each. Peers
// come up on their first heartbeat; setLocalState + sendNow deliver every group and `hears`
// at once, not at the next tick; seqs rise within an incarnation; a stopped peer is 'closed'
// and comes back as a new incarnation; reconnect() shows only the far end a close.
//
// The interval is long on purpose: nothing in these tests waits for a tick, so whatever
// arrives was sent by the handshake, at start, or by sendNow. Every wait is for an event or
// a condition, none for a fixed time.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createLoopbackNetwork,
  type HeartbeatMesh,
  type HeartbeatMeshOptions,
  type WireGroupState,
} from '../src/index.js';
import { recordingLogger, startCluster, TEST_CLUSTER, TEST_KEY } from './helpers/cluster.js';
import { record, until, waitForEvent } from './helpers/wait.js';

/** Far longer than any test here: a tick never helps. */
const INTERVAL_MS = 5000;
const TIMING = {
  intervalMs: INTERVAL_MS,
  downMultiplier: 3,
  reconnectMinDelayMs: 10,
  reconnectMaxDelayMs: 50,
} satisfies Partial<HeartbeatMeshOptions>;

interface Meshes {
  mesh(id: string): HeartbeatMesh;
  /** Start a stopped node again, reachable by its peers. */
  restart(id: string): Promise<void>;
  stop(): Promise<void>;
}

const implementations: Record<string, (ids: readonly string[]) => Promise<Meshes>> = {
  'loopback double': async (ids) => {
    const net = createLoopbackNetwork();
    const meshes = new Map(
      ids.map((id) => [
        id,
        net.createMesh({
          clusterName: TEST_CLUSTER,
          nodeId: id,
          listen: '127.0.0.1:0',
          peers: ids.filter((peer) => peer !== id).map((peer) => ({ id: peer, address: peer })),
          key: TEST_KEY,
          logger: recordingLogger([]),
          ...TIMING,
        }),
      ]),
    );
    for (const mesh of meshes.values()) await mesh.start();
    const mesh = (id: string) => meshes.get(id)!;
    return {
      mesh,
      restart: (id) => mesh(id).start(),
      stop: async () => {
        await Promise.all([...meshes.values()].map((m) => m.stop()));
      },
    };
  },
  'WebSocket mesh': async (ids) => {
    const cluster = await startCluster(ids, () => TIMING);
    const mesh = (id: string) => cluster.node(id).mesh;
    return {
      mesh,
      restart: async (id) => {
        await mesh(id).start();
        for (const from of ids) if (from !== id) cluster.proxy(from, id).setTarget(mesh(id).port());
      },
      stop: () => cluster.stop(),
    };
  },
};

const peerOf = (mesh: HeartbeatMesh, id: string) => mesh.peers().find((peer) => peer.id === id)!;

for (const [name, startMeshes] of Object.entries(implementations)) {
  describe(`mesh contract: ${name}`, () => {
    let meshes: Meshes;
    let a: HeartbeatMesh;
    let b: HeartbeatMesh;
    let c: HeartbeatMesh;
    before(async () => {
      meshes = await startMeshes(['a', 'b', 'c']);
      [a, b, c] = ['a', 'b', 'c'].map((id) => meshes.mesh(id)) as [
        HeartbeatMesh,
        HeartbeatMesh,
        HeartbeatMesh,
      ];
    });
    after(async () => {
      await meshes.stop();
    });

    it('brings a peer up on its first heartbeat, without waiting for a tick', async () => {
      // The WebSocket mesh's handshake carries a first heartbeat each way; the double sends
      // one at start, to the peers running by then. sendNow gives every peer one now.
      for (const mesh of [a, b, c]) mesh.sendNow();
      for (const mesh of [a, b, c]) {
        await until(() => mesh.peers().every((peer) => peer.up), 'all peers up');
      }
      for (const mesh of [a, b, c]) {
        assert.equal(mesh.peers().length, 2);
        for (const peer of mesh.peers()) assert.notEqual(peer.incarnation, null);
      }
    });

    it('delivers every group and hears from setLocalState on sendNow, at once', async () => {
      const groups: Record<string, WireGroupState> = {
        web: { priority: 150, state: 'MASTER', epoch: 3, master: 'a' },
        db: { priority: 90, state: 'BACKUP', epoch: 1, master: null },
      };
      a.setLocalState(groups, ['b', 'c']);
      const onB = waitForEvent(b, 'heartbeat', (hb) => hb.from === 'a' && 'db' in hb.groups);
      const onC = waitForEvent(c, 'heartbeat', (hb) => hb.from === 'a' && 'db' in hb.groups);
      a.sendNow();
      for (const [heartbeat] of await Promise.all([onB, onC])) {
        assert.deepEqual(heartbeat.groups, groups);
        assert.deepEqual(heartbeat.hears, ['b', 'c']);
        assert.equal(heartbeat.incarnation, peerOf(b, 'a').incarnation);
        assert.ok(heartbeat.receivedAtMs >= heartbeat.sentAtMs - 1);
      }
    });

    it('numbers heartbeats strictly upwards within one incarnation', async () => {
      const seen = record(b, 'heartbeat');
      for (let i = 0; i < 3; i++) {
        const next = waitForEvent(b, 'heartbeat', (hb) => hb.from === 'c');
        c.sendNow();
        await next;
      }
      seen.stop();
      const fromC = seen.calls.map(([hb]) => hb).filter((hb) => hb.from === 'c');
      assert.ok(fromC.length >= 3);
      for (let i = 1; i < fromC.length; i++) {
        assert.ok(fromC[i]!.seq > fromC[i - 1]!.seq);
        assert.equal(fromC[i]!.incarnation, fromC[0]!.incarnation);
      }
    });

    it('reconnect(): the far end is told "coming back" and loses nothing; the link comes back', async () => {
      const downs: string[] = [];
      const listeners = (['a', 'b', 'c'] as const).map((id) => {
        const listener = (peer: string, reason: string) => downs.push(`${id}:${peer}:${reason}`);
        meshes.mesh(id).on('peer-down', listener);
        return () => meshes.mesh(id).off('peer-down', listener);
      });
      a.reconnect('b');
      // The WebSocket mesh's new connection brings the link back with its handshake; the
      // double has none, and would wait for the next tick. Either way, state sent now arrives.
      const heardAgainOnB = waitForEvent(b, 'heartbeat', (hb) => hb.from === 'a');
      a.sendNow();
      await heardAgainOnB;
      for (const off of listeners) off();
      assert.deepEqual(downs, [], 'a planned reconnect is no loss to either end');
      assert.ok(a.peers().every((peer) => peer.up));
      assert.throws(
        () => {
          a.reconnect('nobody');
        },
        { name: 'HeartbeatConfigError', code: 'UNKNOWN_PEER' },
      );
    });

    it('reports a stopped node closed at once, and its restart as a new incarnation', async () => {
      const before = peerOf(a, 'c').incarnation;
      const downOnA = waitForEvent(a, 'peer-down', (peer) => peer === 'c');
      const downOnB = waitForEvent(b, 'peer-down', (peer) => peer === 'c');
      await c.stop();
      assert.deepEqual([(await downOnA)[1], (await downOnB)[1]], ['closed', 'closed']);
      assert.ok(
        c.peers().every((peer) => !peer.up),
        'a stopped node has no peer up',
      );
      const upOnA = waitForEvent(a, 'peer-up', (peer) => peer === 'c');
      await meshes.restart('c');
      await upOnA;
      assert.notEqual(peerOf(a, 'c').incarnation, before);
      assert.deepEqual(
        Object.values(a.stats().rejected).reduce((sum, n) => sum + n, 0),
        0,
        'a healthy cluster rejects nothing',
      );
    });
  });
}
