// The nemesis's plan: a list of faults drawn from a seed, so a run that found a violation is
// replayed by running the same seed with the same options. Pure: no lab, no clock.
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export const FAULT_KINDS = [
  'kill',
  'pause',
  'silence',
  'partition',
  'one-way',
  'loss',
  'flap',
  'reload',
  'operator',
  'tracker',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export type OperatorAction = 'takeover' | 'release' | 'maintenance';

/** One fault: what, on which node, when (ms after the campaign's start) and for how long. */
export type Fault = {
  readonly id: number;
  readonly target: string;
  readonly startMs: number;
  readonly durationMs: number;
} & (
  | { readonly kind: 'kill' | 'pause' | 'silence' | 'partition' }
  /** Carrier down `downMs`, up `upMs`, repeated for the duration (at least once). */
  | { readonly kind: 'flap'; readonly downMs: number; readonly upMs: number }
  /** unheard: nobody hears the target, it hears all; deaf: the reverse. */
  | { readonly kind: 'one-way'; readonly direction: 'unheard' | 'deaf' }
  | { readonly kind: 'loss'; readonly percent: number }
  /** The target's priority in `group` becomes `priority` (SIGHUP), and back at the end. */
  | { readonly kind: 'reload'; readonly group: string; readonly priority: number }
  | { readonly kind: 'operator'; readonly action: OperatorAction; readonly group: string }
  /** The target's tracker file toggles every `periodMs`; every group tracks it (weight 0). */
  | { readonly kind: 'tracker'; readonly periodMs: number }
);

export interface ScheduleOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly nodes: readonly string[];
  readonly groups: readonly string[];
  readonly intervalMs: number;
  readonly downMultiplier: number;
  /** Quiet time after each round of faults, for the cluster to converge before the next. */
  readonly settleMs: number;
  /** Chance (0..1) that a second fault overlaps the first of a round. */
  readonly overlapChance?: number;
}

/** A checkpoint: when the cluster must have converged (after a round's settle time). */
export interface Schedule {
  readonly seed: number;
  readonly faults: readonly Fault[];
  readonly checkpointsMs: readonly number[];
}

/** Kinds a round may start with; an operator command only ever comes during another fault. */
const PRIMARY_KINDS = FAULT_KINDS.filter((k) => k !== 'operator');
/** Faults that share one nftables chain (healed together) never overlap each other. */
const CHAIN_OF: Partial<Record<FaultKind, string>> = {
  partition: 'partition',
  'one-way': 'partition',
};
const OPERATOR_ACTIONS: readonly OperatorAction[] = ['takeover', 'release', 'maintenance'];

class Draw {
  private readonly rng;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed);
  }

  int(from: number, to: number): number {
    return uniformInt(this.rng, from, to);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.int(0, 9_999) < p * 10_000;
  }
}

/** The longest any fault lasts, so every round is bounded. */
export const MAX_FAULT_MS = 4_000;

function drawFault(
  draw: Draw,
  kind: FaultKind,
  base: { id: number; target: string; startMs: number },
  options: ScheduleOptions,
): Fault {
  const downMs = options.intervalMs * options.downMultiplier;
  const duration = (minMs: number, maxMs: number): number =>
    draw.int(Math.min(minMs, MAX_FAULT_MS), Math.min(maxMs, MAX_FAULT_MS));
  const group = draw.pick(options.groups);
  switch (kind) {
    case 'kill':
      return { ...base, kind, durationMs: duration(200, 2_500) };
    case 'pause':
      // A paused VM: always longer than the down interval, up to 10 times it.
      return { ...base, kind, durationMs: duration(downMs + options.intervalMs, 10 * downMs) };
    case 'silence':
    case 'partition':
      return { ...base, kind, durationMs: duration(downMs / 2, 3_000) };
    case 'one-way':
      return {
        ...base,
        kind,
        durationMs: duration(downMs / 2, 3_000),
        direction: draw.pick(['unheard', 'deaf'] as const),
      };
    case 'loss':
      return { ...base, kind, durationMs: duration(1_000, 4_000), percent: draw.int(10, 60) };
    case 'flap':
      return {
        ...base,
        kind,
        durationMs: duration(200, 2_000),
        downMs: draw.int(options.intervalMs, 2 * downMs),
        upMs: draw.int(options.intervalMs, 2 * downMs),
      };
    case 'reload':
      return { ...base, kind, durationMs: duration(500, 3_000), group, priority: draw.int(1, 254) };
    case 'operator':
      return {
        ...base,
        kind,
        durationMs: duration(300, 2_500),
        action: draw.pick(OPERATOR_ACTIONS),
        group,
      };
    case 'tracker':
      return {
        ...base,
        kind,
        durationMs: duration(500, 3_000),
        periodMs: draw.int(options.intervalMs, 4 * options.intervalMs),
      };
  }
}

function endOf(fault: Fault): number {
  return fault.startMs + fault.durationMs;
}

/**
 * Rounds of one fault, or two overlapping ones on different nodes (an operator command only
 * as the second), each followed by `settleMs` of quiet and a checkpoint, until `durationMs`.
 */
export function drawSchedule(options: ScheduleOptions): Schedule {
  const draw = new Draw(options.seed);
  const faults: Fault[] = [];
  const checkpointsMs: number[] = [];
  let atMs = options.settleMs;
  for (;;) {
    const first = drawFault(
      draw,
      draw.pick(PRIMARY_KINDS),
      { id: faults.length + 1, target: draw.pick(options.nodes), startMs: atMs },
      options,
    );
    const round = [first];
    if (options.nodes.length > 1 && draw.chance(options.overlapChance ?? 0.5)) {
      const kinds = FAULT_KINDS.filter(
        (k) =>
          k !== first.kind && (CHAIN_OF[k] === undefined || CHAIN_OF[k] !== CHAIN_OF[first.kind]),
      );
      const kind = draw.pick(kinds);
      const others = options.nodes.filter((n) => n !== first.target);
      const startMs = first.startMs + draw.int(0, first.durationMs);
      round.push(
        drawFault(
          draw,
          kind,
          { id: faults.length + 2, target: draw.pick(others), startMs },
          options,
        ),
      );
    }
    const checkpointMs = Math.max(...round.map(endOf)) + options.settleMs;
    if (checkpointMs > options.durationMs) break;
    faults.push(...round);
    checkpointsMs.push(checkpointMs);
    atMs = checkpointMs + draw.int(100, 1_000);
  }
  return { seed: options.seed, faults, checkpointsMs };
}

/** One line per fault, for the replay note a failed run prints. */
export function describeFault(fault: Fault): string {
  const extra =
    fault.kind === 'one-way'
      ? ` ${fault.direction}`
      : fault.kind === 'loss'
        ? ` ${fault.percent}%`
        : fault.kind === 'reload'
          ? ` ${fault.group} priority ${fault.priority}`
          : fault.kind === 'operator'
            ? ` ${fault.action} ${fault.group}`
            : fault.kind === 'tracker'
              ? ` every ${fault.periodMs} ms`
              : fault.kind === 'flap'
                ? ` ${fault.downMs}/${fault.upMs} ms`
                : '';
  return `#${fault.id} +${fault.startMs} ms ${fault.kind} ${fault.target}${extra} for ${fault.durationMs} ms`;
}
