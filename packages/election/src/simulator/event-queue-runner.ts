// The run loop of a seeded simulator: one virtual clock and one queue of timed events and
// scripts, run in time order (ties in the order they were scheduled). The cluster simulator
// here and @vipd/vrrp's link simulator extend it, so both advance time the same way and a
// run replays event for event from its seed.
import { EventQueue } from './event-queue.js';

/** A caller's step, queued with the simulator's own events (`at(t, fn)`). */
type Script = () => void;

/**
 * Nodes reacting to each other forever without time passing: a livelock. Far above anything
 * a real run needs at one virtual instant (every node starting at 0).
 */
const MAX_EVENTS_PER_INSTANT = 100_000;

export abstract class EventQueueRunner<T extends { readonly kind: string }> {
  private readonly queue = new EventQueue<T | Script>();
  private clockMs = 0;

  /** The virtual time: the event being handled, or where the last run ended. */
  get nowMs(): number {
    return this.clockMs;
  }

  /** Runs `run` at virtual time `atMs` (now if in the past), in order with the traffic. */
  at(atMs: number, run: Script): void {
    this.queue.push(Math.max(atMs, this.clockMs), run);
  }

  /**
   * Processes every event up to and including `untilMs`; the clock ends at untilMs. Throws
   * after `maxEvents` events: a run that big is a bug in the simulated code, not a result.
   */
  runUntil(untilMs: number, maxEvents = 50_000_000): void {
    let budget = maxEvents;
    let sameInstant = 0;
    for (let next = this.queue.peekTime(); next !== undefined && next <= untilMs;) {
      const entry = this.queue.pop();
      if (entry === undefined) break;
      sameInstant = entry.atMs === this.clockMs ? sameInstant + 1 : 0;
      // Say so (with the time) instead of growing the queue until memory runs out.
      if (sameInstant > MAX_EVENTS_PER_INSTANT)
        throw new Error(`livelock: more than ${MAX_EVENTS_PER_INSTANT} events at ${entry.atMs}ms`);
      this.clockMs = entry.atMs;
      if (typeof entry.item === 'function') entry.item();
      else this.dispatch(entry.item);
      if (--budget <= 0)
        throw new Error(`simulator exceeded ${maxEvents} events before ${untilMs}ms`);
      next = this.queue.peekTime();
    }
    this.clockMs = Math.max(this.clockMs, untilMs);
  }

  runFor(durationMs: number): void {
    this.runUntil(this.clockMs + durationMs);
  }

  /** Queues `event` for `atMs`; a time in the past means now, after what is queued for now. */
  protected schedule(atMs: number, event: T): void {
    this.queue.push(Math.max(atMs, this.clockMs), event);
  }

  /** Handles one event at its time (`nowMs`). */
  protected abstract dispatch(event: T): void;
}
