// GET /v1/events: the event record (events/types.ts) as a schema, its page and its query.
// The record's TypeScript type is the contract; the checks at the end fail the build if the
// schema and the type ever disagree.

import { Type, type Static } from 'typebox';
import { EVENT_KINDS, type VipdEvent } from '../events/types.js';

const optionalString = (description: string) => Type.Optional(Type.String({ description }));

export const eventSchema = Type.ReadonlyObject(
  Type.Object(
    {
      seq: Type.Integer({
        minimum: 1,
        description: 'Increases by one per event on this node since it started.',
      }),
      timeMs: Type.Integer({ description: 'Unix time in milliseconds.' }),
      kind: Type.Enum(EVENT_KINDS, { type: 'string' }),
      node: Type.String({ description: 'The node that recorded it.' }),
      group: optionalString('The group it concerns; absent for node-wide events.'),
      from: optionalString("State before (transition); the peer's state before (peer)."),
      to: optionalString("State after (transition); the peer's state: up or down (peer)."),
      reason: Type.String({
        description:
          "Machine-readable cause: the election's or virtual router's transition reason, the " +
          'operator command, the peer-down reason, the tracker state, the hook result…',
      }),
      detail: optionalString('One human sentence.'),
      epoch: Type.Optional(Type.Integer({ description: "The group's epoch after a transition." })),
      actor: optionalString(
        "Who asked: an operator action's `actor` field, else api, signal or vipd.",
      ),
      subject: optionalString('Peer id, tracker name or hook path.'),
    },
    { additionalProperties: false },
  ),
  { $id: 'Event' },
);

export const eventPageSchema = Type.ReadonlyObject(
  Type.Object(
    {
      node: Type.String(),
      lastSeq: Type.Integer({ description: 'The newest event recorded (0 before the first).' }),
      oldestSeq: Type.Integer({
        description:
          'The oldest event still kept. A client that last saw a seq below oldestSeq - 1 has missed events.',
      }),
      capacity: Type.Integer({ description: 'Events kept (api.event_history).' }),
      events: Type.ReadonlyObject(Type.Array(Type.Unsafe<VipdEvent>({ $ref: 'Event#' }))),
    },
    { additionalProperties: false },
  ),
);

export const MAX_EVENTS_PER_PAGE = 10_000;

export const eventQuerySchema = Type.Object(
  {
    since: Type.Optional(
      Type.Integer({
        minimum: 0,
        description:
          'Only events after this seq, oldest first (page forward by passing the last seq seen). ' +
          'With follow: replay these before the live events, like Last-Event-ID.',
      }),
    ),
    group: Type.Optional(
      Type.String({ minLength: 1, maxLength: 63, description: 'Only events of this group.' }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_EVENTS_PER_PAGE,
        description: 'At most this many: the oldest after `since`, else the newest.',
      }),
    ),
    follow: Type.Optional(
      Type.Enum(['1', 'true', '0', 'false'], {
        type: 'string',
        description:
          'Stream as server-sent events (text/event-stream): `id:` is the seq, `data:` the event; ' +
          'Last-Event-ID resumes; a comment every 15 s; a client that falls 256 KiB behind is cut.',
      }),
    ),
  },
  { additionalProperties: false },
);

// The schema's type and the contract must match both ways: a field added to one only fails here.
type SchemaEvent = Static<typeof eventSchema>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const EVENT_SCHEMA_MATCHES_CONTRACT: Same<SchemaEvent, VipdEvent> = true;
