// The mesh on real sockets: links come up, heartbeats carry every group's state, state
// changes go out at once, RTT is measured, one connection per pair, stop() is 'closed'.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHeartbeatMesh, HeartbeatConfigError } from '../src/index.js';
import { groupStates, startCluster, type TestCluster } from './helpers/cluster.js';
import { record, until, waitForEvent } from './helpers/wait.js';

// Wide enough that a stall of this shared test machine is not mistaken for a dead peer.
const INTERVAL_MS = 25;

describe('heartbeat mesh on loopback', () => {
  let cluster: TestCluster;
  before(async () => {
    cluster = await startCluster(['a', 'b', 'c'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: 8,
    }));
  });
  after(async () => {
    await cluster.stop();
  });

  it('brings every peer up on every node', async () => {
    for (const id of ['a', 'b', 'c']) {
      await until(
        () =>
          cluster
            .node(id)
            .mesh.peers()
            .every((peer) => peer.up),
        `all peers up on ${id}`,
      );
    }
  });

  it('carries all groups in one heartbeat', async () => {
    const a = cluster.node('a').mesh;
    const b = cluster.node('b').mesh;
    const groups = groupStates(64, 7);
    a.setLocalState(groups);
    const received = waitForEvent(
      b,
      'heartbeat',
      (hb) => hb.from === 'a' && hb.groups['vip-group-000']?.epoch === 7,
    );
    a.sendNow();
    const [heartbeat] = await received;
    assert.deepEqual(heartbeat.groups, groups);
    assert.ok(heartbeat.receivedAtMs >= heartbeat.sentAtMs - 1);
  });

  it('numbers heartbeats strictly upwards within one incarnation', async () => {
    const b = cluster.node('b').mesh;
    const seen = record(b, 'heartbeat');
    await until(() => seen.calls.filter(([hb]) => hb.from === 'c').length >= 5, '5 heartbeats');
    seen.stop();
    const fromC = seen.calls.map(([hb]) => hb).filter((hb) => hb.from === 'c');
    for (let i = 1; i < fromC.length; i++) {
      assert.ok(fromC[i]!.seq > fromC[i - 1]!.seq);
      assert.equal(fromC[i]!.incarnation, fromC[0]!.incarnation);
    }
  });

  it('measures RTT and jitter from echoed timestamps', async () => {
    await until(
      () =>
        cluster
          .node('a')
          .mesh.peers()
          .every((peer) => peer.rttMs !== null),
      'RTT samples',
    );
    for (const peer of cluster.node('a').mesh.peers()) {
      assert.ok(peer.rttMs !== null && peer.rttMs >= 0 && peer.rttMs < 1000, `rtt ${peer.rttMs}`);
      assert.ok(peer.jitterMs !== null && peer.jitterMs >= 0);
    }
  });

  it('keeps exactly one connection per pair, and both ends agree which', async () => {
    await until(() => {
      const pairs: [string, string][] = [
        ['a', 'b'],
        ['a', 'c'],
        ['b', 'c'],
      ];
      return pairs.every(([x, y]) => cluster.proxy(x, y).open + cluster.proxy(y, x).open === 1);
    }, 'one connection per pair');
    for (const [x, y] of [
      ['a', 'b'],
      ['b', 'c'],
    ] as const) {
      const fromX = cluster
        .node(x)
        .mesh.peers()
        .find((peer) => peer.id === y)!;
      const fromY = cluster
        .node(y)
        .mesh.peers()
        .find((peer) => peer.id === x)!;
      assert.notEqual(fromX.direction, null);
      assert.notEqual(fromX.direction, fromY.direction, 'one side dialed, the other accepted');
    }
  });

  it('sends one heartbeat per interval per peer', async () => {
    const a = cluster.node('a').mesh;
    const before = a.stats().heartbeatsSent;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 400));
    const perPeerPerInterval =
      (a.stats().heartbeatsSent - before) / 2 / ((performance.now() - started) / INTERVAL_MS);
    // setInterval only drifts late, so never more than one; a loaded machine may skip some.
    assert.ok(perPeerPerInterval <= 1.05, `${perPeerPerInterval} per interval`);
    assert.ok(perPeerPerInterval > 0.25, `${perPeerPerInterval} per interval`);
  });

  it('reports a stopped node as closed at once, and it comes back after a restart', async () => {
    const a = cluster.node('a').mesh;
    const c = cluster.node('c').mesh;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'c');
    const incarnationBefore = a.peers().find((peer) => peer.id === 'c')!.incarnation;
    await c.stop();
    const [, reason] = await down;
    assert.equal(reason, 'closed');
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'c');
    await c.start();
    for (const from of ['a', 'b']) cluster.proxy(from, 'c').setTarget(c.port());
    await up;
    const incarnationAfter = a.peers().find((peer) => peer.id === 'c')!.incarnation;
    assert.notEqual(incarnationAfter, incarnationBefore, 'a restart is a new incarnation');
    assert.deepEqual(
      Object.values(a.stats().rejected).reduce((sum, n) => sum + n, 0),
      0,
      'a healthy cluster rejects nothing',
    );
  });
});

describe('heartbeat mesh with a long interval', () => {
  it('sends a state change at once, not at the next tick', async () => {
    const cluster = await startCluster(['a', 'b'], () => ({ intervalMs: 2000, downMultiplier: 3 }));
    try {
      const a = cluster.node('a').mesh;
      const b = cluster.node('b').mesh;
      // The handshake's first heartbeat brings the peers up without waiting for a tick.
      await until(() => a.peers()[0]!.up && b.peers()[0]!.up, 'up', 1500);
      const heard = waitForEvent(
        b,
        'heartbeat',
        (hb) => hb.groups.web?.state === 'MASTER',
        1000, // half the interval: only sendNow can make it
      );
      a.setLocalState({ web: { priority: 200, state: 'MASTER', epoch: 2 } });
      a.sendNow();
      const [heartbeat] = await heard;
      assert.equal(heartbeat.from, 'a');
    } finally {
      await cluster.stop();
    }
  });
});

describe('heartbeat mesh lifecycle', () => {
  const options = (listen: string) => ({
    clusterName: 'lab',
    nodeId: 'solo',
    listen,
    peers: [],
    key: Buffer.alloc(32, 1),
    intervalMs: 100,
    downMultiplier: 3,
  });

  it('fails start() with listen-failed when the port is taken, and can start again', async () => {
    const first = createHeartbeatMesh(options('127.0.0.1:0'));
    await first.start();
    const second = createHeartbeatMesh(options(`127.0.0.1:${first.port()}`));
    try {
      await assert.rejects(
        second.start(),
        (error: unknown) =>
          error instanceof HeartbeatConfigError &&
          error.code === 'LISTEN_FAILED' &&
          error.message.includes(`127.0.0.1:${first.port()}`),
      );
      await first.stop();
      await second.start(); // the failed start left it startable
    } finally {
      await second.stop();
      await first.stop();
    }
  });

  it('refuses a second start() while running', async () => {
    const mesh = createHeartbeatMesh(options('127.0.0.1:0'));
    const starting = mesh.start();
    await assert.rejects(mesh.start(), /cannot start/);
    await starting;
    await mesh.stop();
  });
});
