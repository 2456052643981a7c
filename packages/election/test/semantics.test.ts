// Property (4): preempt, nopreempt, preempt delay, priority 0 and 255, forced takeover,
// maintenance, resign and release behave as packages/election/README.md's tables say, over
// random clusters (2-5 nodes, random priorities, ids, link delays, quorum on or off).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ClusterSimulator } from '../src/simulator/cluster-simulator.js';
import { masterIntervals, mastersAt } from '../src/simulator/timeline.js';
import type { ElectionConfig, GroupConfig } from '../src/types.js';

const INTERVAL_MS = 100;

interface Member {
  readonly id: string;
  readonly priority: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
}

interface Cluster {
  readonly members: readonly Member[];
  readonly downMultiplier: number;
  readonly quorum: boolean;
  readonly maxDelayMs: number;
  readonly seed: number;
}

/** Random members with distinct priorities in 1-254, sorted best first. */
const clusterArb = (size: { min: number; max: number }): fc.Arbitrary<Cluster> =>
  fc.record({
    members: fc
      .uniqueArray(fc.integer({ min: 1, max: 254 }), { minLength: size.min, maxLength: size.max })
      .chain((priorities) =>
        fc.tuple(
          fc.constant(priorities),
          fc.shuffledSubarray(['a', 'b', 'c', 'd', 'e', 'f'], {
            minLength: priorities.length,
            maxLength: priorities.length,
          }),
          fc.array(fc.boolean(), { minLength: priorities.length, maxLength: priorities.length }),
          fc.array(fc.constantFrom(0, 0, 120, 350), {
            minLength: priorities.length,
            maxLength: priorities.length,
          }),
        ),
      )
      .map(([priorities, ids, preempts, delays]) =>
        priorities
          .map((priority, i) => ({
            id: ids[i] ?? `n${i}`,
            priority,
            preempt: preempts[i] ?? true,
            preemptDelayMs: delays[i] ?? 0,
          }))
          .sort((x, y) => y.priority - x.priority),
      ),
    downMultiplier: fc.integer({ min: 2, max: 4 }),
    quorum: fc.boolean(),
    maxDelayMs: fc.integer({ min: 1, max: 20 }),
    seed: fc.integer({ min: 0, max: 1_000_000 }),
  });

function configs(
  cluster: Cluster,
  override: (m: Member) => Partial<GroupConfig> = () => ({}),
): ElectionConfig[] {
  const ids = cluster.members.map((m) => m.id);
  return cluster.members.map((m) => ({
    nodeId: m.id,
    peers: ids.filter((id) => id !== m.id),
    heartbeatIntervalMs: INTERVAL_MS,
    downMultiplier: cluster.downMultiplier,
    quorum: cluster.quorum,
    groups: [
      {
        name: 'web',
        priority: m.priority,
        preempt: m.preempt,
        preemptDelayMs: m.preemptDelayMs,
        ...override(m),
      },
    ],
  }));
}

function simulate(
  cluster: Cluster,
  nodes: ElectionConfig[],
  startAtMs: Record<string, number> = {},
): ClusterSimulator {
  return new ClusterSimulator({
    seed: cluster.seed,
    nodes,
    link: { minDelayMs: 0, maxDelayMs: cluster.maxDelayMs },
    startAtMs,
  });
}

function downAfter(cluster: Cluster): number {
  return cluster.downMultiplier * INTERVAL_MS;
}

/** The single master of web at the end, asserting there is exactly one. */
function soleMaster(sim: ClusterSimulator): string {
  const masters = sim.masters('web');
  assert.equal(masters.length, 1, `expected one master, got [${masters.join(',')}]`);
  return masters[0] ?? '';
}

function masterSince(sim: ClusterSimulator, node: string): number | undefined {
  return sim.transitions.filter((t) => t.node === node && t.to === 'MASTER').at(-1)?.atMs;
}

function transitionsAfter(sim: ClusterSimulator, atMs: number): number {
  return sim.transitions.filter((t) => t.atMs > atMs).length;
}

/** Started first, alone long enough to be master; the others join at `joinAtMs`. */
function incumbentScenario(cluster: Cluster, incumbent: Member, nodes = configs(cluster)) {
  // Alone, an incumbent could never have a quorum: these scenarios run without the guard.
  nodes = nodes.map((n) => ({ ...n, quorum: false }));
  const joinAtMs = downAfter(cluster) + 5 * INTERVAL_MS;
  const startAtMs = Object.fromEntries(
    cluster.members.map((m) => [m.id, m.id === incumbent.id ? 0 : joinAtMs]),
  );
  return { sim: simulate(cluster, nodes, startAtMs), joinAtMs };
}

