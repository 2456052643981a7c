// Webhooks as a follower of the event ring: every event recorded is offered to each
// configured webhook's outbox, which keeps its own order, retries and bound. A reload
// reconfigures them: unchanged webhooks keep running, changed ones hand their pending
// events to their replacement, removed ones stop.

import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { WebhookSpec } from '../config/types.js';
import type { VipdEvent } from '../events/types.js';
import { DEFAULT_BACKOFF, WebhookOutbox, type BackoffMs, type OutboxDeps } from './outbox.js';
import { WebhookMetrics } from './webhook-metrics.js';

/** How long a stopping node waits for its last events to reach the webhooks. */
export const SHUTDOWN_DRAIN_MS = 2000;

export interface WebhookDispatcherOptions {
  readonly registry: Registry;
  readonly logger: Logger;
  readonly wallClockMs?: () => number;
  readonly backoff?: BackoffMs;
}

export class WebhookDispatcher {
  readonly #deps: OutboxDeps;
  #outboxes = new Map<string, WebhookOutbox>();

  constructor(options: WebhookDispatcherOptions) {
    this.#deps = {
      metrics: new WebhookMetrics(options.registry),
      logger: options.logger,
      wallClockMs: options.wallClockMs ?? Date.now,
      backoff: options.backoff ?? DEFAULT_BACKOFF,
    };
  }

  configure(specs: readonly WebhookSpec[]): void {
    const next = new Map<string, WebhookOutbox>();
    for (const spec of specs) {
      const current = this.#outboxes.get(spec.name);
      if (current !== undefined && sameSpec(current.spec, spec)) {
        next.set(spec.name, current);
        continue;
      }
      this.#deps.metrics.declare(spec.name);
      const outbox = new WebhookOutbox(spec, this.#deps);
      for (const event of current?.close() ?? []) outbox.enqueue(event);
      next.set(spec.name, outbox);
    }
    for (const [name, outbox] of this.#outboxes) if (!next.has(name)) outbox.close();
    this.#outboxes = next;
  }

  /** The ring's follower: queues and returns; never throws, never waits. */
  readonly offer = (event: VipdEvent): void => {
    for (const outbox of this.#outboxes.values()) outbox.enqueue(event);
  };

  /** Resolves once every webhook has sent or given up on what it holds. */
  async idle(): Promise<void> {
    await Promise.all([...this.#outboxes.values()].map((outbox) => outbox.idle()));
  }

  /**
   * Shutdown: waits up to `drainMs` for what is queued (the node's last transitions are worth
   * sending), then abandons the rest.
   */
  async close(drainMs = 0): Promise<void> {
    if (drainMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<void>((done) => (timer = setTimeout(done, drainMs)));
      await Promise.race([this.idle(), deadline]);
      clearTimeout(timer);
    }
    for (const outbox of this.#outboxes.values()) outbox.close();
    this.#outboxes.clear();
  }
}

function sameSpec(a: WebhookSpec, b: WebhookSpec): boolean {
  return (
    a.url === b.url &&
    a.timeoutMs === b.timeoutMs &&
    a.maxAttempts === b.maxAttempts &&
    a.queueSize === b.queueSize &&
    a.events.join() === b.events.join() &&
    a.secret.reveal().equals(b.secret.reveal())
  );
}
