// GET /v1/events?follow=1: the event history as server-sent events on one HTTP response.
// Each event is `id: <seq>` and `data: <the event's JSON>`, so a browser's EventSource (or
// vipctl) that reconnects with Last-Event-ID gets exactly what it missed, while the ring
// still holds it. A comment line every heartbeat keeps proxies and the API's idle cut from
// closing a quiet stream. A client that reads slower than events arrive is cut once its
// unsent bytes pass a bound: the daemon never waits for it and never buffers without end.
//
// Written on the raw response rather than through @fastify/sse or fastify-sse-v2: both wait
// for the socket to drain before each message and so queue without bound behind a client that
// stopped reading, and neither cuts it; the bound, the cut and a replay that joins the live
// events without a gap are the whole of what is needed here, and the format is two lines.

import type { ServerResponse } from 'node:http';
import type { Clock, TimerHandle } from '@vipd/clock';
import type { EventRing } from './ring.js';
import type { VipdEvent } from './types.js';

export interface EventStreamLimits {
  /** A comment line this often while nothing else is sent. */
  readonly heartbeatMs: number;
  /** Unsent bytes a client may fall behind by before it is cut. */
  readonly maxBufferedBytes: number;
  /** Tells a browser how long to wait before reconnecting after a cut. */
  readonly retryMs: number;
}

export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 256 * 1024,
  retryMs: 2_000,
};

export type EventStreamEnd = 'client-closed' | 'slow-client' | 'server-closing';

export interface EventStreamOptions {
  readonly ring: EventRing;
  readonly response: ServerResponse;
  readonly limits: EventStreamLimits;
  readonly clock: Clock;
  /** Replay every kept event after this seq first (Last-Event-ID or ?since=). */
  readonly after: number | null;
  readonly group?: string;
  readonly onEnd: (reason: EventStreamEnd) => void;
}

export function formatEvent(event: VipdEvent): string {
  return `id: ${event.seq}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** An open stream to one client; ends when the client goes, falls behind, or close() is called. */
export class EventStream {
  readonly #options: EventStreamOptions;
  #unfollow: (() => void) | null = null;
  #heartbeat: TimerHandle | null = null;
  #ended = false;

  constructor(options: EventStreamOptions) {
    this.#options = options;
    const { response, limits, ring, clock } = options;
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx and the like would otherwise hold the stream back in their buffers.
      'x-accel-buffering': 'no',
    });
    response.on('close', () => {
      this.#end('client-closed');
    });
    this.#write(`retry: ${limits.retryMs}\n\n`);
    // Replay and follow without a gap: nothing is recorded between the two lines (one thread).
    if (options.after !== null) {
      for (const event of ring.list({ since: options.after, ...this.#groupFilter() }))
        this.#send(event);
    }
    // A replay larger than the bound has cut the client already.
    if (this.#ended) return;
    this.#unfollow = ring.follow((event) => {
      if (options.group === undefined || event.group === options.group) this.#send(event);
    });
    this.#heartbeat = clock.setInterval(() => {
      this.#write(': heartbeat\n\n');
    }, limits.heartbeatMs);
  }

  get ended(): boolean {
    return this.#ended;
  }

  close(): void {
    this.#end('server-closing');
  }

  #groupFilter(): { group?: string } {
    return this.#options.group === undefined ? {} : { group: this.#options.group };
  }

  #send(event: VipdEvent): void {
    this.#write(formatEvent(event));
  }

  #write(text: string): void {
    if (this.#ended) return;
    const { response, limits } = this.#options;
    response.write(text);
    if (response.writableLength > limits.maxBufferedBytes) this.#end('slow-client');
  }

  #end(reason: EventStreamEnd): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#unfollow?.();
    if (this.#heartbeat !== null) this.#options.clock.clearInterval(this.#heartbeat);
    const { response } = this.#options;
    // A slow client would never drain what is queued: cut the connection, do not end it.
    if (reason === 'slow-client') response.destroy();
    else if (!response.writableEnded) response.end();
    this.#options.onEnd(reason);
  }
}
