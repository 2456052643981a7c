// A peer's silence deadline that falls due while this process is not running (starved event
// loop, frozen VM) must not declare the peer down when its heartbeats are sitting unread in
// the socket: Node runs the overdue timers before it reads (issue #17). Real sockets on
// 127.0.0.1; the peer runs in a child process so it keeps sending while this one is blocked.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  type PairWithChildPeer,
  startPairWithChildPeer,
  stopPairWithChildPeer,
} from './helpers/child-peer.js';
import { record } from './helpers/wait.js';

// Long enough that this shared, loaded machine hits the windows below by a wide margin.
const INTERVAL_MS = 200;
const DOWN_MULTIPLIER = 10;
const DOWN_AFTER_MS = INTERVAL_MS * DOWN_MULTIPLIER;
/** Silence after which the deadline timer is surely armed (the watch arms it 1.5 intervals ahead). */
const ARMED_AFTER_MS = DOWN_AFTER_MS - INTERVAL_MS / 2;
/** Blocked this long, this process wakes with its deadline ~1 s overdue and frames queued. */
const BLOCKED_MS = DOWN_AFTER_MS / 2 + INTERVAL_MS * 3;

/** The mesh's time scale (PeerStatus.lastHeartbeatAtMs): epoch ms, monotonic. */
const epochNowMs = (): number => performance.timeOrigin + performance.now();

function busyWait(ms: number): void {
  const endMs = performance.now() + ms;
  while (performance.now() < endMs) {
    // the whole point: this process runs nothing else meanwhile
  }
}

async function sleepUntil(condition: () => boolean, what: string): Promise<void> {
  const giveUpAtMs = performance.now() + 10 * DOWN_AFTER_MS;
  while (!condition()) {
    assert.ok(performance.now() < giveUpAtMs, `timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('a silence deadline overdue because this process was blocked', () => {
  let pair: PairWithChildPeer;

  before(async () => {
    pair = await startPairWithChildPeer({
      intervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
    });
    await pair.up;
  });

  after(async () => {
    await stopPairWithChildPeer(pair);
  });

  it('reads the heartbeats queued meanwhile before judging the peer: no peer-down', async () => {
    const { a, child } = pair;
    const downs = record(a, 'peer-down');
    const lastHeard = (): number => a.peers().find((p) => p.id === 'b')?.lastHeartbeatAtMs ?? 0;
    // b falls silent (stopped) until a has armed its deadline timer...
    process.kill(child.pid ?? 0, 'SIGSTOP');
    await sleepUntil(() => epochNowMs() - lastHeard() >= ARMED_AFTER_MS, 'the deadline is armed');
    // ...then sends again while a cannot run: its frames wait in a's socket while a's
    // timer falls due, so on waking a has both an overdue deadline and unread heartbeats.
    process.kill(child.pid ?? 0, 'SIGCONT');
    const heardBeforeMs = lastHeard();
    busyWait(BLOCKED_MS);
    await sleepUntil(() => lastHeard() > heardBeforeMs, 'b is heard again');
    await new Promise((resolve) => setTimeout(resolve, 2 * INTERVAL_MS));
    downs.stop();
    assert.deepEqual(downs.calls, [], 'b was declared down although its heartbeats were queued');
    assert.equal(a.peers().find((p) => p.id === 'b')?.up, true);
  });
});
