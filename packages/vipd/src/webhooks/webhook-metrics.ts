// The webhooks' own series, on the daemon's registry beside the rest. Every webhook gets zero
// series when it is configured, so the first failure or drop shows in increase() and alerts.

import { Counter, Gauge, type Registry } from 'prom-client';

export type DeliveryResult = 'sent' | 'failed';

export class WebhookMetrics {
  readonly deliveries: Counter<'webhook' | 'result'>;
  readonly retries: Counter<'webhook'>;
  readonly dropped: Counter<'webhook'>;
  readonly queued: Gauge<'webhook'>;

  constructor(registry: Registry) {
    this.deliveries = new Counter({
      name: 'vipd_webhook_deliveries_total',
      help:
        'Events delivered to a webhook (sent: answered 2xx) or given up on after every ' +
        'attempt or a 4xx refusal (failed), by webhook.',
      labelNames: ['webhook', 'result'],
      registers: [registry],
    });
    this.retries = new Counter({
      name: 'vipd_webhook_retries_total',
      help: 'Delivery attempts repeated after an error, a timeout or a 5xx/408/429, by webhook.',
      labelNames: ['webhook'],
      registers: [registry],
    });
    this.dropped = new Counter({
      name: 'vipd_webhook_events_dropped_total',
      help: "Events dropped unsent because the webhook's queue was full, by webhook.",
      labelNames: ['webhook'],
      registers: [registry],
    });
    this.queued = new Gauge({
      name: 'vipd_webhook_queued_events',
      help: 'Events waiting for a webhook, the one in flight included.',
      labelNames: ['webhook'],
      registers: [registry],
    });
  }

  declare(webhook: string): void {
    for (const result of ['sent', 'failed'] as const) this.deliveries.inc({ webhook, result }, 0);
    this.retries.inc({ webhook }, 0);
    this.dropped.inc({ webhook }, 0);
    this.queued.set({ webhook }, 0);
  }
}
