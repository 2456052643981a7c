// Time for the announcer and the watches, injectable so tests drive it by hand instead of
// sleeping. Milliseconds on a monotonic clock.

export type TimerHandle = object;

export interface Scheduler {
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemScheduler: Scheduler = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
};

/** A scheduler whose clock moves only when the test calls advance(). */
export interface ManualScheduler extends Scheduler {
  /** Moves the clock forward, running every timer that falls due, in time order. */
  advance(ms: number): void;
  /** Timers not yet run. */
  pendingTimers(): number;
}

interface ManualTimer {
  readonly dueMs: number;
  readonly order: number;
  readonly callback: () => void;
}

export function createManualScheduler(startMs = 0): ManualScheduler {
  let nowMs = startMs;
  let created = 0;
  const timers = new Set<ManualTimer>();
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
  return {
    now: () => nowMs,
    setTimeout: (callback, delayMs) => {
      const timer: ManualTimer = {
        dueMs: nowMs + Math.max(0, delayMs),
        order: created++,
        callback,
      };
      timers.add(timer);
      return timer;
    },
    clearTimeout: (handle) => {
      timers.delete(handle as ManualTimer);
    },
    advance: (ms) => {
      const endMs = nowMs + ms;
      for (let timer = nextDue(); timer !== undefined && timer.dueMs <= endMs; timer = nextDue()) {
        timers.delete(timer);
        nowMs = timer.dueMs;
        timer.callback();
      }
      nowMs = endMs;
    },
    pendingTimers: () => timers.size,
  };
}
