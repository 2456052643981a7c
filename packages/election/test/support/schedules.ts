// Random cluster shapes and chaos schedules (fast-check arbitraries), a runner that plays a
// schedule on the ClusterSimulator, and the checks of the README's guarantees (1)-(3). Shared
// by the property tests (normal run) and the fuzz campaign (bench/fuzz.ts).
import fc from 'fast-check';
import { ClusterSimulator } from '../../src/simulator/cluster-simulator.js';
import {
  longestMutuallyReliableMs,
  masterIntervals,
  masterOverlaps,
  mastersAt,
  type MasterInterval,
} from '../../src/simulator/timeline.js';
import type { ElectionConfig, GroupConfig, OperatorCommand } from '../../src/types.js';

export interface GroupSpec {
  readonly priority: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
}

export interface NodeSpec {
  readonly id: string;
  /** Per group name; a witness has none. */
  readonly groups: Readonly<Record<string, GroupSpec>>;
}

export interface ClusterSpec {
  readonly nodes: readonly NodeSpec[];
  readonly groupNames: readonly string[];
  /** Groups tied in one sync group, the same on every node. */
  readonly syncGroup: readonly string[];
  readonly intervalMs: number;
  readonly downMultiplier: number;
  readonly quorum: boolean;
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
}

export type Disturbance =
  | { readonly kind: 'partition'; readonly sides: readonly number[] }
  | { readonly kind: 'one-way'; readonly from: readonly number[]; readonly to: readonly number[] }
  | { readonly kind: 'block-link'; readonly from: number; readonly to: number }
  | { readonly kind: 'heal' }
  | { readonly kind: 'loss'; readonly from: number; readonly to: number; readonly rate: number }
  | { readonly kind: 'crash'; readonly node: number; readonly how: 'process' | 'host' }
  | { readonly kind: 'restart'; readonly node: number }
  | { readonly kind: 'cut'; readonly a: number; readonly b: number }
  | {
      readonly kind: 'tracker';
      readonly node: number;
      readonly group: number;
      readonly weight: number;
      readonly fault: boolean;
    }
  | { readonly kind: 'command'; readonly node: number; readonly command: CommandSpec };

export type CommandSpec =
  | { readonly command: 'takeover' | 'release'; readonly group: number }
  | { readonly command: 'maintenance'; readonly enabled: boolean }
  | { readonly command: 'resign' };

export interface TimedDisturbance {
  readonly atMs: number;
  readonly what: Disturbance;
}

export interface Schedule {
  readonly seed: number;
  readonly cluster: ClusterSpec;
  readonly startAtMs: readonly number[];
  readonly disturbances: readonly TimedDisturbance[];
  /** After this, everything heals: links, loss, crashed nodes restart. */
  readonly chaosEndMs: number;
}

// ---- arbitraries ----

const PRIORITIES = [0, 1, 50, 100, 100, 150, 150, 200, 254, 255];

const groupSpec: fc.Arbitrary<GroupSpec> = fc.record({
  priority: fc.constantFrom(...PRIORITIES),
  preempt: fc.boolean(),
  preemptDelayMs: fc.constantFrom(0, 0, 0, 150, 400),
});

export interface ClusterOptions {
  readonly quorum?: boolean;
  readonly minNodes?: number;
  readonly maxNodes?: number;
}

const NODE_IDS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

