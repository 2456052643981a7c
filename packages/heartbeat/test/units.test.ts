// The small pieces: address parsing, option checks, RTT/jitter estimator, backoff, and the
// silence timer's precision.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock, type ManualClock } from '@vipd/clock';
import { formatHostPort, parseHostPort } from '../src/address.js';
import { ReconnectBackoff } from '../src/backoff.js';
import { resolveOptions } from '../src/options.js';
import { preferredConnection } from '../src/peer-link.js';
import { RttEstimator } from '../src/rtt.js';
import { SILENCE_HORIZON_INTERVALS, SilenceWatch } from '../src/silence.js';
import { HeartbeatConfigError, type HeartbeatMeshOptions } from '../src/index.js';

describe('host:port parsing', () => {
  const good: [string, string, number][] = [
    ['127.0.0.1:0', '127.0.0.1', 0],
    ['10.213.0.1:7946', '10.213.0.1', 7946],
    ['[::1]:65535', '::1', 65535],
    ['[fd00:213::2]:80', 'fd00:213::2', 80],
    ['node-a.example:7946', 'node-a.example', 7946],
  ];
  for (const [text, host, port] of good) {
    it(`parses ${text}`, () => {
      assert.deepEqual(parseHostPort(text, 'listen'), { host, port });
      assert.equal(formatHostPort({ host, port }), text);
    });
  }
  for (const text of ['127.0.0.1', '::1:80', '[::1]', 'host:65536', ':80', 'a b:1', '']) {
    it(`rejects "${text}" naming the option`, () => {
      assert.throws(
        () => parseHostPort(text, 'peers[0].address'),
        (error: unknown) =>
          error instanceof HeartbeatConfigError &&
          error.code === 'INVALID_ADDRESS' &&
          error.message.includes('peers[0].address'),
      );
    });
  }
});

describe('mesh options', () => {
  const base: HeartbeatMeshOptions = {
    clusterName: 'lab',
    nodeId: 'a',
    listen: '127.0.0.1:0',
    peers: [{ id: 'b', address: '127.0.0.1:7946' }],
    key: Buffer.alloc(32, 1),
    intervalMs: 100,
    downMultiplier: 3,
  };

  it('fills in defaults derived from the interval', () => {
    const resolved = resolveOptions(base);
    assert.equal(resolved.downAfterMs, 300);
    assert.equal(resolved.authTimeoutMs, 1000);
    assert.equal(resolved.reconnectMinDelayMs, 50);
    assert.equal(resolved.reconnectMaxDelayMs, 200);
    assert.equal(resolved.sendStallTimeoutMs, 300);
    assert.equal(resolved.maxPendingConnections, 20);
  });

  const bad: [string, Partial<HeartbeatMeshOptions>, string][] = [
    ['short key', { key: Buffer.alloc(15) }, 'key'],
    ['zero interval', { intervalMs: 0 }, 'intervalMs'],
    ['downMultiplier 1', { downMultiplier: 1 }, 'downMultiplier'],
    ['self as peer', { peers: [{ id: 'a', address: '127.0.0.1:1' }] }, 'peers[0]'],
    [
      'peer listed twice',
      {
        peers: [
          { id: 'b', address: '127.0.0.1:1' },
          { id: 'b', address: '127.0.0.1:2' },
        ],
      },
      'peers[1]',
    ],
    ['empty node id', { nodeId: '' }, 'nodeId'],
    ['bad listen', { listen: 'localhost' }, 'listen'],
    ['max below min', { reconnectMinDelayMs: 50, reconnectMaxDelayMs: 10 }, 'reconnectMaxDelayMs'],
  ];
  for (const [name, patch, mentions] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(
        () => resolveOptions({ ...base, ...patch }),
        (error: unknown) =>
          error instanceof HeartbeatConfigError && error.message.includes(mentions),
      );
    });
  }
});

describe('RTT estimator', () => {
  it('starts at the first sample and smooths with gain 1/8', () => {
    const rtt = new RttEstimator();
    assert.equal(rtt.rttMs, null);
    rtt.addSample(8);
    assert.equal(rtt.rttMs, 8);
    assert.equal(rtt.jitterMs, 0);
    rtt.addSample(16);
    assert.equal(rtt.rttMs, 9);
    assert.equal(rtt.jitterMs, 0.5); // |16-8| / 16
    assert.equal(rtt.lastRttMs, 16);
  });

  it('has zero jitter for a constant RTT and ignores impossible samples', () => {
    const rtt = new RttEstimator();
    for (let i = 0; i < 50; i++) rtt.addSample(2);
    assert.equal(rtt.jitterMs, 0);
    assert.equal(rtt.addSample(-1), false);
    assert.equal(rtt.addSample(Number.NaN), false);
    assert.equal(rtt.addSample(3_600_000), false);
    assert.equal(rtt.rttMs, 2);
  });
});

describe('reconnect backoff', () => {
  it('stays within [min/2, max], grows, stays jittered at the cap, and starts over after reset', () => {
    const median = (values: number[]): number => values.sort((x, y) => x - y)[values.length >> 1]!;
    const first: number[] = [];
    const tenth: number[] = [];
    for (let run = 0; run < 200; run++) {
      const backoff = new ReconnectBackoff(10, 200);
      const delays = Array.from({ length: 10 }, () => backoff.nextDelayMs());
      for (const delay of delays) assert.ok(delay >= 5 && delay <= 200, `delay ${delay}`);
      first.push(delays[0]!);
      tenth.push(delays[9]!);
      backoff.reset();
      assert.ok(backoff.nextDelayMs() < 10, 'reset goes back to the first step');
    }
    assert.ok(median(tenth) > 4 * median(first), `${median(first)} -> ${median(tenth)}`);
    assert.ok(new Set(tenth).size > 10, 'jittered at the cap, not lockstep');
    assert.ok(Math.min(...tenth) >= 100);
  });
});

