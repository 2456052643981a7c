// Random links of VRRP routers and chaos schedules (fast-check arbitraries), a runner that
// plays them on the VrrpLinkSimulator, and the readings the property tests judge.
import fc from 'fast-check';
import { VrrpLinkSimulator } from '../../src/simulator/link-simulator.js';
import { vrrpMasterIntervals, vrrpMastersAt } from '../../src/simulator/timeline.js';
import type { VirtualRouterConfig } from '../../src/router/types.js';
import { addressKey } from '../../src/router/address-order.js';

export interface RouterSpec {
  readonly priority: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly advertIntervalCs: number;
}

export interface LinkSpec {
  readonly family: 4 | 6;
  readonly routers: readonly RouterSpec[];
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly startAtMs: readonly number[];
}

export interface LinkOptions {
  readonly preempt?: boolean;
  /** One Advertisement_Interval for every router (RFC 5798 §6.1 expects it configured alike). */
  readonly sameInterval?: boolean;
  /** Exclude the owner (255), which preempts whatever Preempt_Mode says. */
  readonly noOwner?: boolean;
}

const PRIORITIES = [1, 50, 100, 100, 150, 200, 254, 255];
const INTERVALS_CS = [10, 50, 100];

export function linkArbitrary(options: LinkOptions = {}): fc.Arbitrary<LinkSpec> {
  const priorities = options.noOwner === true ? PRIORITIES.filter((p) => p < 255) : PRIORITIES;
  const router = fc.record({
    priority: fc.constantFrom(...priorities),
    preempt: options.preempt === undefined ? fc.boolean() : fc.constant(options.preempt),
    preemptDelayMs: fc.constantFrom(0, 0, 500, 2000),
    advertIntervalCs: fc.constantFrom(...INTERVALS_CS),
  });
  return fc
    .record({
      family: fc.constantFrom(4 as const, 6 as const),
      routers: fc.array(router, { minLength: 2, maxLength: 5 }),
      interval: fc.constantFrom(...INTERVALS_CS),
      minDelayMs: fc.integer({ min: 0, max: 2 }),
      spreadMs: fc.integer({ min: 0, max: 8 }),
      startAtMs: fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 5, maxLength: 5 }),
    })
    .map((r) => ({
      family: r.family,
      routers:
        options.sameInterval === true
          ? r.routers.map((spec) => ({ ...spec, advertIntervalCs: r.interval }))
          : r.routers,
      minDelayMs: r.minDelayMs,
      maxDelayMs: r.minDelayMs + r.spreadMs,
      startAtMs: r.startAtMs.slice(0, r.routers.length),
    }));
}

/** Router i's primary address: numerically ordered, but not as text (.9 < .10). */
export function addressOf(family: 4 | 6, i: number): string {
  return family === 4
    ? `192.0.2.${[9, 10, 100, 11, 2][i] ?? i + 20}`
    : `fe80::${[9, 10, 100, 11, 2][i] ?? i + 20}`;
}

export function configsOf(link: LinkSpec): VirtualRouterConfig[] {
  return link.routers.map((spec, i) => ({
    vrid: 51,
    family: link.family,
    primaryAddress: addressOf(link.family, i),
    ...spec,
  }));
}

export function simulatorFor(link: LinkSpec, seed: number): VrrpLinkSimulator {
  const configs = configsOf(link);
  return new VrrpLinkSimulator({
    seed,
    routers: configs,
    link: { minDelayMs: link.minDelayMs, maxDelayMs: link.maxDelayMs },
    startAtMs: Object.fromEntries(
      configs.map((c, i) => [c.primaryAddress, link.startAtMs[i] ?? 0]),
    ),
  });
}

export function longestIntervalMs(link: LinkSpec): number {
  return Math.max(...link.routers.map((r) => r.advertIntervalCs * 10));
}

/** Long enough for any link to settle from a cold start or a healed partition. */
export function settleMs(link: LinkSpec): number {
  const delays = Math.max(...link.routers.map((r) => r.preemptDelayMs));
  return delays + 6 * longestIntervalMs(link) + 10 * link.maxDelayMs + 1;
}

/** Greater first: priority, then the primary address compared as an address. */
export function rank(sim: VrrpLinkSimulator, id: string): [number, string] {
  const router = sim.router(id);
  const key = addressKey(id, sim.config(id).family) ?? '';
  return [router?.status().priority ?? -1, key];
}

