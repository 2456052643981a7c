// The bounds the checker holds a campaign to, derived from the election's guarantees
// (packages/election/README.md, "Guarantees, timing assumptions and limits"); docs/chaos.md
// walks through the derivation. All in ms.
import type { FaultKind } from './schedule.js';

export interface ClusterTiming {
  readonly intervalMs: number;
  readonly downMultiplier: number;
  readonly nodes: number;
  readonly quorum: boolean;
  /**
   * What a loaded machine adds to every bound: event loops run late, processes start slowly,
   * the harness sees kernel events late. Documented in docs/chaos.md; the default is 250 ms.
   */
  readonly loadMarginMs: number;
}

export interface Bounds {
  /** D = down_multiplier × interval: detection of a silent master, and the self-fencing bound. */
  readonly downMs: number;
  /** Everyone hears everyone again after a heal: 2 intervals (+ 4δ, δ ≤ interval/4). */
  readonly rehearMs: number;
  /** Detection + takeover: D + rank backoff ((N − 1) intervals) + rehear + margin. */
  readonly recoveryMs: number;
  /** A planned handover (preempt, takeover) or a one-way cut: interval + 3δ + margin of overlap. */
  readonly handoverOverlapMs: number;
  /** With the quorum guard: two owners never overlap longer than D (+ margin) while both run. */
  readonly fencingMs: number;
  /**
   * After a killed daemon's successor logged its start (the kill's end), until its left-over
   * VIPs are gone and it has listened D: D + margin.
   */
  readonly restartMs: number;
  /** An outage shorter than this is not counted (a few lost probes under load). */
  readonly outageFloorMs: number;
}

export function deriveBounds(timing: ClusterTiming): Bounds {
  const downMs = timing.downMultiplier * timing.intervalMs;
  const rehearMs = 3 * timing.intervalMs;
  return {
    downMs,
    rehearMs,
    recoveryMs: downMs + (timing.nodes - 1) * timing.intervalMs + rehearMs + timing.loadMarginMs,
    handoverOverlapMs: timing.intervalMs + timing.loadMarginMs,
    fencingMs: downMs + timing.loadMarginMs,
    restartMs: downMs + timing.loadMarginMs,
    outageFloorMs: Math.max(50, timing.intervalMs / 2),
  };
}

/**
 * Faults during which a node that still holds a VIP cannot hear a node that takes it over:
 * every path between them is cut (partition, silence, carrier down, heavy loss on TCP) or
 * the holder does not run at all (killed: the kernel keeps its addresses; paused).
 */
export const CUTS_EVERY_PATH: ReadonlySet<FaultKind> = new Set([
  'kill',
  'pause',
  'silence',
  'partition',
  'flap',
  'loss',
]);

/** Faults that stop the daemon's loop, so it cannot fence itself until it runs again. */
export const STOPS_THE_DAEMON: ReadonlySet<FaultKind> = new Set(['kill', 'pause']);

/** How long after a fault ends its effects may still show, before the cluster must be calm. */
export function aftermathMs(kind: FaultKind, bounds: Bounds): number {
  // A restarted node listens D, then may preempt.
  if (kind === 'kill') return bounds.restartMs + bounds.recoveryMs;
  return bounds.recoveryMs;
}
