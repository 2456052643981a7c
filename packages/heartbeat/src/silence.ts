// Fires once when a peer has been silent for `downAfterMs`, accurate to the event loop's
// millisecond rather than quantised to whole heartbeat intervals.
//
// No timer runs while heartbeats keep coming. A timer pushed back on every heartbeat still
// wakes the process at its first expiry (Node keeps one libuv timer and only ever moves it
// earlier), and on a VM every wakeup costs more than the heartbeat itself: at a 10 ms
// interval those wakeups were ~12 % of a mesh node's wakeups. Instead the owner calls
// tick() on its own interval tick, a wakeup it pays anyway, and a timer is armed only once
// the deadline is nearer than the next tick could be: a peer that stays silent that long.

import type { Clock, TimerHandle } from '@vipd/clock';

/**
 * How far ahead of a deadline an owner ticking every interval should arm its timer, in
 * intervals: one to the next tick, and half of one more for that tick being late.
 */
export const SILENCE_HORIZON_INTERVALS = 1.5;

export class SilenceWatch {
  private lastHeardAtMs = 0;
  /** Between the first heard() and firing or cancel(). */
  private watching = false;
  private timer: TimerHandle | null = null;
  private confirming: TimerHandle | null = null;

  /** `clock` reads the same time scale as the atMs values given to heard() and tick(). */
  constructor(
    private downAfterMs: number,
    private readonly onSilent: (lastHeardAtMs: number) => void,
    private readonly clock: Clock,
  ) {}

  /** A heartbeat arrived: the deadline moves to atMs + downAfterMs. No timer work. */
  heard(atMs: number): void {
    this.lastHeardAtMs = atMs;
    this.watching = true;
  }

  /**
   * The owner's interval tick. `horizonMs` must cover the time to the owner's next tick,
   * with room for that tick being late; a deadline nearer than that gets its own timer.
   */
  tick(atMs: number, horizonMs: number): void {
    if (!this.watching || this.timer !== null || this.confirming !== null) return;
    const remainingMs = this.lastHeardAtMs + this.downAfterMs - atMs;
    if (remainingMs > horizonMs) return;
    this.arm(Math.max(0, Math.ceil(remainingMs)));
  }

  /** Whether a deadline timer is set (tests: none should be while heartbeats flow). */
  get armed(): boolean {
    return this.timer !== null || this.confirming !== null;
  }

  /**
   * A reload changed the deadline. The watch keeps its last heartbeat: the new deadline
   * counts from it, and a timer armed for the old one is dropped for the owner's next tick
   * (or, if the new deadline is already due, re-armed at once) to set again.
   */
  retime(downAfterMs: number): void {
    this.downAfterMs = downAfterMs;
    if (this.timer === null) return;
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (this.remainingMs() <= 0) this.arm(0);
  }

  cancel(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    if (this.confirming !== null) this.clock.cancelDefer(this.confirming);
    this.timer = null;
    this.confirming = null;
    this.watching = false;
  }

  private remainingMs(): number {
    return this.lastHeardAtMs + this.downAfterMs - this.clock.now();
  }

  private arm(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.deadlineReached();
    }, delayMs);
  }

  private deadlineReached(): void {
    // Heard meanwhile: the deadline moved, and the owner's ticks will arm it again if the
    // peer falls silent once more.
    if (this.remainingMs() > 0) return;
    // Decide only after the event loop's poll phase (setImmediate runs after it): if this
    // process itself was stalled, the peer's heartbeats may be sitting unread in the socket.
    this.confirming = this.clock.defer(() => {
      this.confirming = null;
      if (this.remainingMs() > 0) return;
      this.watching = false;
      this.onSilent(this.lastHeardAtMs);
    });
  }
}