export function clusterArbitrary(options: ClusterOptions = {}): fc.Arbitrary<ClusterSpec> {
  const slots = Math.max(5, Math.min(options.maxNodes ?? 5, NODE_IDS.length - 2));
  return fc
    .record({
      nodeCount: fc.integer({ min: options.minNodes ?? 2, max: options.maxNodes ?? 5 }),
      groupCount: fc.integer({ min: 1, max: 3 }),
      witness: fc.boolean(),
      sync: fc.boolean(),
      intervalMs: fc.constantFrom(50, 100),
      downMultiplier: fc.integer({ min: 2, max: 4 }),
      quorum: options.quorum === undefined ? fc.boolean() : fc.constant(options.quorum),
      minDelayMs: fc.integer({ min: 0, max: 3 }),
      delaySpreadPercent: fc.integer({ min: 0, max: 25 }),
      // Sized by the largest cluster; at the default (5) exactly as when the regression
      // seeds were found, so they still name the same schedules.
      specs: fc.array(fc.array(groupSpec, { minLength: 3, maxLength: 3 }), {
        minLength: slots,
        maxLength: slots,
      }),
      ids: fc.shuffledSubarray(NODE_IDS.slice(0, slots + 2), {
        minLength: slots,
        maxLength: slots,
      }),
    })
    .map((r) => {
      const groupNames = ['web', 'db', 'mail'].slice(0, r.groupCount);
      // Keep a witness only when it leaves at least one node holding groups.
      const witnessIndex = r.witness && r.nodeCount > 2 ? r.nodeCount - 1 : -1;
      const nodes: NodeSpec[] = Array.from({ length: r.nodeCount }, (_, i) => ({
        id: r.ids[i] ?? `n${i}`,
        groups:
          i === witnessIndex
            ? {}
            : Object.fromEntries(groupNames.map((g, j) => [g, r.specs[i]?.[j] ?? DEFAULT_SPEC])),
      }));
      return {
        nodes,
        groupNames,
        syncGroup: r.sync && groupNames.length > 1 ? groupNames.slice(0, 2) : [],
        intervalMs: r.intervalMs,
        downMultiplier: r.downMultiplier,
        quorum: r.quorum,
        minDelayMs: r.minDelayMs,
        // The guarantees assume one-way delay <= interval/4 (README, "Timing assumptions").
        maxDelayMs: Math.min(
          r.minDelayMs + (r.intervalMs * r.delaySpreadPercent) / 100,
          r.intervalMs / 4,
        ),
      };
    });
}

const DEFAULT_SPEC: GroupSpec = { priority: 100, preempt: true, preemptDelayMs: 0 };

function disturbanceArbitrary(nodeCount: number, groupCount: number): fc.Arbitrary<Disturbance> {
  const node = fc.integer({ min: 0, max: nodeCount - 1 });
  const group = fc.integer({ min: 0, max: groupCount - 1 });
  const nodeSet = fc.uniqueArray(node, { minLength: 1, maxLength: nodeCount });
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('partition' as const),
        sides: fc.array(fc.integer({ min: 0, max: 2 }), {
          minLength: nodeCount,
          maxLength: nodeCount,
        }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('one-way' as const), from: nodeSet, to: nodeSet }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('block-link' as const), from: node, to: node }),
    },
    { weight: 2, arbitrary: fc.constant({ kind: 'heal' as const }) },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('loss' as const),
        from: node,
        to: node,
        rate: fc.constantFrom(0, 0.1, 0.3, 0.7),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('crash' as const),
        node,
        how: fc.constantFrom('process' as const, 'host' as const),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('restart' as const), node }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('cut' as const), a: node, b: node }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('tracker' as const),
        node,
        group,
        weight: fc.constantFrom(0, -30, -120),
        fault: fc.boolean(),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('command' as const),
        node,
        command: fc.oneof(
          fc.record({ command: fc.constantFrom('takeover' as const, 'release' as const), group }),
          fc.record({ command: fc.constant('maintenance' as const), enabled: fc.boolean() }),
          fc.constant({ command: 'resign' as const }),
        ),
      }),
    },
  );
}

export interface ScheduleOptions extends ClusterOptions {
  readonly maxDisturbances?: number;
  /** Length of the chaos phase in heartbeat intervals (default 30). */
  readonly chaosIntervals?: number;
}

