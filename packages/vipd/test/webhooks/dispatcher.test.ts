import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { Secret } from '../../src/config/secret.js';
import type { WebhookSpec } from '../../src/config/types.js';
import { EventRing } from '../../src/events/ring.js';
import { EVENT_KINDS, type EventInput } from '../../src/events/types.js';
import { silentLogger } from '../../src/log/logger.js';
import { WebhookDispatcher } from '../../src/webhooks/dispatcher.js';
import {
  DELIVERY_HEADER,
  EVENT_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  verifyWebhook,
} from '../../src/webhooks/signature.js';
import { Receiver, deadUrl, type Received } from './receiver.js';

const KEY = 'a-webhook-secret-of-some-length';

const transition = (to: string): EventInput => ({
  kind: 'transition',
  group: 'web',
  from: 'BACKUP',
  to,
  reason: 'master-down',
});

function spec(url: string, overrides: Partial<WebhookSpec> = {}): WebhookSpec {
  return {
    name: 'chat',
    url,
    secret: new Secret(KEY),
    events: [...EVENT_KINDS],
    timeoutMs: 5000,
    maxAttempts: 5,
    queueSize: 100,
    ...overrides,
  };
}

/** A ring followed by a dispatcher, as the daemon wires them. */
function wire(specs: WebhookSpec[]) {
  const registry = new Registry();
  const dispatcher = new WebhookDispatcher({
    registry,
    logger: silentLogger(),
    backoff: { initialDelayMs: 5, maxDelayMs: 20 },
  });
  dispatcher.configure(specs);
  const ring = new EventRing({ capacity: 1000, node: 'n1' });
  ring.follow(dispatcher.offer);
  const value = async (name: string, labels: Record<string, string>) => {
    const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
    const match = metric?.values.find((v) =>
      Object.entries(labels).every(([k, l]) => v.labels[k] === l),
    );
    return match?.value;
  };
  return { ring, dispatcher, registry, value };
}

const header = (request: Received | undefined, name: string) => {
  const value = request?.headers[name];
  return typeof value === 'string' ? value : undefined;
};

