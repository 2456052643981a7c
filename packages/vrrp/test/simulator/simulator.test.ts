// The simulated link itself: seeded runs replay exactly, and the classic two-router stories
// (cold start, partition and heal, silent death, graceful shutdown) play out with RFC timing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { VrrpLinkSimulator } from '../../src/simulator/link-simulator.js';
import { vrrpMasterIntervals } from '../../src/simulator/timeline.js';
import type { VirtualRouterConfig } from '../../src/router/types.js';
import { masterDownIntervalMs, skewTimeMs } from '../../src/router/timing.js';

const A = '192.0.2.9';
const B = '192.0.2.10';
const C = '192.0.2.100';

function router(
  primaryAddress: string,
  priority: number,
  extra: Partial<VirtualRouterConfig> = {},
): VirtualRouterConfig {
  return {
    vrid: 51,
    priority,
    advertIntervalCs: 100,
    preempt: true,
    preemptDelayMs: 0,
    family: 4,
    primaryAddress,
    ...extra,
  };
}

function link(seed = 1, extra: Partial<VirtualRouterConfig> = {}): VrrpLinkSimulator {
  return new VrrpLinkSimulator({
    seed,
    routers: [router(A, 150, extra), router(B, 100, extra), router(C, 50, extra)],
    link: { minDelayMs: 1, maxDelayMs: 3, lossRate: 0.1 },
  });
}

/** A loss-free link of A, B, C after 10 s: A (150) is master. */
function settledLink(): VrrpLinkSimulator {
  const sim = link();
  sim.setAllLinks({ lossRate: 0 });
  sim.runUntil(10_000);
  return sim;
}

describe('VrrpLinkSimulator', () => {
  it('replays a run exactly from its seed, and another seed gives another run', () => {
    const runs = [1, 1, 2].map((seed) => {
      const sim = link(seed);
      sim.at(20_000, () => {
        sim.crash(A);
      });
      sim.at(30_000, () => {
        sim.restart(A);
      });
      sim.runUntil(40_000);
      return {
        transitions: sim.transitions,
        adverts: sim.adverts.length,
        events: sim.eventsHandled,
      };
    });
    assert.deepEqual(runs[0], runs[1]);
    assert.notDeepEqual(runs[0], runs[2]);
  });

  it('a cold start with everyone at once ends with the highest priority as master', () => {
    const sim = settledLink();
    assert.deepEqual(sim.masters(), [A]);
    assert.equal(sim.router(B)?.status().masterAddress, A);
    assert.equal(sim.router(C)?.status().masterAddress, A);
  });

  it('a partition gives each side a master; healed, the lower one steps down at the first advert it hears', () => {
    const sim = settledLink();
    sim.partition([[A], [B, C]]);
    sim.runUntil(20_000);
    assert.deepEqual(sim.masters().sort(), [A, B].sort());
    sim.heal();
    sim.runUntil(21_000 + 3);
    assert.deepEqual(sim.masters(), [A]);
    const stepDown = sim.transitions.find((t) => t.router === B && t.from === 'MASTER');
    assert.equal(stepDown?.reason, 'higher-priority');
    assert.ok(stepDown.atMs > 20_000);
  });

  it('a silent master is replaced after Master_Down_Interval of the best backup; a graceful one after its Skew_Time', () => {
    const sim = settledLink();
    sim.crash(A);
    sim.runUntil(20_000);
    const takeover = sim.transitions.find((t) => t.to === 'MASTER' && t.atMs > 10_000);
    assert.equal(takeover?.router, B);
    assert.equal(takeover.reason, 'master-down');
    const lastFromA = Math.max(...sim.adverts.filter((a) => a.router === A).map((a) => a.atMs));
    const afterMs = takeover.atMs - lastFromA;
    assert.ok(
      afterMs >= masterDownIntervalMs(100, 100) + 1 &&
        afterMs <= masterDownIntervalMs(100, 100) + 3,
      `${afterMs}ms`,
    );

    sim.shutdown(B);
    const shutdownAtMs = sim.nowMs;
    sim.runUntil(30_000);
    const next = sim.transitions.find((t) => t.to === 'MASTER' && t.atMs > shutdownAtMs);
    assert.equal(next?.router, C);
    assert.equal(next.reason, 'priority-zero');
    const waitedMs = next.atMs - shutdownAtMs;
    assert.ok(
      waitedMs >= skewTimeMs(50, 100) + 1 && waitedMs <= skewTimeMs(50, 100) + 3,
      `${waitedMs}ms`,
    );
  });

  it('records masterships, ended by transitions and by crashes', () => {
    const sim = settledLink();
    sim.crash(A);
    sim.runUntil(20_000);

    const intervals = vrrpMasterIntervals(sim.transitions, sim.lifecycle, sim.nowMs);
    assert.deepEqual(
      intervals.map((i) => [i.router, i.toMs]),
      [
        [A, 10_000],
        [B, 20_000],
      ],
    );
  });

  it('refuses two routers with one primary address', () => {
    assert.throws(
      () => new VrrpLinkSimulator({ seed: 1, routers: [router(A, 100), router(A, 50)] }),
      /two routers with primary address 192\.0\.2\.9/,
    );
  });
});