export function scheduleArbitrary(options: ScheduleOptions = {}): fc.Arbitrary<Schedule> {
  return clusterArbitrary(options).chain((cluster) => {
    const n = cluster.nodes.length;
    const chaosIntervals = options.chaosIntervals ?? 30;
    const chaosEndMs = chaosIntervals * cluster.intervalMs;
    return fc.record({
      seed: fc.integer({ min: 0, max: 0x7fffffff }),
      cluster: fc.constant(cluster),
      startAtMs: fc.array(fc.integer({ min: 0, max: 4 * cluster.intervalMs }), {
        minLength: n,
        maxLength: n,
      }),
      disturbances: fc
        .array(
          fc.record({
            atMs: fc.integer({ min: 0, max: chaosEndMs }),
            what: disturbanceArbitrary(n, cluster.groupNames.length),
          }),
          { maxLength: options.maxDisturbances ?? 8 },
        )
        .map((list) => [...list].sort((a, b) => a.atMs - b.atMs)),
      chaosEndMs: fc.constant(chaosEndMs),
    });
  });
}

// ---- running ----

export function configsOf(cluster: ClusterSpec): ElectionConfig[] {
  const ids = cluster.nodes.map((n) => n.id);
  return cluster.nodes.map((node) => ({
    nodeId: node.id,
    peers: ids.filter((id) => id !== node.id),
    heartbeatIntervalMs: cluster.intervalMs,
    downMultiplier: cluster.downMultiplier,
    quorum: cluster.quorum,
    groups: Object.entries(node.groups).map(([name, spec]): GroupConfig => ({
      name,
      priority: spec.priority,
      preempt: spec.preempt,
      preemptDelayMs: spec.preemptDelayMs,
      ...(cluster.syncGroup.includes(name) ? { syncGroup: 'pair' } : {}),
    })),
  }));
}

export function downAfterMs(cluster: ClusterSpec): number {
  return cluster.intervalMs * cluster.downMultiplier;
}

export interface PlayedRun {
  readonly schedule: Schedule;
  readonly sim: ClusterSimulator;
  readonly endMs: number;
  /** From here on, every group with an eligible node must have exactly one master. */
  readonly convergedByMs: number;
  /** From here on, nothing may change any more. */
  readonly stableFromMs: number;
  readonly intervals: MasterInterval[];
}

/** Plays the schedule, then heals everything and runs long enough to judge convergence. */
export function play(schedule: Schedule): PlayedRun {
  const { cluster } = schedule;
  const ids = cluster.nodes.map((n) => n.id);
  const sim = new ClusterSimulator({
    seed: schedule.seed,
    nodes: configsOf(cluster),
    link: { minDelayMs: cluster.minDelayMs, maxDelayMs: cluster.maxDelayMs, lossRate: 0 },
    startAtMs: Object.fromEntries(ids.map((id, i) => [id, schedule.startAtMs[i] ?? 0])),
  });
  const id = (i: number): string => ids[i % ids.length] ?? '';
  const groupName = (i: number): string => cluster.groupNames[i % cluster.groupNames.length] ?? '';
  for (const { atMs, what } of schedule.disturbances)
    sim.at(atMs, () => {
      disturb(sim, what, id, groupName);
    });

  const d = downAfterMs(cluster);
  const maxDelay = Math.max(
    ...cluster.nodes.flatMap((n) => Object.values(n.groups).map((g) => g.preemptDelayMs)),
    0,
  );
  const healAt = schedule.chaosEndMs;
  sim.at(healAt, () => {
    sim.heal();
    sim.setAllLinks({ lossRate: 0 });
    for (const node of ids) sim.restart(node);
  });
  // After the heal: heartbeats need an interval and two delays to re-establish hearing (and
  // quorum); a restarted node listens up to downAfterMs; an epoch seen out of sight holds
  // claims for downAfterMs; then rank k waits k intervals.
  const ranks = cluster.nodes.length - 1;
  const convergedByMs =
    healAt + d + (ranks + 1) * cluster.intervalMs + 4 * cluster.maxDelayMs + cluster.intervalMs;
  // Then at most one preemption (after its delay) or the end of a release hand-over.
  const stableFromMs = convergedByMs + maxDelay + d + 2 * cluster.intervalMs;
  const endMs = stableFromMs + 30 * cluster.intervalMs;
  sim.runUntil(endMs);
  return {
    schedule,
    sim,
    endMs,
    convergedByMs,
    stableFromMs,
    intervals: masterIntervals(sim.transitions, sim.lifecycle, endMs),
  };
}

