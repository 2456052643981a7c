// One webhook's outbox: the events waiting for it, sent one at a time so the receiver sees
// them in the order they happened. Each is retried with exponential backoff (cockatiel) under
// a per-attempt timeout, then counted as sent or failed and the next one goes. The queue is
// bounded: when the receiver is down long enough to fill it, the oldest waiting event is
// dropped and counted. enqueue() only pushes onto an array, so the caller (the event ring,
// called from the driver loop) never waits for the network.

import {
  ExponentialBackoff,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';
import type { Logger } from 'pino';
import type { WebhookSpec } from '../config/types.js';
import type { VipdEvent } from '../events/types.js';
import { VIPD_VERSION } from '../version.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  signWebhook,
} from './signature.js';
import type { WebhookMetrics } from './webhook-metrics.js';

export interface BackoffMs {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/** Half a second doubling to half a minute: a receiver restart is ridden out, a dead one is not waited on forever. */
export const DEFAULT_BACKOFF: BackoffMs = { initialDelayMs: 500, maxDelayMs: 30_000 };

export interface OutboxDeps {
  readonly metrics: WebhookMetrics;
  readonly logger: Logger;
  /** Unix time in milliseconds, for the signed timestamp. */
  readonly wallClockMs: () => number;
  readonly backoff: BackoffMs;
}

/** An answer the receiver gave that is not 2xx; `retryable` if asking again may help. */
class RefusedDelivery extends Error {
  constructor(readonly status: number) {
    super(`answered HTTP ${status}`);
  }

  get retryable(): boolean {
    return this.status >= 500 || this.status === 408 || this.status === 429;
  }
}

export class WebhookOutbox {
  readonly spec: WebhookSpec;
  readonly #deps: OutboxDeps;
  readonly #log: Logger;
  readonly #policy: IPolicy;
  readonly #closing = new AbortController();
  readonly #waiting: VipdEvent[] = [];
  #inFlight: VipdEvent | null = null;
  #draining: Promise<void> | null = null;

  constructor(spec: WebhookSpec, deps: OutboxDeps) {
    this.spec = spec;
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'webhook', webhook: spec.name });
    const retries = retry(
      handleWhen((error) => !(error instanceof RefusedDelivery) || error.retryable),
      {
        maxAttempts: spec.maxAttempts - 1,
        backoff: new ExponentialBackoff({
          initialDelay: deps.backoff.initialDelayMs,
          maxDelay: deps.backoff.maxDelayMs,
        }),
      },
    );
    retries.onRetry((reason) => {
      deps.metrics.retries.inc({ webhook: spec.name });
      const error = 'error' in reason ? describe(reason.error) : 'no answer';
      this.#log.debug({ error, delayMs: Math.round(reason.delay) }, 'webhook delivery retried');
    });
    this.#policy = wrap(retries, timeout(spec.timeoutMs, TimeoutStrategy.Aggressive));
  }

  enqueue(event: VipdEvent): void {
    if (this.#closing.signal.aborted || !this.spec.events.includes(event.kind)) return;
    this.#waiting.push(event);
    while (this.#waiting.length > this.spec.queueSize) {
      const dropped = this.#waiting.shift();
      this.#deps.metrics.dropped.inc({ webhook: this.spec.name });
      this.#log.warn(
        { seq: dropped?.seq, kind: dropped?.kind },
        'webhook queue full; dropped the oldest event',
      );
    }
    this.#countQueued();
    this.#draining ??= this.#drain();
  }

  /** Resolves once nothing is waiting or in flight. */
  async idle(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  /**
   * Stops sending and returns what was not delivered, the one in flight first: a webhook
   * replaced by a reload hands them to its successor (the receiver may see that one twice).
   */
  close(): VipdEvent[] {
    this.#closing.abort();
    const pending = [...(this.#inFlight === null ? [] : [this.#inFlight]), ...this.#waiting];
    this.#waiting.length = 0;
    this.#deps.metrics.queued.set({ webhook: this.spec.name }, 0);
    return pending;
  }

  async #drain(): Promise<void> {
    for (let event = this.#waiting.shift(); event !== undefined; event = this.#waiting.shift()) {
      this.#inFlight = event;
      await this.#deliver(event);
      this.#inFlight = null;
      this.#countQueued();
      if (this.#closing.signal.aborted) break;
    }
    this.#draining = null;
  }

  async #deliver(event: VipdEvent): Promise<void> {
    const body = JSON.stringify(event);
    const webhook = this.spec.name;
    try {
      await this.#policy.execute(
        ({ signal }) => this.#post(event, body, signal),
        this.#closing.signal,
      );
      this.#deps.metrics.deliveries.inc({ webhook, result: 'sent' });
    } catch (error) {
      if (this.#closing.signal.aborted) return;
      this.#deps.metrics.deliveries.inc({ webhook, result: 'failed' });
      this.#log.warn(
        { seq: event.seq, kind: event.kind, error: describe(error) },
        `webhook ${webhook} gave up on event ${event.seq}: ${describe(error)}`,
      );
    }
  }

  async #post(event: VipdEvent, body: string, signal: AbortSignal): Promise<void> {
    const timestampSeconds = Math.floor(this.#deps.wallClockMs() / 1000);
    const response = await fetch(this.spec.url, {
      method: 'POST',
      body,
      signal,
      // A redirect would re-send a signed event to wherever it points: refuse it as a failure.
      redirect: 'manual',
      headers: {
        'content-type': 'application/json',
        'user-agent': `vipd/${VIPD_VERSION}`,
        [EVENT_HEADER]: event.kind,
        [DELIVERY_HEADER]: `${event.node}-${event.seq}`,
        [TIMESTAMP_HEADER]: String(timestampSeconds),
        [SIGNATURE_HEADER]: signWebhook(this.spec.secret.reveal(), timestampSeconds, body),
      },
    });
    // Read the answer to the end so the connection goes back to the pool.
    await response.arrayBuffer();
    if (!response.ok) throw new RefusedDelivery(response.status);
  }

  #countQueued(): void {
    const queued = this.#waiting.length + (this.#inFlight === null ? 0 : 1);
    this.#deps.metrics.queued.set({ webhook: this.spec.name }, queued);
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // fetch() says only "fetch failed"; the reason (ECONNREFUSED …) is its cause.
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
