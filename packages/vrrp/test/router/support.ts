// Drive one VirtualRouter by hand: a config, events from imaginary peers, and a script runner
// that replays events and checks exactly what each one made the router do.
import assert from 'node:assert/strict';
import { VirtualRouter } from '../../src/router/virtual-router.js';
import type {
  VirtualRouterAction,
  VirtualRouterConfig,
  VirtualRouterEvent,
} from '../../src/router/types.js';

/** keepalived's default advert_int (1 s): Skew_Time and Master_Down_Interval below use it. */
export const INTERVAL_CS = 100;
export const OWN_ADDRESS = '192.0.2.10';
/** A peer below OWN_ADDRESS and one above it, compared as addresses. */
export const LOWER_PEER = '192.0.2.9';
export const HIGHER_PEER = '192.0.2.11';

/** Priority 100 at 1 s: Skew_Time = 156 x 1000 / 256 ms, Master_Down_Interval = 3 s + that. */
export const SKEW_100_MS = 609.375;
export const DOWN_100_MS = 3000 + SKEW_100_MS;

export function routerConfig(extra: Partial<VirtualRouterConfig> = {}): VirtualRouterConfig {
  return {
    vrid: 51,
    priority: 100,
    advertIntervalCs: INTERVAL_CS,
    preempt: true,
    preemptDelayMs: 0,
    family: 4,
    primaryAddress: OWN_ADDRESS,
    ...extra,
  };
}

export const startup = (nowMs: number): VirtualRouterEvent => ({ type: 'startup', nowMs });
export const shutdown = (nowMs: number): VirtualRouterEvent => ({ type: 'shutdown', nowMs });
export const timer = (nowMs: number): VirtualRouterEvent => ({ type: 'timer', nowMs });
export const fault = (nowMs: number, faulted: boolean): VirtualRouterEvent => ({
  type: 'fault',
  nowMs,
  faulted,
});
export const setPriority = (
  nowMs: number,
  priority: number,
  forcePreempt = false,
): VirtualRouterEvent => ({ type: 'set-priority', nowMs, priority, forcePreempt });

export function advert(
  nowMs: number,
  sourceAddress: string,
  priority: number,
  maxAdvertIntervalCs = INTERVAL_CS,
): VirtualRouterEvent {
  return { type: 'advert', nowMs, sourceAddress, priority, maxAdvertIntervalCs };
}

export interface ScriptLine {
  readonly event: VirtualRouterEvent;
  /** Exactly these transitions, in order, as `FROM->TO(reason)`; none when absent. */
  readonly transitions?: readonly string[];
  /** Exactly these adverts (their priorities), in order; none when absent. */
  readonly sends?: readonly number[];
  /** The timer this line arms, or null for a cancel; unchecked when absent. */
  readonly timerAt?: number | null;
  readonly then?: (router: VirtualRouter, actions: readonly VirtualRouterAction[]) => void;
}

export function describeTransitions(actions: readonly VirtualRouterAction[]): string[] {
  return actions.flatMap((a) =>
    a.type === 'transition' ? [`${a.from}->${a.to}(${a.reason})`] : [],
  );
}

export function sentPriorities(actions: readonly VirtualRouterAction[]): number[] {
  return actions.flatMap((a) => (a.type === 'send-advert' ? [a.priority] : []));
}

function timerActions(actions: readonly VirtualRouterAction[]): (number | null)[] {
  return actions.flatMap((a) =>
    a.type === 'arm-timer' ? [a.atMs] : a.type === 'cancel-timer' ? [null] : [],
  );
}

/** Replays the script against the router and checks every line. */
export function replay(router: VirtualRouter, script: readonly ScriptLine[]): void {
  script.forEach((line, index) => {
    const actions = router.handle(line.event);
    const where = `line ${index} (${line.event.type} at ${line.event.nowMs}ms)`;
    assert.deepEqual(describeTransitions(actions), line.transitions ?? [], `${where}: transitions`);
    assert.deepEqual(sentPriorities(actions), line.sends ?? [], `${where}: adverts sent`);
    if (line.timerAt !== undefined)
      assert.deepEqual(timerActions(actions), [line.timerAt], `${where}: timer`);
    line.then?.(router, actions);
  });
}

/** A router already through startup, as BACKUP (or MASTER for the owner). */
export function started(extra: Partial<VirtualRouterConfig> = {}): VirtualRouter {
  const router = new VirtualRouter(routerConfig(extra));
  router.handle(startup(0));
  return router;
}

/** A router that became master by its Master_Down_Timer (at DOWN_100_MS for priority 100). */
export function master(extra: Partial<VirtualRouterConfig> = {}): VirtualRouter {
  const router = started(extra);
  router.handle(timer(router.status().masterDownIntervalMs));
  assert.equal(router.status().state, 'MASTER');
  return router;
}