describe('webhooks: delivery to a local receiver', () => {
  let receiver: Receiver;
  before(async () => {
    receiver = await Receiver.start();
  });
  after(() => receiver.close());

  it('POSTs the event as JSON with a signature the receiver verifies', async () => {
    receiver.received.length = 0;
    receiver.answer = () => 200;
    const { ring, dispatcher } = wire([spec(receiver.url)]);
    ring.record(transition('MASTER'));
    await dispatcher.idle();
    const [request] = receiver.received;
    assert.ok(request);
    assert.deepEqual(JSON.parse(request.body), ring.list()[0]);
    assert.equal(header(request, 'content-type'), 'application/json');
    assert.equal(header(request, EVENT_HEADER), 'transition');
    assert.equal(header(request, DELIVERY_HEADER), 'n1-1');
    const signed = {
      body: request.body,
      signature: header(request, SIGNATURE_HEADER),
      timestamp: header(request, TIMESTAMP_HEADER),
    };
    const now = Math.floor(Date.now() / 1000);
    assert.equal(verifyWebhook(Buffer.from(KEY), signed, now), 'ok');
    assert.equal(verifyWebhook(Buffer.from('another key'), signed, now), 'bad-signature');
    const tampered = { ...signed, body: request.body.replace('MASTER', 'BACKUP') };
    assert.equal(verifyWebhook(Buffer.from(KEY), tampered, now), 'bad-signature');
    // A replay with a new timestamp does not match the MAC; the old one is stale.
    const replayed = { ...signed, timestamp: String(now + 600) };
    assert.equal(verifyWebhook(Buffer.from(KEY), replayed, now + 600), 'bad-signature');
    assert.equal(verifyWebhook(Buffer.from(KEY), signed, now + 600), 'stale');
    await dispatcher.close();
  });

  it('sends only the selected event kinds', async () => {
    receiver.received.length = 0;
    const { ring, dispatcher } = wire([spec(receiver.url, { events: ['peer'] })]);
    ring.record(transition('MASTER'));
    ring.record({ kind: 'peer', subject: 'n2', to: 'down', reason: 'timeout' });
    await dispatcher.idle();
    assert.deepEqual(
      receiver.received.map((r) => header(r, EVENT_HEADER)),
      ['peer'],
    );
    await dispatcher.close();
  });

  it('keeps the order of events even when the receiver answers at uneven speeds', async () => {
    receiver.received.length = 0;
    receiver.answer = () => 200;
    const { ring, dispatcher } = wire([spec(receiver.url)]);
    for (let i = 0; i < 50; i++) ring.record(transition(`S${i}`));
    await dispatcher.idle();
    assert.deepEqual(
      receiver.seqs,
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await dispatcher.close();
  });

  it('retries after a 500, in order, and counts the retries and the delivery', async () => {
    receiver.received.length = 0;
    receiver.answer = (_, index) => (index < 2 ? 500 : 200);
    const { ring, dispatcher, value } = wire([spec(receiver.url)]);
    ring.record(transition('MASTER'));
    ring.record(transition('BACKUP'));
    await dispatcher.idle();
    assert.deepEqual(receiver.seqs, [1, 1, 1, 2]);
    assert.equal(await value('vipd_webhook_retries_total', { webhook: 'chat' }), 2);
    const sent = { webhook: 'chat', result: 'sent' };
    assert.equal(await value('vipd_webhook_deliveries_total', sent), 2);
    await dispatcher.close();
  });

  it('does not retry a 4xx refusal: the event fails and the next one goes', async () => {
    receiver.received.length = 0;
    receiver.answer = (_, index) => (index === 0 ? 401 : 200);
    const { ring, dispatcher, value } = wire([spec(receiver.url)]);
    ring.record(transition('MASTER'));
    ring.record(transition('BACKUP'));
    await dispatcher.idle();
    assert.deepEqual(receiver.seqs, [1, 2]);
    const failed = { webhook: 'chat', result: 'failed' };
    assert.equal(await value('vipd_webhook_deliveries_total', failed), 1);
    await dispatcher.close();
  });

  it('a slow receiver never delays the recorder: record() returns while a request hangs', async () => {
    receiver.received.length = 0;
    receiver.answer = () => 'hold';
    const { ring, dispatcher } = wire([spec(receiver.url, { timeoutMs: 60_000, queueSize: 10 })]);
    ring.record(transition('MASTER'));
    while (receiver.received.length === 0) await new Promise((done) => setImmediate(done));
    // The receiver holds the first request open; recording more must not wait for it.
    const count = 10_000;
    const startedAt = performance.now();
    for (let i = 0; i < count; i++) ring.record(transition(`S${i}`));
    const elapsedMs = performance.now() - startedAt;
    assert.equal(ring.lastSeq, count + 1, 'every event recorded');
    assert.equal(receiver.received.length, 1, 'still only the first request in flight');
    console.log(
      `${count} events recorded behind a hanging webhook in ${elapsedMs.toFixed(1)} ms ` +
        `(${((elapsedMs * 1000) / count).toFixed(2)} µs each)`,
    );
    await dispatcher.close();
  });
});

describe('webhooks: a receiver that is down', () => {
  it('counts drops when the queue overflows, then fails what it held; zero series from the start', async () => {
    const url = await deadUrl();
    const { ring, dispatcher, value, registry } = wire([
      spec(url, { queueSize: 3, maxAttempts: 2 }),
    ]);
    const text = await registry.metrics();
    assert.match(text, /vipd_webhook_events_dropped_total\{webhook="chat"\} 0/);
    assert.match(text, /vipd_webhook_deliveries_total\{webhook="chat",result="failed"\} 0/);
    // The first goes in flight at once; three wait; the other six push the oldest out.
    for (let i = 0; i < 10; i++) ring.record(transition(`S${i}`));
    assert.equal(await value('vipd_webhook_events_dropped_total', { webhook: 'chat' }), 6);
    assert.equal(await value('vipd_webhook_queued_events', { webhook: 'chat' }), 4);
    await dispatcher.idle();
    const failed = { webhook: 'chat', result: 'failed' };
    assert.equal(await value('vipd_webhook_deliveries_total', failed), 4);
    assert.equal(await value('vipd_webhook_retries_total', { webhook: 'chat' }), 4);
    await dispatcher.close();
  });

  it('a reload that changes a webhook hands its waiting events to the new one, in order', async () => {
    const receiver = await Receiver.start();
    receiver.answer = () => 'hold';
    try {
      const { ring, dispatcher } = wire([spec(receiver.url, { timeoutMs: 60_000 })]);
      for (let i = 0; i < 3; i++) ring.record(transition(`S${i}`));
      while (receiver.received.length === 0) await new Promise((done) => setImmediate(done));
      receiver.answer = () => 200;
      dispatcher.configure([spec(receiver.url, { timeoutMs: 1000 })]);
      await dispatcher.idle();
      // seq 1 was in flight when the old one stopped: sent again (at least once), then 2, 3.
      assert.deepEqual(receiver.seqs, [1, 1, 2, 3]);
      await dispatcher.close();
    } finally {
      await receiver.close();
    }
  });
});
