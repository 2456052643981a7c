// Parked hellos (docs/security.md): an attacker without the key parks hellos the nodes signed earlier
// (recorded off the wire) on fresh connections to each node, about five a second. Such a
// connection can never authenticate, but it holds a genuine hello of the peer. After one
// cut of the real link, the nodes must redial and be back within the usual backoff: nothing
// unauthenticated may stop a dial or a reconnect.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { HEARTBEAT_PATH, type HeartbeatMesh } from '../src/index.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { recordHello } from './helpers/recorded-hello.js';
import { record, sleep, until, waitForEvent } from './helpers/wait.js';

const INTERVAL_MS = 50;
const DOWN_MULTIPLIER = 4;
/** Parked connections live this long before the node cuts them. */
const AUTH_TIMEOUT_MS = 2000;
const PARK_EVERY_MS = 200;

/** Parks `hello` on a new connection to `port` every PARK_EVERY_MS until stopped. */
function park(targets: readonly { port: number; hello: Buffer }[]): { stop(): void } {
  const sockets: WebSocket[] = [];
  let rounds = 0;
  const timer = setInterval(() => {
    if (++rounds > 60) return; // bounded: 12 s at most
    for (const { port, hello } of targets) {
      const ws = new WebSocket(`ws://127.0.0.1:${port}${HEARTBEAT_PATH}`);
      ws.on('error', () => undefined);
      ws.once('open', () => {
        ws.send(hello);
      });
      sockets.push(ws);
    }
  }, PARK_EVERY_MS);
  return {
    stop: () => {
      clearInterval(timer);
      for (const ws of sockets) ws.terminate();
    },
  };
}

describe('heartbeat mesh with replayed hellos parked on it', () => {
  let cluster: TestCluster;
  let a: HeartbeatMesh;
  let b: HeartbeatMesh;

  before(async () => {
    cluster = await startCluster(['a', 'b'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      authTimeoutMs: AUTH_TIMEOUT_MS,
    }));
    a = cluster.node('a').mesh;
    b = cluster.node('b').mesh;
    await until(() => a.peers()[0]!.up && b.peers()[0]!.up, 'a and b up');
  });
  after(async () => {
    await cluster.stop();
  });

  it('reconnects after a cut within the usual backoff while hellos are parked', async () => {
    const helloOfA = await recordHello('a', 'b', INTERVAL_MS);
    const helloOfB = await recordHello('b', 'a', INTERVAL_MS);
    const attacker = park([
      { port: b.port(), hello: helloOfA },
      { port: a.port(), hello: helloOfB },
    ]);
    try {
      // A few parked on each node, each holding its peer's genuine hello.
      await sleep(3 * PARK_EVERY_MS);
      const downOnA = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
      const downOnB = waitForEvent(b, 'peer-down', (peer) => peer === 'a');
      for (const proxy of cluster.link('a', 'b')) proxy.cut();
      await Promise.all([downOnA, downOnB]);
      const cutAt = Date.now();
      const upOnA = waitForEvent(a, 'peer-up', (peer) => peer === 'b', 5000);
      const upOnB = waitForEvent(b, 'peer-up', (peer) => peer === 'a', 5000);
      await Promise.all([upOnA, upOnB]);
      const backAfterMs = Date.now() - cutAt;
      // The backoff caps at 2 intervals (100 ms); 1.5 s is room for a loaded machine, and
      // far below the 2 s a parked hello lives (the old code waited on each in turn).
      assert.ok(backAfterMs < 1500, `link back ${backAfterMs} ms after the cut`);
      assert.ok(
        a.stats().connectionsAccepted + b.stats().connectionsAccepted > 4,
        'hellos were parked',
      );
    } finally {
      attacker.stop();
    }
  });

  it('does not report the peer closed when a parked connection closes mid-reconnect', async () => {
    const helloOfB = await recordHello('b', 'a', INTERVAL_MS);
    // Hold both directions' new connections: a's planned redial waits, and b cannot
    // reconnect to a either, so a has no connection to b at all for a while.
    for (const proxy of cluster.link('a', 'b')) proxy.hold();
    const downs = record(a, 'peer-down');
    try {
      a.reconnect('b');
      const parked = new WebSocket(`ws://127.0.0.1:${a.port()}${HEARTBEAT_PATH}`);
      parked.on('error', () => undefined);
      await new Promise((resolve) => parked.once('open', resolve));
      parked.send(helloOfB);
      // a answers the hello (the parked connection now holds b's nonce), then the attacker
      // hangs up: that says nothing about b.
      await new Promise((resolve) => parked.once('message', resolve));
      const closed = new Promise((resolve) => parked.once('close', resolve));
      parked.terminate();
      await closed;
      await sleep(20);
      assert.deepEqual(downs.calls, [], 'a parked connection closing reported b down');
    } finally {
      for (const proxy of cluster.link('a', 'b')) proxy.release();
      downs.stop();
    }
    await until(() => a.peers()[0]!.up && b.peers()[0]!.up, 'a and b up again');
  });
});
