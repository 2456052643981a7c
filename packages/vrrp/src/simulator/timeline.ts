// Reading a simulated VRRP run back: who was master when, and when a router first became
// master after some instant. The property tests judge runs with these.
import type { RouterId, SimVrrpLifecycle, SimVrrpTransition } from './link-simulator.js';

export interface VrrpMasterInterval {
  readonly router: RouterId;
  readonly fromMs: number;
  /** End of mastership (transition out, or a crash); the run's end if still master. */
  readonly toMs: number;
}

/** Every stretch of time a router was MASTER, from the transitions and the crashes. */
export function vrrpMasterIntervals(
  transitions: readonly SimVrrpTransition[],
  lifecycle: readonly SimVrrpLifecycle[],
  endMs: number,
): VrrpMasterInterval[] {
  const open = new Map<RouterId, number>();
  const done: VrrpMasterInterval[] = [];
  const close = (router: RouterId, atMs: number): void => {
    const fromMs = open.get(router);
    if (fromMs === undefined) return;
    open.delete(router);
    done.push({ router, fromMs, toMs: atMs });
  };
  // Both logs share one order, so a takeover and a crash at one instant replay in turn.
  const events = [...transitions, ...lifecycle].sort((a, b) => a.order - b.order);
  for (const event of events) {
    if ('kind' in event) {
      if (event.kind === 'crash') close(event.router, event.atMs);
    } else if (event.to === 'MASTER') open.set(event.router, event.atMs);
    else if (event.from === 'MASTER') close(event.router, event.atMs);
  }
  for (const router of [...open.keys()]) close(router, endMs);
  return done.sort((x, y) => x.fromMs - y.fromMs);
}

/** The routers that were MASTER at `atMs`, sorted. */
export function vrrpMastersAt(intervals: readonly VrrpMasterInterval[], atMs: number): RouterId[] {
  return intervals
    .filter((i) => i.fromMs <= atMs && atMs < i.toMs)
    .map((i) => i.router)
    .sort();
}

/** The first transition to MASTER strictly after `afterMs`, or undefined. */
export function firstMasterAfter(
  transitions: readonly SimVrrpTransition[],
  afterMs: number,
): SimVrrpTransition | undefined {
  return transitions.find((t) => t.to === 'MASTER' && t.atMs > afterMs);
}
