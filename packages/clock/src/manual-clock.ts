// A clock that moves only when the test says so. Timers run in due order (ties in the order
// they were set); deferred callbacks run before any timer, as setImmediate runs before a
// timer that is not yet due.

import type { Clock, TimerHandle } from './clock.js';

export interface ManualClock extends Clock {
  /** Moves the clock forward, running every deferred callback and every timer that falls due. */
  advance(ms: number): void;
  /**
   * Moves the clock forward without running anything, as a frozen process (SIGSTOP, a paused
   * VM) sees time: every timer that fell due meanwhile runs late, at the next advance().
   */
  jump(ms: number): void;
  /** Runs what is deferred (and what that defers) without moving the clock. */
  flush(): void;
  /** Timers and deferred callbacks not yet run. */
  pendingTimers(): number;
}

interface ManualTimer {
  dueMs: number;
  readonly order: number;
  readonly callback: () => void;
  /** Repeats every so many ms; null for a one-shot timer. */
  readonly intervalMs: number | null;
}

export function createManualClock(startMs = 0): ManualClock {
  let nowMs = startMs;
  let created = 0;
  const timers = new Set<ManualTimer>();
  const deferred = new Set<ManualTimer>();

  const nextDue = (): ManualTimer | undefined => {
    let next: ManualTimer | undefined;
    for (const timer of timers) {
      if (
        next === undefined ||
        timer.dueMs < next.dueMs ||
        (timer.dueMs === next.dueMs && timer.order < next.order)
      ) {
        next = timer;
      }
    }
    return next;
  };
  const add = (callback: () => void, delayMs: number, intervalMs: number | null) => {
    const timer: ManualTimer = {
      dueMs: nowMs + Math.max(0, delayMs),
      order: created++,
      callback,
      intervalMs,
    };
    timers.add(timer);
    return timer;
  };
  const flush = (): void => {
    while (deferred.size > 0) {
      const [first] = deferred;
      if (first === undefined) return;
      deferred.delete(first);
      first.callback();
    }
  };
  const remove = (handle: TimerHandle): void => {
    timers.delete(handle as ManualTimer);
  };

  return {
    now: () => nowMs,
    setTimeout: (callback, delayMs) => add(callback, delayMs, null),
    clearTimeout: remove,
    // Like Node, an interval of 0 (or less) repeats every millisecond, never in place.
    setInterval: (callback, intervalMs) => {
      const every = Math.max(1, intervalMs);
      return add(callback, every, every);
    },
    clearInterval: remove,
    defer: (callback) => {
      const task: ManualTimer = { dueMs: nowMs, order: created++, callback, intervalMs: null };
      deferred.add(task);
      return task;
    },
    cancelDefer: (handle) => {
      deferred.delete(handle as ManualTimer);
    },
    advance: (ms) => {
      const endMs = nowMs + Math.max(0, ms);
      flush();
      for (let timer = nextDue(); timer !== undefined && timer.dueMs <= endMs; timer = nextDue()) {
        // A timer overdue after a jump() runs late, at the time it is now (time never goes back).
        nowMs = Math.max(nowMs, timer.dueMs);
        if (timer.intervalMs === null) timers.delete(timer);
        else timer.dueMs = nowMs + timer.intervalMs; // as Node: from when it ran
        timer.callback();
        flush();
      }
      nowMs = endMs;
    },
    jump: (ms) => {
      nowMs += Math.max(0, ms);
    },
    flush,
    pendingTimers: () => timers.size + deferred.size,
  };
}