export function compareRank(a: [number, string], b: [number, string]): number {
  return a[0] !== b[0] ? a[0] - b[0] : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

/** Live routers that may be master (priority above 0), best first. */
export function candidates(sim: VrrpLinkSimulator): string[] {
  return sim
    .routerIds()
    .filter((id) => (sim.router(id)?.status().priority ?? 0) > 0)
    .sort((a, b) => compareRank(rank(sim, b), rank(sim, a)));
}

export type Disturbance =
  | { readonly kind: 'partition'; readonly sides: readonly number[] }
  | { readonly kind: 'block'; readonly from: number; readonly to: number }
  | { readonly kind: 'loss'; readonly from: number; readonly to: number; readonly rate: number }
  | { readonly kind: 'heal' }
  | { readonly kind: 'crash' | 'shutdown' | 'restart'; readonly router: number }
  | {
      readonly kind: 'priority';
      readonly router: number;
      readonly priority: number;
      readonly force: boolean;
    }
  | { readonly kind: 'fault'; readonly router: number; readonly faulted: boolean };

export interface Chaos {
  readonly disturbances: readonly { readonly atMs: number; readonly what: Disturbance }[];
  readonly endMs: number;
}

const index = fc.integer({ min: 0, max: 4 });
const disturbance: fc.Arbitrary<Disturbance> = fc.oneof(
  fc
    .array(fc.integer({ min: 0, max: 2 }), { minLength: 5, maxLength: 5 })
    .map((sides) => ({ kind: 'partition' as const, sides })),
  fc.record({ kind: fc.constant('block' as const), from: index, to: index }),
  fc.record({
    kind: fc.constant('loss' as const),
    from: index,
    to: index,
    rate: fc.constantFrom(0.2, 0.5, 1),
  }),
  fc.constant({ kind: 'heal' as const }),
  fc.record({
    kind: fc.constantFrom('crash' as const, 'shutdown' as const, 'restart' as const),
    router: index,
  }),
  fc.record({
    kind: fc.constant('priority' as const),
    router: index,
    priority: fc.constantFrom(0, 50, 100, 150, 254),
    force: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('fault' as const), router: index, faulted: fc.boolean() }),
);

export const chaosArbitrary: fc.Arbitrary<Chaos> = fc
  .array(fc.record({ atMs: fc.integer({ min: 0, max: 15_000 }), what: disturbance }), {
    maxLength: 25,
  })
  .map((list) => ({ disturbances: [...list].sort((a, b) => a.atMs - b.atMs), endMs: 16_000 }));

/** Schedules the chaos, then at its end heals everything, lifts faults and restarts the dead. */
export function scheduleChaos(sim: VrrpLinkSimulator, chaos: Chaos): void {
  const ids = sim.routerIds();
  const id = (i: number): string => ids[i % ids.length] ?? '';
  for (const { atMs, what } of chaos.disturbances)
    sim.at(atMs, () => {
      disturb(sim, what, id);
    });
  sim.at(chaos.endMs, () => {
    sim.heal();
    sim.setAllLinks({ lossRate: 0 });
    for (const router of ids) {
      sim.restart(router);
      sim.fault(router, false);
    }
  });
}

function disturb(sim: VrrpLinkSimulator, what: Disturbance, id: (i: number) => string): void {
  switch (what.kind) {
    case 'partition': {
      const sides: string[][] = [[], [], []];
      sim.routerIds().forEach((router, i) => sides[what.sides[i] ?? 0]?.push(router));
      sim.partition(sides);
      return;
    }
    case 'block':
      if (id(what.from) !== id(what.to)) sim.setBlocked(id(what.from), id(what.to), true);
      return;
    case 'loss':
      if (id(what.from) !== id(what.to))
        sim.setLink(id(what.from), id(what.to), { lossRate: what.rate });
      return;
    case 'heal':
      sim.heal();
      return;
    case 'crash':
      sim.crash(id(what.router));
      return;
    case 'shutdown':
      sim.shutdown(id(what.router));
      return;
    case 'restart':
      sim.restart(id(what.router));
      return;
    case 'priority':
      sim.setPriority(id(what.router), what.priority, what.force);
      return;
    case 'fault':
      sim.fault(id(what.router), what.faulted);
      return;
  }
}

/** Problems with "exactly one master from `fromMs` to the end, and no transition at all". */
export function stableSingleMaster(sim: VrrpLinkSimulator, fromMs: number): string[] {
  const problems: string[] = [];
  const intervals = vrrpMasterIntervals(sim.transitions, sim.lifecycle, sim.nowMs);
  const expected = candidates(sim).length > 0 ? 1 : 0;
  const samples = [fromMs, ...intervals.flatMap((i) => [i.fromMs, i.toMs])].filter(
    (t) => t >= fromMs && t < sim.nowMs,
  );
  for (const t of samples) {
    const masters = vrrpMastersAt(intervals, t);
    if (masters.length !== expected) {
      problems.push(
        `${masters.length} masters [${masters.join(', ')}] at ${t}ms, expected ${expected}`,
      );
      break;
    }
  }
  const late = sim.transitions.filter((t) => t.atMs >= fromMs);
  if (late.length > 0)
    problems.push(`${late.length} transitions after ${fromMs}ms, first ${JSON.stringify(late[0])}`);
  return problems;
}

/** A readable dump of a run for a failing property. */
export function describeRun(sim: VrrpLinkSimulator, limit = 60): string {
  return [
    ...sim
      .routerIds()
      .map(
        (id) =>
          `${id}: ${JSON.stringify(sim.config(id))} now ${JSON.stringify(sim.router(id)?.status() ?? 'DOWN')}`,
      ),
    ...sim.transitions
      .slice(-limit)
      .map((t) => `  ${t.atMs.toFixed(3)} ${t.router} ${t.from}->${t.to} (${t.reason})`),
  ].join('\n');
}
