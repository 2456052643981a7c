// The state machine's guarantees over random links (2-5 routers, IPv4 or IPv6, mixed
// priorities, intervals, preempt settings and delays) and random chaos (partitions, one-way
// blocks, loss, silent crashes, graceful shutdowns, restarts, priority changes, faults), each
// replayable from the seed fast-check prints.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { masterDownIntervalMs, skewTimeMs } from '../../src/router/timing.js';
import { firstMasterAfter, vrrpMasterIntervals } from '../../src/simulator/timeline.js';
import type { VrrpLinkSimulator } from '../../src/simulator/link-simulator.js';
import {
  candidates,
  chaosArbitrary,
  describeRun,
  linkArbitrary,
  scheduleChaos,
  settleMs,
  simulatorFor,
  stableSingleMaster,
  type LinkSpec,
} from './support.js';

const EPSILON_MS = 1e-6;

/** Runs the link from a cold start, loss-free, until it has one master, and returns it. */
function converged(link: LinkSpec, seed: number): { sim: VrrpLinkSimulator; master: string } {
  const sim = simulatorFor(link, seed);
  sim.runUntil(3000 + settleMs(link));
  const masters = sim.masters();
  assert.equal(masters.length, 1, `one master after a cold start\n${describeRun(sim)}`);
  return { sim, master: masters[0] ?? '' };
}

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('VRRP properties over random links', () => {
  it('never two masters on a loss-free link after convergence (whatever happened before)', () => {
    fc.assert(
      fc.property(linkArbitrary(), chaosArbitrary, seed, (link, chaos, s) => {
        const sim = simulatorFor(link, s);
        scheduleChaos(sim, chaos);
        const convergedByMs = chaos.endMs + settleMs(link);
        sim.runUntil(convergedByMs + 10 * 1000);
        const problems = stableSingleMaster(sim, convergedByMs);
        assert.deepEqual(problems, [], `${problems.join('\n')}\n${describeRun(sim)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('a dead master is replaced within Master_Down_Interval (+ the delivery delay), not before', () => {
    fc.assert(
      fc.property(linkArbitrary(), seed, (link, s) => {
        const { sim, master } = converged(link, s);
        const crashAtMs = sim.nowMs + 123.5;
        sim.runUntil(crashAtMs);
        const intervalCs = sim.config(master).advertIntervalCs;
        sim.crash(master);
        const best = candidates(sim)[0] ?? '';
        const downMs = masterDownIntervalMs(sim.config(best).priority, intervalCs);
        const lastAdvertMs = Math.max(
          ...sim.adverts.filter((a) => a.router === master).map((a) => a.atMs),
        );
        sim.runFor(downMs + 10 * 1000);
        const takeover = firstMasterAfter(sim.transitions, crashAtMs);
        assert.ok(takeover, `someone took over\n${describeRun(sim)}`);
        assert.ok(
          takeover.atMs <= crashAtMs + link.maxDelayMs + downMs + EPSILON_MS,
          `took over at ${takeover.atMs}ms, crash at ${crashAtMs}ms, Master_Down_Interval ${downMs}ms\n${describeRun(sim)}`,
        );
        assert.ok(
          takeover.atMs >= lastAdvertMs + downMs - EPSILON_MS,
          'not before the master is late',
        );
        assert.deepEqual(stableSingleMaster(sim, takeover.atMs + settleMs(link)), []);
      }),
      { numRuns: 200 },
    );
  });

  it('with preempt, the highest priority ends master (ties by address among masters)', () => {
    fc.assert(
      fc.property(linkArbitrary({ preempt: true }), chaosArbitrary, seed, (link, chaos, s) => {
        const sim = simulatorFor(link, s);
        scheduleChaos(sim, chaos);
        sim.runUntil(chaos.endMs + settleMs(link) + 5000);
        const masters = sim.masters();
        const best = candidates(sim);
        const top = best[0];
        const topPriority = top === undefined ? undefined : sim.router(top)?.status().priority;
        assert.equal(masters.length, best.length > 0 ? 1 : 0, describeRun(sim));
        // RFC 5798 §6.4.2: a backup follows an equal priority, so any router of the top
        // priority may hold it; among masters of equal priority the greater address won.
        for (const m of masters)
          assert.equal(sim.router(m)?.status().priority, topPriority, describeRun(sim));
      }),
      { numRuns: 200 },
    );
  });

  it('with nopreempt, a live master keeps the role through restarts and priority rises', () => {
    fc.assert(
      fc.property(
        linkArbitrary({ preempt: false, sameInterval: true, noOwner: true }),
        fc.array(
          fc.record({
            atMs: fc.integer({ min: 0, max: 10_000 }),
            router: fc.integer({ min: 0, max: 4 }),
            what: fc.constantFrom('crash', 'restart', 'rise', 'shutdown'),
          }),
          { maxLength: 15 },
        ),
        seed,
        (link, steps, s) => {
          const { sim, master } = converged(link, s);
          const fromMs = sim.nowMs;
          const others = sim.routerIds().filter((id) => id !== master);
          for (const step of steps)
            sim.at(fromMs + step.atMs, () => {
              const id = others[step.router % others.length] ?? '';
              if (step.what === 'crash') sim.crash(id);
              else if (step.what === 'shutdown') sim.shutdown(id);
              else if (step.what === 'restart') sim.restart(id);
              else sim.setPriority(id, 254);
            });
          sim.runFor(15_000);
          const intervals = vrrpMasterIntervals(sim.transitions, sim.lifecycle, sim.nowMs);
          const after = intervals.filter((i) => i.toMs > fromMs);
          assert.deepEqual(
            after.map((i) => i.router),
            [master],
            `only ${master} is master after ${fromMs}ms\n${describeRun(sim)}`,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it('priority 0 on shutdown makes the best backup master within Skew_Time (+ the delivery delay)', () => {
    fc.assert(
      fc.property(linkArbitrary({ preempt: true }), seed, (link, s) => {
        const { sim, master } = converged(link, s);
        const intervalCs = sim.config(master).advertIntervalCs;
        const shutdownAtMs = sim.nowMs + 77.25;
        sim.runUntil(shutdownAtMs);
        sim.shutdown(master);
        const best = candidates(sim)[0] ?? '';
        const topPriority = sim.router(best)?.status().priority ?? 0;
        const byMs =
          shutdownAtMs + link.maxDelayMs + skewTimeMs(topPriority, intervalCs) + EPSILON_MS;
        sim.runUntil(byMs);
        const takeover = firstMasterAfter(sim.transitions, shutdownAtMs);
        assert.ok(
          takeover && takeover.atMs <= byMs,
          `a takeover by ${byMs}ms\n${describeRun(sim)}`,
        );
        assert.ok(
          sim.masters().some((m) => sim.router(m)?.status().priority === topPriority),
          `a router of priority ${topPriority} is master at ${byMs}ms\n${describeRun(sim)}`,
        );
        sim.runFor(settleMs(link));
        assert.deepEqual(stableSingleMaster(sim, sim.nowMs - 1), []);
      }),
      { numRuns: 200 },
    );
  });
});
