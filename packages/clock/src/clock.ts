// Time for every package that waits: one small interface, injected, so each timer-driven rule
// can be tested on a manual clock instead of by sleeping. Milliseconds on a monotonic clock.
// The election takes no clock at all: its events carry their time.

export type TimerHandle = object;

export interface Clock {
  /** Monotonic milliseconds (performance.now() on the system clock). */
  now(): number;
  setTimeout(callback: () => void, delayMs: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  setInterval(callback: () => void, intervalMs: number): TimerHandle;
  clearInterval(handle: TimerHandle): void;
  /** Runs the callback once the current work is done (setImmediate), before any timer due later. */
  defer(callback: () => void): TimerHandle;
  cancelDefer(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => performance.now(),
  setTimeout: (callback, delayMs) => setTimeout(callback, delayMs),
  clearTimeout: (handle) => {
    clearTimeout(handle as NodeJS.Timeout);
  },
  setInterval: (callback, intervalMs) => setInterval(callback, intervalMs),
  clearInterval: (handle) => {
    clearInterval(handle as NodeJS.Timeout);
  },
  defer: (callback) => setImmediate(callback),
  cancelDefer: (handle) => {
    clearImmediate(handle as NodeJS.Immediate);
  },
};
