// The event history: the newest `capacity` events of this node, in memory. Recorders (driver,
// mesh, trackers, hooks, reload, API) hand events in through EventSink; readers take a page
// (GET /v1/events) or follow it live (the SSE stream, the web view, webhooks). Recording
// never blocks and never throws into the recorder: a follower is called synchronously and
// must only queue what it is given.

import type { EventInput, EventSink, VipdEvent } from './types.js';

export interface EventRingOptions {
  /** Events kept; older ones are dropped first (api.event_history). */
  readonly capacity: number;
  /** This node's id, stamped on every event. */
  readonly node: string;
  /** Unix time now (default Date.now). */
  readonly wallClockMs?: () => number;
}

export interface EventQuery {
  /** Only events with a greater seq: a page starts after it, oldest first. */
  readonly since?: number;
  /** Only events of this group. */
  readonly group?: string;
  /** At most this many: the oldest after `since`, else the newest. */
  readonly limit?: number;
}

export type EventFollower = (event: VipdEvent) => void;

export class EventRing implements EventSink {
  #capacity: number;
  readonly #node: string;
  readonly #wallClockMs: () => number;
  /** Oldest first; a plain array, since shift() on a thousand entries costs nothing here. */
  readonly #events: VipdEvent[] = [];
  readonly #followers = new Set<EventFollower>();
  #lastSeq = 0;

  constructor(options: EventRingOptions) {
    this.#capacity = positive(options.capacity);
    this.#node = options.node;
    this.#wallClockMs = options.wallClockMs ?? Date.now;
  }

  get node(): string {
    return this.#node;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** The seq of the newest event, 0 before the first. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** The seq of the oldest event still kept; lastSeq + 1 while the ring is empty. */
  get oldestSeq(): number {
    return this.#events[0]?.seq ?? this.#lastSeq + 1;
  }

  record(input: EventInput): void {
    this.#lastSeq += 1;
    const event: VipdEvent = {
      seq: this.#lastSeq,
      timeMs: this.#wallClockMs(),
      node: this.#node,
      ...input,
    };
    this.#events.push(event);
    this.#trim();
    for (const follower of this.#followers) {
      // A follower that throws is a bug of its own; the recorder (the driver loop) must not
      // pay for it, so it stops being called.
      try {
        follower(event);
      } catch {
        this.#followers.delete(follower);
      }
    }
  }

  /** A reload may change api.event_history: the newest events are kept. */
  resize(capacity: number): void {
    this.#capacity = positive(capacity);
    this.#trim();
  }

  list(query: EventQuery = {}): VipdEvent[] {
    const { since, group, limit } = query;
    const matching = this.#events.filter(
      (event) =>
        (since === undefined || event.seq > since) &&
        (group === undefined || event.group === group),
    );
    if (limit === undefined || matching.length <= limit) return matching;
    return since === undefined ? matching.slice(matching.length - limit) : matching.slice(0, limit);
  }

  /** Every event recorded from now on; returns the unfollow. */
  follow(follower: EventFollower): () => void {
    this.#followers.add(follower);
    return () => {
      this.#followers.delete(follower);
    };
  }

  get followers(): number {
    return this.#followers.size;
  }

  #trim(): void {
    const excess = this.#events.length - this.#capacity;
    if (excess > 0) this.#events.splice(0, excess);
  }
}

function positive(capacity: number): number {
  if (!Number.isInteger(capacity) || capacity < 1)
    throw new RangeError(`event history capacity must be a positive integer, not ${capacity}`);
  return capacity;
}