const RUNS = 100;

describe('README tables over random clusters', () => {
  it('preempt (on by default): the best node ends up master whatever the start order', () => {
    fc.assert(
      fc.property(
        clusterArb({ min: 2, max: 5 }),
        fc.array(fc.integer({ min: 0, max: 600 }), { minLength: 5, maxLength: 5 }),
        (cluster, starts) => {
          const nodes = configs(cluster, () => ({ preempt: true }));
          const sim = simulate(
            cluster,
            nodes,
            Object.fromEntries(cluster.members.map((m, i) => [m.id, starts[i] ?? 0])),
          );
          sim.runUntil(3000);
          assert.equal(soleMaster(sim), cluster.members[0]?.id);
          const settledAt = sim.nowMs;
          sim.runUntil(6000);
          assert.equal(transitionsAfter(sim, settledAt), 0, 'no transition once settled');
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('nopreempt: a better node joining later never takes a live master', () => {
    fc.assert(
      fc.property(clusterArb({ min: 2, max: 5 }), fc.nat(), (cluster, pick) => {
        const incumbent = cluster.members[pick % cluster.members.length] as Member;
        const { sim, joinAtMs } = incumbentScenario(
          cluster,
          incumbent,
          configs(cluster, () => ({ preempt: false })),
        );
        sim.runUntil(joinAtMs);
        assert.equal(soleMaster(sim), incumbent.id);
        sim.runUntil(joinAtMs + 5000);
        assert.equal(soleMaster(sim), incumbent.id);
      }),
      { numRuns: RUNS },
    );
  });

  it('preempt delay: the best joiner preempts no sooner than its delay, and not much later', () => {
    fc.assert(
      fc.property(
        clusterArb({ min: 2, max: 4 }),
        fc.constantFrom(0, 150, 400),
        (cluster, delayMs) => {
          const [best, ...rest] = cluster.members;
          const incumbent = rest.at(-1);
          if (best === undefined || incumbent === undefined) return;
          const nodes = configs(cluster, (m) =>
            m.id === best.id ? { preempt: true, preemptDelayMs: delayMs } : { preempt: false },
          );
          const { sim, joinAtMs } = incumbentScenario(cluster, incumbent, nodes);
          sim.runUntil(
            joinAtMs + delayMs + downAfter(cluster) + 2 * INTERVAL_MS + 2 * cluster.maxDelayMs,
          );
          assert.equal(soleMaster(sim), best.id);
          const at = masterSince(sim, best.id) ?? Number.NaN;
          // It waits its delay after it first could preempt: after hearing the master, at the
          // earliest one link delay after joining; at the latest after listening downAfterMs.
          assert.ok(
            at >= joinAtMs + delayMs,
            `preempted at ${at}, before join ${joinAtMs} + delay ${delayMs}`,
          );
          assert.ok(
            at <=
              joinAtMs +
                Math.max(downAfter(cluster), INTERVAL_MS + cluster.maxDelayMs + delayMs) +
                cluster.maxDelayMs,
            `preempted at ${at}, too late`,
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('priority 255 (owner) takes over at once, even with preempt off', () => {
    fc.assert(
      fc.property(clusterArb({ min: 2, max: 5 }), fc.nat(), (cluster, pick) => {
        const owner = cluster.members[pick % cluster.members.length] as Member;
        const incumbent = cluster.members.find((m) => m.id !== owner.id) as Member;
        const nodes = configs(cluster, (m) =>
          m.id === owner.id ? { priority: 255, preempt: false, preemptDelayMs: 400 } : {},
        );
        const { sim, joinAtMs } = incumbentScenario(cluster, incumbent, nodes);
        sim.runUntil(joinAtMs + 2000);
        assert.equal(soleMaster(sim), owner.id);
        const at = masterSince(sim, owner.id) ?? Number.NaN;
        assert.ok(
          at <= joinAtMs + INTERVAL_MS + cluster.maxDelayMs,
          `owner master at ${at}, joined ${joinAtMs}`,
        );
      }),
      { numRuns: RUNS },
    );
  });

  it('priority 0 is never master, even when it is the only node left', () => {
    fc.assert(
      fc.property(clusterArb({ min: 2, max: 5 }), fc.nat(), (cluster, pick) => {
        const zero = cluster.members[pick % cluster.members.length] as Member;
        const sim = simulate(
          cluster,
          configs(cluster, (m) => (m.id === zero.id ? { priority: 0 } : {})),
        );
        sim.runUntil(2000);
        for (const m of cluster.members) if (m.id !== zero.id) sim.crash(m.id);
        sim.runUntil(5000);
        assert.deepEqual(sim.masters('web'), []);
        assert.ok(!sim.transitions.some((t) => t.node === zero.id && t.to === 'MASTER'));
      }),
      { numRuns: RUNS },
    );
  });

  it('forced takeover: master at once at a new epoch, accepted by the old master, never preempted', () => {
    fc.assert(
      fc.property(clusterArb({ min: 2, max: 5 }), fc.nat(), (cluster, pick) => {
        const sim = simulate(
          cluster,
          configs(cluster, () => ({ preempt: true, preemptDelayMs: 0 })),
        );
        sim.runUntil(2000);
        const before = soleMaster(sim);
        const chosen = cluster.members.filter((m) => m.id !== before)[
          pick % (cluster.members.length - 1)
        ] as Member;
        const result = sim.command(chosen.id, { command: 'takeover', group: 'web' });
        assert.equal(result?.ok, true, result?.message);
        const epochBefore = sim.transitions
          .filter((t) => t.to === 'MASTER')
          .reduce((e, t) => Math.max(e, t.epoch), 0);
        assert.equal(masterSince(sim, chosen.id), 2000);
        sim.runUntil(2000 + cluster.maxDelayMs + 1);
        assert.equal(soleMaster(sim), chosen.id);
        const claim = sim.transitions.find(
          (t) => t.node === chosen.id && t.reason === 'forced-takeover',
        );
        assert.equal(claim?.epoch, epochBefore);
        assert.ok(
          sim.transitions.some((t) => t.node === before && t.reason === 'higher-master-seen'),
        );
        sim.runUntil(8000);
        assert.equal(soleMaster(sim), chosen.id, 'nobody preempts a forced master');
      }),
      { numRuns: RUNS },
    );
  });

  for (const command of ['maintenance', 'resign', 'release'] as const) {
    it(`${command} on the master: the best other node takes over within one link delay`, () => {
      fc.assert(
        fc.property(clusterArb({ min: 3, max: 5 }), (cluster) => {
          const sim = simulate(cluster, configs(cluster));
          sim.runUntil(2000);
          const master = soleMaster(sim);
          const operator =
            command === 'maintenance'
              ? { command, enabled: true }
              : command === 'resign'
                ? { command }
                : { command, group: 'web' };
          assert.equal(sim.command(master, operator)?.ok, true);
          sim.runUntil(2000 + cluster.maxDelayMs + 1);
          const next = soleMaster(sim);
          assert.notEqual(next, master);
          const best = cluster.members.find((m) => m.id !== master);
          assert.equal(next, best?.id, 'the best remaining node, not any node');
          sim.runUntil(8000);
          // Drained, resigned or released: it does not come back while the other lives.
          assert.equal(soleMaster(sim), next);
          const intervals = masterIntervals(sim.transitions, sim.lifecycle, sim.nowMs);
          assert.deepEqual(mastersAt(intervals, 'web', 7999), [next]);
          if (command === 'maintenance') assert.equal(sim.state(master, 'web'), 'MAINTENANCE');
        }),
        { numRuns: RUNS / 2 },
      );
    });
  }

  it('quorum guard: a minority side holds no master once downMultiplier x interval has passed', () => {
    fc.assert(
      fc.property(clusterArb({ min: 3, max: 5 }), fc.nat(), (cluster, split) => {
        const withQuorum = { ...cluster, quorum: true };
        const sim = simulate(withQuorum, configs(withQuorum));
        sim.runUntil(2000);
        const ids = cluster.members.map((m) => m.id);
        // A minority: fewer than half the voters (so the other side has a majority).
        const cut = 1 + (split % (Math.ceil(ids.length / 2) - 1));
        const minority = ids.slice(0, cut);
        sim.partition([minority, ids.slice(cut)]);
        sim.runUntil(2000 + downAfter(cluster) + cluster.maxDelayMs + 1);
        // From here on, sampled every 50ms for 2s: never a master in the minority.
        const from = sim.nowMs;
        sim.runUntil(from + 2000);
        const intervals = masterIntervals(sim.transitions, sim.lifecycle, sim.nowMs);
        for (let t = from; t < from + 2000; t += 50)
          for (const node of minority)
            assert.ok(
              !mastersAt(intervals, 'web', t).includes(node),
              `${node} master in a minority at ${t}`,
            );
        assert.equal(
          mastersAt(intervals, 'web', sim.nowMs - 1).length,
          1,
          'the majority side has a master',
        );
      }),
      { numRuns: RUNS },
    );
  });
});
