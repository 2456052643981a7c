// The in-memory double keeps the real mesh's event contract: up on the first heartbeat,
// 'silent' after downMultiplier x interval, 'closed' at once on a cut or a stop, restarts
// as new incarnations — so other packages can test against it without sockets.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import {
  createLoopbackNetwork,
  type HeartbeatMesh,
  type HeartbeatMeshOptions,
  type LoopbackNetwork,
} from '../src/index.js';
import { nowMs } from '../src/clock.js';
import { recordingLogger, type LogLine } from './helpers/cluster.js';
import { record, until, waitForEvent } from './helpers/wait.js';

const INTERVAL_MS = 25;
const DOWN_MULTIPLIER = 8;

function options(nodeId: string, peers: string[], logs: LogLine[] = []): HeartbeatMeshOptions {
  return {
    clusterName: 'lab',
    nodeId,
    listen: '127.0.0.1:0',
    peers: peers.map((id) => ({ id, address: `loopback:${id}` })),
    key: Buffer.alloc(32),
    intervalMs: INTERVAL_MS,
    downMultiplier: DOWN_MULTIPLIER,
    logger: recordingLogger(logs),
  };
}

describe('loopback mesh double', () => {
  let meshes: HeartbeatMesh[] = [];
  afterEach(async () => {
    await Promise.all(meshes.map((mesh) => mesh.stop()));
    meshes = [];
  });

  async function trio(): Promise<{
    net: LoopbackNetwork;
    a: HeartbeatMesh;
    b: HeartbeatMesh;
    c: HeartbeatMesh;
  }> {
    const net = createLoopbackNetwork();
    const [a, b, c] = [
      net.createMesh(options('a', ['b', 'c'])),
      net.createMesh(options('b', ['a', 'c'])),
      net.createMesh(options('c', ['a', 'b'])),
    ] as [HeartbeatMesh, HeartbeatMesh, HeartbeatMesh];
    meshes = [a, b, c];
    for (const mesh of meshes) await mesh.start();
    for (const mesh of meshes) {
      await until(() => mesh.peers().every((peer) => peer.up), 'all up');
    }
    return { net, a, b, c };
  }

  it('delivers every group state and measures RTT', async () => {
    const { a, b } = await trio();
    const groups = { web: { priority: 150, state: 'MASTER' as const, epoch: 3 } };
    a.setLocalState(groups);
    const heard = waitForEvent(
      b,
      'heartbeat',
      (hb) => hb.from === 'a' && hb.groups.web?.epoch === 3,
    );
    a.sendNow();
    assert.deepEqual((await heard)[0].groups, groups);
    await until(() => b.peers().every((peer) => peer.rttMs !== null), 'RTT');
    assert.equal(a.stats().rejected['bad-mac'], 0);
    assert.ok(a.stats().heartbeatsSent > 0);
  });

  it('reports a cut as closed at once, then the link comes back', async () => {
    const { net, a, b } = await trio();
    const downs = Promise.all([
      waitForEvent(a, 'peer-down', (peer) => peer === 'b'),
      waitForEvent(b, 'peer-down', (peer) => peer === 'a'),
    ]);
    net.cut('a', 'b');
    const [[, onA], [, onB]] = await downs;
    assert.deepEqual([onA, onB], ['closed', 'closed']);
    await waitForEvent(a, 'peer-up', (peer) => peer === 'b');
  });

  it('reconnect(): the far end reads "coming back" and reports no one down; heartbeats go on', async () => {
    const { a, b, c } = await trio();
    const downs: string[] = [];
    for (const [id, mesh] of [
      ['a', a],
      ['b', b],
      ['c', c],
    ] as const) {
      mesh.on('peer-down', (peer, reason) => downs.push(`${id}:${peer}:${reason}`));
    }
    a.reconnect('b');
    const heardOnB = waitForEvent(b, 'heartbeat', (hb) => hb.from === 'a');
    a.sendNow();
    await heardOnB;
    assert.deepEqual(downs, []);
    assert.ok(b.peers().every((peer) => peer.up));
    assert.ok(a.peers().every((peer) => peer.up));
    assert.throws(
      () => {
        a.reconnect('nobody');
      },
      { name: 'HeartbeatConfigError', code: 'UNKNOWN_PEER' },
    );
  });

  it('reports a blackhole as silent after down_multiplier x interval, and heals', async () => {
    const { net, a, c } = await trio();
    const cHeard: string[] = [];
    c.on('peer-down', (peer) => cHeard.push(peer));
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    net.blackhole('a', 'b');
    const [, reason] = await down;
    const status = a.peers().find((peer) => peer.id === 'b')!;
    assert.equal(reason, 'silent');
    assert.ok(nowMs() - status.lastHeartbeatAtMs! >= INTERVAL_MS * DOWN_MULTIPLIER);
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'b');
    net.heal('a', 'b');
    await up;
    assert.deepEqual(cHeard, [], 'c never lost anyone');
  });

  it('reports a stopped node as closed and its restart as a new incarnation', async () => {
    const { a, c } = await trio();
    const before = a.peers().find((peer) => peer.id === 'c')!.incarnation;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'c');
    await c.stop();
    assert.equal((await down)[1], 'closed');
    const up = waitForEvent(a, 'peer-up', (peer) => peer === 'c');
    await c.start();
    await up;
    assert.notEqual(a.peers().find((peer) => peer.id === 'c')!.incarnation, before);
  });

  it('loses the heartbeats a node sent just before it stopped, as a closed socket would', async () => {
    const clock = createManualClock();
    const net = createLoopbackNetwork({ clock });
    const a = net.createMesh(options('a', ['c']));
    const c = net.createMesh(options('c', ['a']));
    meshes = [a, c];
    await a.start();
    await c.start();
    clock.flush();
    assert.equal(a.peers()[0]?.up, true);
    const heard = record(a, 'heartbeat');
    const downs = record(a, 'peer-down');
    c.sendNow(); // in flight: delivered on the next turn of the (manual) event loop
    await c.stop();
    clock.flush();
    assert.deepEqual(downs.calls, [['c', 'closed']]);
    assert.deepEqual(heard.calls, [], 'nothing from c after its close');
    assert.equal(a.peers()[0]?.up, false, 'c stays down until it starts again');
  });

  it('rejects heartbeats from a node that is not a configured peer', async () => {
    const net = createLoopbackNetwork();
    const a = net.createMesh(options('a', []));
    const z = net.createMesh(options('z', ['a']));
    meshes = [a, z];
    const rejected = waitForEvent(a, 'rejected');
    await a.start();
    await z.start();
    assert.equal((await rejected)[0], 'unknown-node');
    assert.deepEqual(a.peers(), []);
  });

  it('logs a listener that throws and keeps going', async () => {
    const net = createLoopbackNetwork();
    const logs: LogLine[] = [];
    const a = net.createMesh(options('a', ['b'], logs));
    const b = net.createMesh(options('b', ['a']));
    meshes = [a, b];
    a.on('heartbeat', () => {
      throw new Error('listener bug');
    });
    await a.start();
    await b.start();
    await until(() => a.stats().heartbeatsReceived >= 3, 'still receiving');
    assert.ok(
      logs.some((line) => line.level === 'error' && line.message.includes('listener threw')),
    );
  });

  it('refuses a second mesh with the same node id', () => {
    const net = createLoopbackNetwork();
    net.createMesh(options('a', []));
    assert.throws(() => net.createMesh(options('a', [])), /already has node "a"/);
  });
});
