// A crashed peer is reported 'closed' within a round trip although its datagrams were
// flowing (README "Datagram path": the probe). Its kernel closes the connection, and
// answers the probe datagram sent at once with ICMP port unreachable: nothing listens at
// its heartbeat port any more. Without that answer the close would wait 2 intervals for a
// heartbeat. Real sockets on 127.0.0.1, the peer in a child process killed with SIGKILL.

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DATAGRAM_WINDOW_INTERVALS } from '../src/liveness.js';
import {
  type PairWithChildPeer,
  startPairWithChildPeer,
  stopPairWithChildPeer,
} from './helpers/child-peer.js';
import { until, waitForEvent } from './helpers/wait.js';

// Long, so that "at once" and "after the confirm window" (2 s) cannot be confused.
const INTERVAL_MS = 1000;
const DOWN_MULTIPLIER = 5;
const TIMING = { intervalMs: INTERVAL_MS, downMultiplier: DOWN_MULTIPLIER };

describe('a peer that crashes while its datagrams flow', () => {
  let pair: PairWithChildPeer;

  before(async () => {
    pair = await startPairWithChildPeer(TIMING);
    await until(
      () => pair.a.peers().find((p) => p.id === 'b')?.path === 'both',
      'a hears b by stream and datagram',
      20_000,
      20,
    );
  });

  after(async () => {
    await stopPairWithChildPeer(pair);
  });

  it("is reported 'closed' within an interval: its port answers the probe unreachable", async () => {
    const { a, child } = pair;
    const down = waitForEvent(a, 'peer-down', (peer) => peer === 'b', 10 * INTERVAL_MS);
    const killedAtMs = performance.now();
    child.kill('SIGKILL');
    const [, reason] = await down;
    const detectedMs = performance.now() - killedAtMs;
    console.log(
      `crash detected in ${detectedMs.toFixed(1)} ms ` +
        `(confirm window without ICMP: ${DATAGRAM_WINDOW_INTERVALS * INTERVAL_MS} ms)`,
    );
    assert.equal(reason, 'closed');
    assert.ok(a.stats().datagramsRefused >= 1, 'the probe was answered port unreachable');
    assert.ok(detectedMs < INTERVAL_MS, `${detectedMs} ms: the confirm window decided, not ICMP`);
  });
});
