// Priorities follow RFC 5798 §5.2.4: 255 is the address owner, 0 means "I am giving the
// group up", 1-254 are ordinary. Tracker weights move a priority inside 1-254 only.
import type { NodeId, Priority } from './types.js';

/** RFC 5798 §5.2.4: the owner of the addresses; takes over at once. */
export const PRIORITY_OWNER = 255;
/** RFC 5798 §5.2.4: "stop participating"; backups take over without waiting. */
export const PRIORITY_RESIGN = 0;
export const PRIORITY_MIN_WEIGHTED = 1;
export const PRIORITY_MAX_WEIGHTED = 254;

/**
 * Base priority plus the sum of tracker weights.
 * - base 0 stays 0: a node configured never to be master is not promoted by a tracker.
 * - base 255 stays 255 while the weights sum to >= 0; a negative sum makes the owner an
 *   ordinary node (255 + sum, clamped to 1-254), so an unhealthy owner stops preempting.
 * - base 1-254: base + sum clamped to 1-254; weights never make a node owner or resign it
 *   (keepalived clamps the same way; faults, not weights, take a node out).
 */
export function weightedPriority(base: Priority, weightSum: number): Priority {
  if (base === PRIORITY_RESIGN) return PRIORITY_RESIGN;
  if (base === PRIORITY_OWNER && weightSum >= 0) return PRIORITY_OWNER;
  return Math.min(PRIORITY_MAX_WEIGHTED, Math.max(PRIORITY_MIN_WEIGHTED, base + weightSum));
}

/**
 * Deterministic order of two candidates: higher priority first, then the greater node id
 * (RFC 5798 §6.4.3 breaks ties on the greater primary IP address; node ids play that role).
 * Positive when a ranks above b.
 */
export function compareCandidates(
  a: { readonly priority: Priority; readonly nodeId: NodeId },
  b: { readonly priority: Priority; readonly nodeId: NodeId },
): number {
  if (a.priority !== b.priority) return a.priority - b.priority;
  return compareNodeIds(a.nodeId, b.nodeId);
}

/** Plain code-unit order, the same on every machine (no locale). */
export function compareNodeIds(a: NodeId, b: NodeId): number {
  if (a === b) return 0;
  return a > b ? 1 : -1;
}

/** The order two masters of one group are compared by: (epoch, priority, node id). */
export interface MasterClaim {
  readonly epoch: number;
  readonly priority: Priority;
  readonly nodeId: NodeId;
}

/** Positive when claim a beats claim b. */
export function compareClaims(a: MasterClaim, b: MasterClaim): number {
  if (a.epoch !== b.epoch) return a.epoch - b.epoch;
  return compareCandidates(a, b);
}