function disturb(
  sim: ClusterSimulator,
  what: Disturbance,
  id: (i: number) => string,
  group: (i: number) => string,
): void {
  const ids = sim.nodeIds();
  switch (what.kind) {
    case 'partition': {
      const sides: string[][] = [[], [], []];
      what.sides.forEach((side, i) => sides[side]?.push(id(i)));
      sim.partition(sides);
      return;
    }
    case 'one-way':
      sim.blockOneWay(what.from.map(id), what.to.map(id));
      return;
    case 'block-link':
      if (what.from !== what.to) sim.setBlocked(id(what.from), id(what.to), true);
      return;
    case 'heal':
      sim.heal();
      return;
    case 'loss':
      if (what.from !== what.to) sim.setLink(id(what.from), id(what.to), { lossRate: what.rate });
      return;
    case 'crash':
      sim.crash(id(what.node), what.how);
      return;
    case 'restart':
      sim.restart(id(what.node));
      return;
    case 'cut':
      if (what.a !== what.b && ids.length > 1) sim.cutConnection(id(what.a), id(what.b));
      return;
    case 'tracker':
      sim.tracker(id(what.node), 'chaos', group(what.group), what.weight, what.fault);
      return;
    case 'command':
      sim.command(id(what.node), toCommand(what.command, group));
      return;
  }
}

function toCommand(spec: CommandSpec, group: (i: number) => string): OperatorCommand {
  switch (spec.command) {
    case 'takeover':
    case 'release':
      return { command: spec.command, group: group(spec.group) };
    case 'maintenance':
      return { command: 'maintenance', enabled: spec.enabled };
    case 'resign':
      return { command: 'resign' };
  }
}

// ---- the properties ----

/** Nodes that could be master of the group at the end of the run. */
export function eligibleAtEnd(run: PlayedRun, group: string): string[] {
  return run.sim.nodeIds().filter((id) => {
    const election = run.sim.election(id);
    if (election === null) return false;
    const status = election.status();
    // Members of a sync group fail over together: eligible only if eligible for all of them.
    const members = run.schedule.cluster.syncGroup.includes(group)
      ? run.schedule.cluster.syncGroup
      : [group];
    const states = status.groups.filter((x) => members.includes(x.name));
    if (states.length !== members.length || status.maintenance || resigned(run, id)) return false;
    return states.every(
      (g) => g.state !== 'FAULT' && g.state !== 'MAINTENANCE' && g.weightedPriority > 0,
    );
  });
}

function resigned(run: PlayedRun, id: string): boolean {
  // A resign lasts for the process's life; a restart after it clears it.
  const events = [
    ...run.sim.lifecycle
      .filter((l) => l.node === id && l.kind !== 'crash')
      .map((l) => ({ order: l.order, resign: false })),
    ...run.sim.commandResults
      .filter((c) => c.node === id && c.command.command === 'resign' && c.ok)
      .map((c) => ({ order: c.order, resign: true })),
  ].sort((a, b) => a.order - b.order);
  return events.at(-1)?.resign ?? false;
}

/**
 * (1) Convergence and (3) no flapping: from convergedByMs on, each group has exactly one
 * master when an eligible node exists (none otherwise), and after stableFromMs no node makes
 * any transition at all.
 */
