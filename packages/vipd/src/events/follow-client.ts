// The reading end of GET /v1/events?follow=1, for vipctl (events --follow, watch) and the
// tests: fetch the stream, parse it with eventsource-parser, hand over each event. One
// connection; resuming after it ends is the caller's choice (it knows the last seq).

import { createParser } from 'eventsource-parser';
import type { VipdEvent } from './types.js';

export interface FollowOptions {
  /** The node's API, e.g. http://127.0.0.1:7411. */
  readonly api: string;
  /** Resume after this seq (sent as Last-Event-ID). */
  readonly lastEventId?: number;
  readonly group?: string;
  readonly signal?: AbortSignal;
  readonly fetch?: typeof fetch;
  /** The stream is open (the answer's headers arrived). */
  readonly onOpen?: () => void;
  /** A heartbeat comment arrived: the node is there, with nothing to say. */
  readonly onComment?: () => void;
  readonly onEvent: (event: VipdEvent) => void;
}

export class FollowRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`the node answered ${status}: ${body.slice(0, 300)}`);
  }
}

/** Resolves when the node ends the stream (or the signal aborts it); rejects when refused. */
export async function followEvents(options: FollowOptions): Promise<void> {
  const query = new URLSearchParams({ follow: '1' });
  if (options.group !== undefined) query.set('group', options.group);
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (options.lastEventId !== undefined) headers['last-event-id'] = String(options.lastEventId);
  const response = await (options.fetch ?? fetch)(`${options.api}/v1/events?${query.toString()}`, {
    headers,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  if (response.status !== 200 || response.body === null)
    throw new FollowRefused(response.status, await response.text());
  options.onOpen?.();
  const parser = createParser({
    onEvent: (message) => {
      options.onEvent(JSON.parse(message.data) as VipdEvent);
    },
    onComment: () => options.onComment?.(),
  });
  const decoder = new TextDecoder();
  try {
    for await (const chunk of response.body as AsyncIterable<Uint8Array>)
      parser.feed(decoder.decode(chunk, { stream: true }));
  } catch (error) {
    if (options.signal?.aborted === true) return;
    throw error;
  }
}
