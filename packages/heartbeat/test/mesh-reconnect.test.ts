// reconnect(): after our own link comes back, a connection that lived through the outage
// may sit in TCP retransmission backoff and hold the peer's heartbeats for seconds. The
// proxies' strand() leaves exactly such connections behind (the path works again, the old
// connection delivers nothing); reconnect() must get the peer's heartbeats flowing within a
// few intervals, and a planned reconnect must not report the peer down on either side: it
// hangs up with CLOSE_RECONNECTING (4003), which the far end reads as "coming back".

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { createManualClock, type ManualClock } from '@vipd/clock';
import type { HeartbeatMesh } from '../src/index.js';
import { startCluster, type TestCluster } from './helpers/cluster.js';
import { heartbeatRound, record, until, waitForEvent } from './helpers/wait.js';

const INTERVAL_MS = 50;
const DOWN_MULTIPLIER = 3;
/** Far beyond the test: the mesh's own cure for a useless connection must not step in. */
const CUT_SILENT_AFTER_MS = 10_000;

// Both meshes run on one manual clock: an interval passes when the test says so, and the
// frames travel over real sockets (through the proxies) in between.
describe('heartbeat mesh reconnect()', () => {
  let cluster: TestCluster | null = null;
  let clock: ManualClock;
  afterEach(async () => {
    const stopping = cluster?.stop();
    // stop() waits for each peer to answer its close, for a grace period on the mesh's
    // clock; a stranded connection never answers.
    clock.advance(1000);
    await stopping;
    cluster = null;
  });

  async function pair(): Promise<{ cluster: TestCluster; a: HeartbeatMesh; b: HeartbeatMesh }> {
    clock = createManualClock();
    const started = await startCluster(['a', 'b'], () => ({
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      cutSilentAfterMs: CUT_SILENT_AFTER_MS,
      clock,
    }));
    cluster = started;
    const a = started.node('a').mesh;
    const b = started.node('b').mesh;
    await until(() => a.peers().every((p) => p.up) && b.peers().every((p) => p.up), 'a, b up');
    // If both dials got through, wait for the duplicate to close: a connection still closing
    // when the outage starts would only die at the heal and be redialled, and the control
    // test would see that new connection's heartbeats.
    const carried = () => started.link('a', 'b').reduce((sum, proxy) => sum + proxy.open, 0);
    await until(() => carried() === 1, 'one connection between a and b');
    return { cluster: started, a, b };
  }

  /** An outage long enough for both sides to declare silence, then a healed path. */
  async function outageLeavingStrandedConnections(c: TestCluster, a: HeartbeatMesh): Promise<void> {
    const downOnA = waitForEvent(a, 'peer-down', (peer) => peer === 'b');
    for (const proxy of c.link('a', 'b')) proxy.blackhole();
    // Past the silence deadline; nothing the peer sends meanwhile gets through.
    clock.advance((DOWN_MULTIPLIER + 1) * INTERVAL_MS);
    assert.equal((await downOnA)[1], 'silent');
    for (const proxy of c.link('a', 'b')) {
      proxy.strand();
      proxy.restore();
    }
  }

  it('without reconnect(), a stranded connection keeps the peer silent', async () => {
    const { cluster: c, a } = await pair();
    await outageLeavingStrandedConnections(c, a);
    const heard = record(a, 'heartbeat');
    const droppedTotal = () => c.link('a', 'b').reduce((sum, proxy) => sum + proxy.dropped, 0);
    for (let i = 0; i < 10; i++) {
      // Each node sends one heartbeat; both reach the stranded connection and are dropped.
      const before = droppedTotal();
      clock.advance(INTERVAL_MS);
      await until(() => droppedTotal() >= before + 2, 'both heartbeats dropped');
    }
    heard.stop();
    assert.equal(heard.calls.length, 0, 'the control: nothing gets through the old connection');
    assert.equal(a.peers()[0]?.up, false);
  });

  it("after an outage, brings the peer's heartbeats back within a few intervals", async () => {
    const { cluster: c, a, b } = await pair();
    await outageLeavingStrandedConnections(c, a);
    const downsOnA = record(a, 'peer-down');
    const fromB = waitForEvent(a, 'heartbeat', (hb) => hb.from === 'b');
    const calledAt = clock.now();
    a.reconnect('b');
    await fromB;
    // On a clock that moves only when told: no timer (backoff, tick) was needed at all.
    const afterMs = clock.now() - calledAt;
    assert.ok(afterMs < 6 * INTERVAL_MS, `b heard ${afterMs.toFixed(1)} ms after reconnect()`);
    await until(() => b.peers()[0]?.up === true, 'a up on b');
    assert.equal(a.peers()[0]?.up, true);
    assert.deepEqual(downsOnA.calls, []);
  });

  it('does not report the peer down on either side while it redials', async () => {
    const { a, b } = await pair();
    const downsOnA = record(a, 'peer-down');
    const downsOnB = record(b, 'peer-down');
    const before = a.stats().dialAttempts;
    a.reconnect();
    assert.equal(a.stats().dialAttempts, before + 1, 'dialled at once, without backoff');
    // b reads CLOSE_RECONNECTING ("coming back"), not a crash: a stays up there while its
    // new connection is dialed and proven.
    await until(() => a.peers()[0]?.direction !== null, 'a has a connection again');
    await until(() => b.peers()[0]?.direction !== null, 'b has a connection again');
    // Twice the silence deadline, heartbeats flowing both ways on the new connection.
    for (let i = 0; i < 2 * DOWN_MULTIPLIER; i++) {
      await heartbeatRound(clock, INTERVAL_MS, [
        [a, 'b'],
        [b, 'a'],
      ]);
    }
    assert.deepEqual(downsOnA.calls, [], 'a planned reconnect is not the peer dying');
    assert.deepEqual(downsOnB.calls, [], 'nor is it on the far end, which read "coming back"');
    assert.equal(a.peers()[0]?.up, true);
    assert.equal(b.peers()[0]?.up, true);
  });

  it('a peer that said "coming back" and does not is declared down at its silence deadline, not at the close', async () => {
    const { cluster: c, a, b } = await pair();
    // Every dial between them now fails (nothing listens on port 1): a cannot come back.
    for (const proxy of c.link('a', 'b')) proxy.setTarget(1);
    const downsOnB = record(b, 'peer-down');
    a.reconnect();
    await until(() => b.peers()[0]?.direction === null, 'b saw the connection close');
    assert.deepEqual(downsOnB.calls, [], 'not at the close');
    const down = waitForEvent(b, 'peer-down', (peer) => peer === 'a');
    clock.advance((DOWN_MULTIPLIER + 1) * INTERVAL_MS);
    assert.equal((await down)[1], 'silent');
  });

  it('rejects an unknown peer with a typed error', async () => {
    const { a } = await pair();
    assert.throws(
      () => {
        a.reconnect('nobody');
      },
      { name: 'HeartbeatConfigError', code: 'UNKNOWN_PEER' },
    );
  });
});
