// GET /v1/events: the event history as a JSON page, or followed live as server-sent events.
// Reading needs no token, like /v1/status: the events say what the status already shows, and
// how it came about. The stream is written on the raw response (see events/event-stream.ts
// for why no SSE plugin): fastify hands the socket over and keeps its hands off.

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawServerDefault } from 'fastify';
import { systemClock, type Clock } from '@vipd/clock';
import type { Registry } from 'prom-client';
import { VipdError } from '../errors.js';
import { EventStream, type EventStreamLimits } from '../events/event-stream.js';
import type { EventRing } from '../events/ring.js';
import { EventStreamMetrics } from '../events/stream-metrics.js';
import { eventPageSchema, eventQuerySchema, eventSchema } from './event-schemas.js';
import { errorReplies } from './schemas.js';

/** Streams open at once; each holds an API connection of api.max_connections' 64 by default. */
export const MAX_EVENT_STREAMS = 16;

export interface EventRouteDeps {
  readonly ring: EventRing;
  readonly registry: Registry;
  readonly limits: EventStreamLimits;
  readonly maxStreams: number;
  readonly clock?: Clock;
}

export type ApiInstance = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/**
 * Added to the app itself, not registered as a plugin: a plugin's context would not use the
 * app's validator compilers, and an unknown query parameter would pass unnoticed.
 */
export function addEventRoutes(app: ApiInstance, deps: EventRouteDeps): void {
  const { ring } = deps;
  const metrics = new EventStreamMetrics(deps.registry);
  const streams = new Set<EventStream>();
  app.addSchema(eventSchema);
  // Before the server waits for its connections to end: a stream never would by itself.
  app.addHook('preClose', (done) => {
    for (const stream of [...streams]) stream.close();
    done();
  });

  app.get(
    '/v1/events',
    {
      schema: {
        summary: 'What happened and why: the event history, or a live stream of it',
        description:
          'Transitions, operator actions (with their reason and actor), peers up and down, ' +
          'tracker changes, address conflicts, hook failures and reloads, newest last. ' +
          'With `follow=1` the answer is `text/event-stream`: first the kept events after ' +
          '`since` or the `Last-Event-ID` header, then each new one as it happens.',
        querystring: eventQuerySchema,
        response: { 200: eventPageSchema, ...errorReplies(400, 421, 503) },
      },
    },
    (request, reply) => {
      const { since, group, limit, follow } = request.query;
      if (follow === '1' || follow === 'true') {
        if (streams.size >= deps.maxStreams) {
          metrics.ended.inc({ reason: 'refused' });
          throw new VipdError(
            'TOO_MANY_STREAMS',
            `${streams.size} event streams are open, the most this node serves at once`,
          );
        }
        const after = resumeFrom(request.headers['last-event-id'], since);
        reply.hijack();
        metrics.open.inc();
        const stream: EventStream = new EventStream({
          ring,
          response: reply.raw,
          limits: deps.limits,
          clock: deps.clock ?? systemClock,
          after,
          ...(group === undefined ? {} : { group }),
          onEnd: (reason) => {
            streams.delete(stream);
            metrics.open.dec();
            metrics.ended.inc({ reason });
          },
        });
        // A replay beyond the bound may have cut the client already.
        if (!stream.ended) streams.add(stream);
        return;
      }
      return {
        node: ring.node,
        lastSeq: ring.lastSeq,
        oldestSeq: ring.oldestSeq,
        capacity: ring.capacity,
        events: ring.list({
          ...(since === undefined ? {} : { since }),
          ...(group === undefined ? {} : { group }),
          ...(limit === undefined ? {} : { limit }),
        }),
      };
    },
  );
}

/** Last-Event-ID (a browser reconnecting) wins over ?since=; neither: live events only. */
function resumeFrom(
  header: string | string[] | undefined,
  since: number | undefined,
): number | null {
  const text = Array.isArray(header) ? header[0] : header;
  if (text !== undefined && /^\d{1,15}$/.test(text.trim())) return Number(text.trim());
  if (text !== undefined && text.trim() !== '')
    throw new VipdError(
      'INVALID_REQUEST',
      `Last-Event-ID "${text.slice(0, 40)}" is not an event seq`,
    );
  return since ?? null;
}
