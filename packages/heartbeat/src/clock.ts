// The mesh's time: Unix epoch milliseconds with sub-millisecond resolution, because the wire
// carries epoch timestamps (sentAtMs, echoSentAtMs) and PeerStatus reports them. Derived
// from an injected monotonic Clock (performance.now() on the system clock), so RTTs never go
// negative when NTP steps the system time, and tests can drive every timer by hand.

import { systemClock, type Clock } from '@vipd/clock';

/** `clock` with now() in epoch milliseconds: performance.timeOrigin + its monotonic time. */
export function epochClock(clock: Clock): Clock {
  return {
    now: () => performance.timeOrigin + clock.now(),
    setTimeout: (callback, delayMs) => clock.setTimeout(callback, delayMs),
    clearTimeout: (handle) => {
      clock.clearTimeout(handle);
    },
    setInterval: (callback, intervalMs) => clock.setInterval(callback, intervalMs),
    clearInterval: (handle) => {
      clock.clearInterval(handle);
    },
    defer: (callback) => clock.defer(callback),
    cancelDefer: (handle) => {
      clock.cancelDefer(handle);
    },
  };
}

/** Epoch milliseconds on the system clock: what the mesh reads when no clock is injected. */
export function nowMs(): number {
  return performance.timeOrigin + systemClock.now();
}
