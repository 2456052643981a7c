// A reload on a running mesh (reconfigure): deadlines change without a peer going down,
// peers come and go, a moved peer is dialled at its new address, and a bad change is
// refused with the mesh left as it was.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import { HeartbeatConfigError, type HeartbeatMesh, type PeerAddress } from '../src/index.js';
import { FaultProxy } from './helpers/fault-proxy.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { heartbeatRound, record, until } from './helpers/wait.js';

const INTERVAL_MS = 20;
/** Room for a heartbeat that crosses the sockets a clock step late (a loaded host). */
const DOWN_MULTIPLIER = 6;

/** Let pending socket I/O and deferred callbacks run between clock steps. */
const settleIo = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('mesh reconfigure', () => {
  const clock = createManualClock();
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let b: HeartbeatMesh;
  let c: HeartbeatMesh;
  const peersOf = (id: string): PeerAddress[] =>
    ['a', 'b', 'c']
      .filter((peer) => peer !== id)
      .map((peer) => ({ id: peer, address: cluster.proxy(id, peer).address }));
  const timing = { intervalMs: INTERVAL_MS, downMultiplier: DOWN_MULTIPLIER };

  before(async () => {
    cluster = await startCluster(['a', 'b', 'c'], () => ({ ...timing, clock }));
    a = cluster.node('a').mesh;
    b = cluster.node('b').mesh;
    c = cluster.node('c').mesh;
    await until(
      () => [a, b, c].every((mesh) => mesh.peers().every((peer) => peer.up)),
      'every link up',
    );
  });
  after(async () => {
    await cluster.stop();
  });

  it('a longer down deadline holds from the last heartbeat, with no peer-down on the way', async () => {
    const downs = [record(a, 'peer-down'), record(b, 'peer-down')];
    const outcome = await b.reconfigure({
      peers: peersOf('b'),
      intervalMs: 20,
      downMultiplier: 20,
    });
    assert.deepEqual(outcome, {
      peersAdded: [],
      peersRemoved: [],
      peersReaddressed: [],
      retimed: true,
      tlsReloaded: false,
    });
    await heartbeatRound(clock, INTERVAL_MS, [[b, 'a']]);
    // a falls silent towards b: the old deadline (120 ms) passes, the new one (400 ms) not.
    cluster.proxy('a', 'b').blackhole();
    cluster.proxy('b', 'a').blackhole();
    for (let elapsed = 0; elapsed < 300; elapsed += INTERVAL_MS) {
      clock.advance(INTERVAL_MS);
      await settleIo();
    }
    assert.equal(b.peers().find((p) => p.id === 'a')?.up, true, 'b still holds a up at 300 ms');
    assert.deepEqual(downs[1]?.calls, [], 'b reported nothing at the old deadline');
    for (let elapsed = 300; elapsed <= 460; elapsed += INTERVAL_MS) {
      clock.advance(INTERVAL_MS);
      await settleIo();
    }
    assert.equal(b.peers().find((p) => p.id === 'a')?.up, false, 'down at the new deadline');
    cluster.proxy('a', 'b').restore();
    cluster.proxy('b', 'a').restore();
    await b.reconfigure({ peers: peersOf('b'), ...timing });
    a.reconnect('b');
    await until(() => {
      clock.advance(INTERVAL_MS);
      return [a, b].every((mesh) => mesh.peers().every((peer) => peer.up));
    }, 'a and b up again');
    for (const d of downs) d.stop();
  });

  it('changes the interval on one node, then the other, without a peer-down', async () => {
    const downs = [a, b, c].map((mesh) => record(mesh, 'peer-down'));
    for (const [id, mesh] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      await mesh.reconfigure({
        peers: peersOf(id),
        intervalMs: 40,
        downMultiplier: DOWN_MULTIPLIER,
      });
      for (let i = 0; i < 6; i++) {
        clock.advance(INTERVAL_MS);
        await settleIo();
      }
    }
    for (let i = 0; i < 10; i++) {
      clock.advance(INTERVAL_MS);
      await settleIo();
    }
    assert.deepEqual(
      downs.map((d) => d.calls),
      [[], [], []],
      'no peer went down during the rolling change',
    );
    for (const d of downs) d.stop();
  });

  it('removes a peer and adds it back; the others never notice', async () => {
    const downsOnB = record(b, 'peer-down');
    const removed = await a.reconfigure({
      peers: peersOf('a').filter((p) => p.id !== 'c'),
      ...timing,
    });
    assert.deepEqual(removed.peersRemoved, ['c']);
    assert.deepEqual(
      a.peers().map((p) => p.id),
      ['b'],
    );
    const added = await a.reconfigure({ peers: peersOf('a'), ...timing });
    assert.deepEqual(added.peersAdded, ['c']);
    await until(() => {
      clock.advance(INTERVAL_MS);
      return a.peers().find((p) => p.id === 'c')?.up === true;
    }, 'c up on a again');
    assert.deepEqual(downsOnB.calls, [], 'b saw no peer go down');
    downsOnB.stop();
  });

  it('dials a moved peer at its new address once the old connection is gone', async () => {
    const moved = await FaultProxy.start(b.port());
    try {
      const peers = peersOf('a').map((p) =>
        p.id === 'b' ? { id: 'b', address: moved.address } : p,
      );
      const outcome = await a.reconfigure({ peers, ...timing });
      assert.deepEqual(outcome.peersReaddressed, ['b']);
      assert.equal(a.peers().find((p) => p.id === 'b')?.up, true, 'the connection in use stayed');
      assert.equal(moved.open, 0, 'nothing dialled the new address while the old link works');
      for (const proxy of cluster.link('a', 'b')) proxy.refuse();
      for (const proxy of cluster.link('a', 'b')) proxy.cut();
      await until(() => {
        clock.advance(INTERVAL_MS);
        return a.peers().find((p) => p.id === 'b')?.up === true && moved.open > 0;
      }, 'a back up with b through the new address');
      assert.equal(a.peers().find((p) => p.id === 'b')?.address, moved.address);
    } finally {
      for (const proxy of cluster.link('a', 'b')) proxy.restore();
      await moved.close();
    }
  });

  it('refuses a bad change and keeps running as before', async () => {
    const before = a.peers().map((p) => p.id);
    await assert.rejects(
      a.reconfigure({ peers: peersOf('a'), intervalMs: 20, downMultiplier: 1 }),
      (error: unknown) =>
        error instanceof HeartbeatConfigError && /downMultiplier/.test(error.message),
    );
    await assert.rejects(
      a.reconfigure({
        peers: peersOf('a'),
        ...timing,
        tls: { certFile: '/nonexistent', keyFile: '/nonexistent', caFile: '/nonexistent' },
      }),
      (error: unknown) =>
        error instanceof HeartbeatConfigError && /switched on/.test(error.message),
    );
    await assert.rejects(
      a.reconfigure({ peers: [{ id: 'a', address: '127.0.0.1:1' }], ...timing }),
      HeartbeatConfigError,
    );
    assert.deepEqual(
      a.peers().map((p) => p.id),
      before,
    );
  });
});
