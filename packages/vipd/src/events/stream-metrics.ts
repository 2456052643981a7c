// The event streams' own series, registered on the daemon's registry beside the rest.

import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventStreamEnd } from './event-stream.js';

export type EventStreamOutcome = EventStreamEnd | 'refused';

const OUTCOMES: readonly EventStreamOutcome[] = [
  'client-closed',
  'slow-client',
  'server-closing',
  'refused',
];

export class EventStreamMetrics {
  readonly open: Gauge;
  readonly ended: Counter<'reason'>;

  constructor(registry: Registry) {
    this.open = new Gauge({
      name: 'vipd_event_streams',
      help: 'Clients following GET /v1/events?follow=1 (vipctl events --follow, watch, the web view).',
      registers: [registry],
    });
    this.ended = new Counter({
      name: 'vipd_event_streams_ended_total',
      help:
        'Event streams that ended, by reason: the client left, it read too slowly and was cut ' +
        '(slow-client), the API closed, or it was refused at the cap of open streams (refused).',
      labelNames: ['reason'],
      registers: [registry],
    });
    for (const reason of OUTCOMES) this.ended.inc({ reason }, 0);
  }
}