export function checkConvergence(run: PlayedRun): string[] {
  const problems: string[] = [];
  for (const group of run.schedule.cluster.groupNames) {
    const eligible = eligibleAtEnd(run, group);
    const expected = eligible.length > 0 ? 1 : 0;
    // A planned handover (preemption, takeover) has the new master announce first and the
    // old one step down when it hears it: one link delay with two masters, by design. So
    // the count is taken just after each change, once that delay has passed.
    const handoverMs = run.schedule.cluster.maxDelayMs + 1;
    const mine = run.intervals.filter((i) => i.group === group);
    const inHandover = (t: number): boolean =>
      mine.some((i) => i.fromMs <= t && t < i.fromMs + handoverMs);
    const samples = [
      run.convergedByMs,
      ...mine.flatMap((i) => [i.fromMs + handoverMs, i.toMs + handoverMs]),
    ].filter((t) => t >= run.convergedByMs && t < run.endMs && !inHandover(t));
    for (const t of samples) {
      const masters = mastersAt(run.intervals, group, t);
      if (masters.length !== expected) {
        problems.push(
          `group ${group}: ${masters.length} master(s) [${masters.join(',')}] at ${t.toFixed(1)}ms, expected ${expected} (eligible: ${eligible.join(',') || 'none'}) after convergence deadline ${run.convergedByMs}ms`,
        );
        break;
      }
    }
    if (expected === 1) {
      const master = mastersAt(run.intervals, group, run.endMs - 1)[0];
      if (master !== undefined && !eligible.includes(master))
        problems.push(`group ${group}: final master ${master} is not eligible`);
    }
  }
  const late = run.sim.transitions.filter((t) => t.atMs >= run.stableFromMs);
  if (late.length > 0) {
    const first = late[0];
    problems.push(
      `${late.length} transition(s) after the cluster was stable at ${run.stableFromMs}ms, first: ${first?.node} ${first?.group} ${first?.from}->${first?.to} (${first?.reason}) at ${first?.atMs.toFixed(1)}ms: ${first?.detail}`,
    );
  }
  return problems;
}

/** (2) with the quorum guard: no two masters of one group overlap longer than downMultiplier x interval. */
export function checkQuorumOverlap(run: PlayedRun): string[] {
  const limit = downAfterMs(run.schedule.cluster);
  return masterOverlaps(run.intervals)
    .filter((o) => o.toMs - o.fromMs > limit)
    .map(
      (o) =>
        `group ${o.group}: ${o.a.node} (epoch ${o.a.epoch}) and ${o.b.node} (epoch ${o.b.epoch}) both master for ${(o.toMs - o.fromMs).toFixed(1)}ms [${o.fromMs.toFixed(1)}, ${o.toMs.toFixed(1)}] > ${limit}ms`,
    );
}

/**
 * (2) without the quorum guard: two masters overlap only while they cannot hear each other.
 * Once both directions are reliable, the loser hears the winner within an interval and the
 * link delay (and a re-claim needs one more delay).
 */
export function checkSplitBrainOnlyWhilePartitioned(run: PlayedRun): string[] {
  const { cluster } = run.schedule;
  const limit = cluster.intervalMs + 3 * cluster.maxDelayMs + 1;
  const problems: string[] = [];
  for (const o of masterOverlaps(run.intervals)) {
    const together = longestMutuallyReliableMs(
      run.sim.network.changes,
      o.a.node,
      o.b.node,
      o.fromMs,
      o.toMs,
    );
    if (together > limit)
      problems.push(
        `group ${o.group}: ${o.a.node} and ${o.b.node} both master for ${together.toFixed(1)}ms while hearing each other (limit ${limit}ms) in [${o.fromMs.toFixed(1)}, ${o.toMs.toFixed(1)}]`,
      );
  }
  return problems;
}

/** Every check that applies to the schedule. */
export function checkAll(run: PlayedRun): string[] {
  const overlap = run.schedule.cluster.quorum
    ? checkQuorumOverlap(run)
    : checkSplitBrainOnlyWhilePartitioned(run);
  return [...overlap, ...checkConvergence(run)];
}

/** A readable dump of a failing run, for the fuzz campaign and failing property tests. */
export function describeRun(run: PlayedRun, limit = 80): string {
  const lines = [
    `cluster: ${JSON.stringify(run.schedule.cluster)}`,
    `start: ${JSON.stringify(run.schedule.startAtMs)}`,
    ...run.schedule.disturbances.map((d) => `  ${d.atMs}ms ${JSON.stringify(d.what)}`),
    `heal at ${run.schedule.chaosEndMs}ms, converged by ${run.convergedByMs}ms, stable from ${run.stableFromMs}ms`,
    ...run.sim.transitions
      .slice(0, limit)
      .map(
        (t) =>
          `  ${t.atMs.toFixed(1)} ${t.node} ${t.group} ${t.from}->${t.to} e${t.epoch} ${t.reason}: ${t.detail}`,
      ),
  ];
  return lines.join('\n');
}
