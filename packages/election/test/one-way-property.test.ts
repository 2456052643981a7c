// Property (2'') of README "Guarantees": without the quorum guard, a one-way cut (every pair
// of nodes keeps at least one working direction) leaves exactly one master per group once
// the down interval and the rank backoff have passed, for as long as the cut lasts, over
// random clusters. Half the runs also stall the other direction a moment after the cut, as
// TCP does when its ACKs are lost (the lab's heartbeat mesh): the presumption of README
// "One-way cuts" must then carry the single master through the silence.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ClusterSimulator } from '../src/simulator/cluster-simulator.js';
import { masterIntervals, mastersAt, type MasterInterval } from '../src/simulator/timeline.js';
import { clusterArbitrary, configsOf, downAfterMs, type ClusterSpec } from './support/schedules.js';

interface OneWayCut {
  readonly cluster: ClusterSpec;
  readonly seed: number;
  /** Node indexes whose frames to `to` are dropped; disjoint from `to`. */
  readonly from: readonly number[];
  readonly to: readonly number[];
  /** The cut, in down intervals. */
  readonly downIntervals: number;
  /** When the other direction stalls too, in intervals after the claims (null: never). */
  readonly stallAfterIntervals: number | null;
}

const cutArbitrary: fc.Arbitrary<OneWayCut> = clusterArbitrary({ quorum: false }).chain(
  (cluster) => {
    const n = cluster.nodes.length;
    return fc
      .record({
        cluster: fc.constant(cluster),
        seed: fc.integer({ min: 0, max: 0x7fffffff }),
        sides: fc.array(fc.constantFrom('from', 'to', 'neither'), { minLength: n, maxLength: n }),
        downIntervals: fc.integer({ min: 2, max: 12 }),
        stallAfterIntervals: fc.option(fc.integer({ min: 1, max: 5 })),
      })
      .filter((r) => r.sides.includes('from') && r.sides.includes('to'))
      .map((r) => ({
        cluster: r.cluster,
        seed: r.seed,
        from: indexesOf(r.sides, 'from'),
        to: indexesOf(r.sides, 'to'),
        downIntervals: r.downIntervals,
        stallAfterIntervals: r.stallAfterIntervals,
      }));
  },
);

function indexesOf(sides: readonly string[], side: string): number[] {
  return sides.flatMap((s, i) => (s === side ? [i] : []));
}

/** Groups (sync group members count once) with a node that may be master of them. */
function eligibleGroups(cluster: ClusterSpec): string[] {
  return cluster.groupNames.filter((name) => {
    const members = cluster.syncGroup.includes(name) ? cluster.syncGroup : [name];
    return cluster.nodes.some((node) => members.every((m) => (node.groups[m]?.priority ?? 0) > 0));
  });
}

interface Played {
  readonly intervals: MasterInterval[];
  readonly fromMs: number;
  readonly toMs: number;
  readonly sim: ClusterSimulator;
}

function play(cut: OneWayCut): Played {
  const { cluster } = cut;
  const ids = cluster.nodes.map((n) => n.id);
  const sim = new ClusterSimulator({
    seed: cut.seed,
    nodes: configsOf(cluster),
    link: { minDelayMs: cluster.minDelayMs, maxDelayMs: cluster.maxDelayMs },
  });
  const d = downAfterMs(cluster);
  // Converged and stable before the cut: startup, ranks, a preempt delay, a handover.
  const cutAtMs = 3 * d + 10 * cluster.intervalMs + 1000;
  const cutEndMs = cutAtMs + cut.downIntervals * d;
  const from = cut.from.map((i) => ids[i] ?? '');
  const to = cut.to.map((i) => ids[i] ?? '');
  // The claims a cut causes come at most the down interval, the rank backoff and a link
  // delay after it; the bound the property checks.
  const settledMs = d + (ids.length - 1) * cluster.intervalMs + 2 * cluster.maxDelayMs + 1;
  sim.at(cutAtMs, () => {
    sim.blockOneWay(from, to);
  });
  if (cut.stallAfterIntervals !== null)
    sim.at(cutAtMs + settledMs + cut.stallAfterIntervals * cluster.intervalMs, () => {
      sim.blockOneWay(to, from);
    });
  sim.at(cutEndMs, () => {
    sim.heal();
  });
  sim.runUntil(cutEndMs + 1);
  return {
    intervals: masterIntervals(sim.transitions, sim.lifecycle, cutEndMs + 1),
    fromMs: cutAtMs + settledMs,
    toMs: cutEndMs,
    sim,
  };
}

/** Problems: any moment of the window, outside a handover's link delay, without exactly one master. */
function checkOneMaster(cut: OneWayCut, run: Played): string[] {
  const handoverMs = cut.cluster.maxDelayMs + 1;
  const problems: string[] = [];
  for (const group of eligibleGroups(cut.cluster)) {
    const mine = run.intervals.filter((i) => i.group === group);
    const inHandover = (t: number): boolean =>
      mine.some((i) => i.fromMs <= t && t < i.fromMs + handoverMs);
    const samples = [
      run.fromMs,
      ...mine.flatMap((i) => [i.fromMs + handoverMs, i.toMs + handoverMs]),
    ].filter((t) => t >= run.fromMs && t < run.toMs && !inHandover(t));
    for (const t of samples) {
      const masters = mastersAt(run.intervals, group, t);
      if (masters.length !== 1) {
        problems.push(`group ${group}: ${masters.length} masters [${masters.join(',')}] at ${t}ms`);
        break;
      }
    }
  }
  return problems;
}

function describe_(cut: OneWayCut, run: Played): string {
  return [
    `cluster ${JSON.stringify(cut.cluster)}`,
    `from ${JSON.stringify(cut.from)} to ${JSON.stringify(cut.to)}, ${cut.downIntervals} down intervals, stall ${cut.stallAfterIntervals}`,
    `window [${run.fromMs}, ${run.toMs}]`,
    ...run.sim.transitions.map(
      (t) =>
        `  ${t.atMs.toFixed(1)} ${t.node} ${t.group} ${t.from}->${t.to} e${t.epoch} ${t.reason}: ${t.detail}`,
    ),
  ].join('\n');
}

describe("(2'') without the quorum guard, a one-way cut leaves exactly one master", () => {
  it('after the down interval + ranks + two link delays, for as long as the cut lasts', () => {
    fc.assert(
      fc.property(cutArbitrary, (cut) => {
        const run = play(cut);
        const problems = checkOneMaster(cut, run);
        assert.deepEqual(problems, [], `${problems.join('\n')}\n${describe_(cut, run)}`);
      }),
      { numRuns: 400 },
    );
  });
});