describe('silence watch', () => {
  /** An owner's interval tick, as the mesh runs it. */
  const ticking = (clock: ManualClock, watch: SilenceWatch, intervalMs: number) =>
    clock.setInterval(() => {
      watch.tick(clock.now(), SILENCE_HORIZON_INTERVALS * intervalMs);
    }, intervalMs);

  it('fires once, no earlier than downAfterMs after the last heartbeat', () => {
    const clock = createManualClock();
    const intervalMs = 10;
    const downAfterMs = 150;
    let firedAt = 0;
    let fired = 0;
    let lastHeard = 0;
    const watch = new SilenceWatch(
      downAfterMs,
      (lastHeardAtMs) => {
        fired++;
        firedAt = clock.now();
        lastHeard = lastHeardAtMs;
      },
      clock,
    );
    const ticker = ticking(clock, watch, intervalMs);
    // Heartbeats every 10 ms for 200 ms: longer than downAfterMs, and no firing.
    for (let i = 0; i < 20; i++) {
      watch.heard(clock.now());
      clock.advance(intervalMs);
    }
    assert.equal(fired, 0);
    clock.advance(downAfterMs + 300);
    clock.clearInterval(ticker);
    assert.equal(fired, 1);
    assert.ok(firedAt - lastHeard >= downAfterMs, `fired after ${firedAt - lastHeard} ms`);
    // On a clock nothing stalls, exactly at the deadline rather than at a later tick.
    assert.equal(firedAt - lastHeard, downAfterMs);
    watch.cancel();
  });

  it('arms no timer while heartbeats arrive, and one once the deadline is near', () => {
    const clock = createManualClock(1000);
    const watch = new SilenceWatch(30, () => undefined, clock);
    const heardAt = clock.now();
    watch.heard(heardAt);
    // A tick 5 ms after a heartbeat: the deadline is 25 ms away, beyond a 15 ms horizon.
    watch.tick(heardAt + 5, 15);
    assert.equal(watch.armed, false);
    // A tick 20 ms after it: 10 ms to go, within the horizon.
    watch.tick(heardAt + 20, 15);
    assert.equal(watch.armed, true);
    watch.cancel();
    assert.equal(watch.armed, false);
    assert.equal(clock.pendingTimers(), 0, 'cancel() leaves no timer behind');
  });

  it('does not fire when a heartbeat moved the deadline after the timer was armed', () => {
    const clock = createManualClock();
    let fired = false;
    const watch = new SilenceWatch(
      40,
      () => {
        fired = true;
      },
      clock,
    );
    watch.heard(clock.now());
    clock.advance(25);
    watch.tick(clock.now(), 20); // 15 ms to go: armed for this deadline
    assert.equal(watch.armed, true);
    watch.heard(clock.now()); // the deadline moves 40 ms out; no tick re-arms it in this test
    clock.advance(45);
    assert.equal(fired, false);
    assert.equal(watch.armed, false, 'the old timer ran out without firing');
    watch.cancel();
  });

  it('does nothing after cancel()', () => {
    const clock = createManualClock();
    let fired = false;
    const watch = new SilenceWatch(
      20,
      () => {
        fired = true;
      },
      clock,
    );
    const ticker = ticking(clock, watch, 10);
    watch.heard(clock.now());
    watch.cancel();
    clock.advance(50);
    clock.clearInterval(ticker);
    assert.equal(fired, false);
  });
});

describe('duplicate connection resolution', () => {
  // A connection as seen from `self`: who dialed it.
  const conn = (name: string, dialer: string) => ({ name, dialedBy: () => dialer });
  const table: [string, string, ReturnType<typeof conn>, ReturnType<typeof conn>, string][] = [
    // self, peer, current, candidate, kept ('same-dialer': PeerLink.adopt decides)
    ['a', 'b', conn('a-dialed', 'a'), conn('b-dialed', 'b'), 'a-dialed'],
    ['a', 'b', conn('b-dialed', 'b'), conn('a-dialed', 'a'), 'a-dialed'],
    ['b', 'a', conn('a-dialed', 'a'), conn('b-dialed', 'b'), 'a-dialed'],
    ['b', 'a', conn('b-dialed', 'b'), conn('a-dialed', 'a'), 'a-dialed'],
    ['b', 'a', conn('a-old', 'a'), conn('a-new', 'a'), 'same-dialer'],
    ['a', 'b', conn('b-old', 'b'), conn('b-new', 'b'), 'same-dialer'],
  ];
  const pick = (
    self: string,
    peer: string,
    current: ReturnType<typeof conn>,
    candidate: ReturnType<typeof conn>,
  ): string => {
    const preferred = preferredConnection(self, peer, current, candidate);
    if (preferred === 'same-dialer') return preferred;
    return preferred === 'current' ? current.name : candidate.name;
  };
  for (const [self, peer, current, candidate, kept] of table) {
    it(`${self} with ${current.name} then ${candidate.name} keeps ${kept}`, () => {
      assert.equal(pick(self, peer, current, candidate), kept);
    });
  }

  it('lets both ends pick the same connection whatever the order they saw them in', () => {
    const aView = [conn('a-dialed', 'a'), conn('b-dialed', 'b')] as const;
    const bView = [conn('a-dialed', 'a'), conn('b-dialed', 'b')] as const;
    const onA = pick('a', 'b', aView[1], aView[0]);
    const onB = pick('b', 'a', bView[0], bView[1]);
    assert.equal(onA, onB);
  });
});
