// GET /v1/events: the page with fastify's inject; the stream over a real socket, since what
// it is about (a connection held open, resumed, cut) is exactly what inject cannot show.

import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import type { StatusView } from '../../src/api/control.js';
import { Secret } from '../../src/config/secret.js';
import { EventRing } from '../../src/events/ring.js';
import { followEvents, FollowRefused } from '../../src/events/follow-client.js';
import type { EventInput, VipdEvent } from '../../src/events/types.js';
import { createLogger } from '../../src/log/logger.js';
import { Harness, testConfig } from '../driver/harness.js';

let harness: Harness | undefined;
let app: FastifyInstance | undefined;

afterEach(async () => {
  await app?.close();
  await harness?.stop();
  app = undefined;
  harness = undefined;
});

const peerDown = (peer: string): EventInput => ({
  kind: 'peer',
  subject: peer,
  from: 'up',
  to: 'down',
  reason: 'timeout',
});
const transition = (group: string): EventInput => ({
  kind: 'transition',
  group,
  from: 'BACKUP',
  to: 'MASTER',
  reason: 'master-down',
  epoch: 2,
});

async function setup(
  streams: Parameters<typeof buildApp>[0]['eventStreams'] = {},
): Promise<{ app: FastifyInstance; ring: EventRing; h: Harness }> {
  harness = new Harness(testConfig({ groups: [] }));
  await harness.start();
  const ring = new EventRing({ capacity: 50, node: 'n1' });
  app = await buildApp({
    control: harness.driver,
    metrics: harness.metrics,
    logger: createLogger({ level: 'fatal', format: 'json' }),
    token: () => null,
    events: ring,
    eventStreams: streams,
  });
  return { app, ring, h: harness };
}

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return `http://127.0.0.1:${address.port}`;
}

async function metricValue(h: Harness, line: string): Promise<number> {
  const text = await h.metrics.render();
  const found = text.split('\n').find((l) => l.startsWith(`${line} `));
  assert.ok(found !== undefined, `${line} is exported`);
  return Number(found.split(' ')[1]);
}

/** Follow until `count` events arrived; resolves with them and stops the stream. */
async function take(options: {
  api: string;
  count: number;
  lastEventId?: number;
  group?: string;
  onOpen?: () => void;
}): Promise<VipdEvent[]> {
  const seen: VipdEvent[] = [];
  const abort = new AbortController();
  await followEvents({
    api: options.api,
    signal: abort.signal,
    ...(options.lastEventId === undefined ? {} : { lastEventId: options.lastEventId }),
    ...(options.group === undefined ? {} : { group: options.group }),
    ...(options.onOpen === undefined ? {} : { onOpen: options.onOpen }),
    onEvent: (event) => {
      // Events parsed from the chunk that completed the count still arrive: not wanted.
      if (seen.length === options.count) return;
      seen.push(event);
      if (seen.length === options.count) abort.abort();
    },
  });
  return seen;
}

describe('GET /v1/events (page)', () => {
  it('returns the ring with its bounds, filtered by since, group and limit', async () => {
    const { app, ring } = await setup();
    ring.record(peerDown('n2'));
    ring.record(transition('web'));
    ring.record(transition('db'));
    ring.record(transition('web'));
    const all = await app.inject({ method: 'GET', url: '/v1/events' });
    assert.equal(all.statusCode, 200);
    const page = all.json<{
      node: string;
      lastSeq: number;
      oldestSeq: number;
      capacity: number;
      events: VipdEvent[];
    }>();
    assert.deepEqual(
      {
        node: page.node,
        lastSeq: page.lastSeq,
        oldestSeq: page.oldestSeq,
        capacity: page.capacity,
      },
      { node: 'n1', lastSeq: 4, oldestSeq: 1, capacity: 50 },
    );
    assert.deepEqual(page.events[0], { ...ring.list()[0] });
    const seqsOf = async (url: string) =>
      (await app.inject({ method: 'GET', url }))
        .json<{ events: VipdEvent[] }>()
        .events.map((e) => e.seq);
    assert.deepEqual(await seqsOf('/v1/events?group=web'), [2, 4]);
    assert.deepEqual(await seqsOf('/v1/events?since=2'), [3, 4]);
    assert.deepEqual(await seqsOf('/v1/events?limit=1'), [4]);
    assert.deepEqual(await seqsOf('/v1/events?since=1&limit=1&group=db'), [3]);
  });

  it('a bad query is 400 INVALID_REQUEST naming the parameter', async () => {
    const { app } = await setup();
    for (const query of ['limit=0', 'since=-1', 'follow=yes', 'limit=abc', 'colour=red']) {
      const response = await app.inject({ method: 'GET', url: `/v1/events?${query}` });
      assert.equal(response.statusCode, 400, query);
      const body = response.json<{ code: string; message: string }>();
      assert.equal(body.code, 'INVALID_REQUEST');
      assert.match(body.message, /querystring/);
    }
  });

  it('needs no token, like /v1/status', async () => {
    const { app } = await setup();
    // setup() configured no token at all: mutating calls are refused, reading is not.
    assert.equal((await app.inject({ method: 'GET', url: '/v1/events' })).statusCode, 200);
  });
});

describe('GET /v1/events?follow=1 (server-sent events)', () => {
  it('streams new events as they are recorded, id = seq', async () => {
    const { app, ring } = await setup();
    const api = await listen(app);
    const seen = await take({
      api,
      count: 2,
      onOpen: () => {
        ring.record(transition('web'));
        ring.record(peerDown('n3'));
      },
    });
    assert.deepEqual(seen, ring.list());
  });

  it('Last-Event-ID replays what the client missed, then goes on live, without a gap', async () => {
    const { app, ring } = await setup();
    const api = await listen(app);
    for (let i = 0; i < 5; i++) ring.record(transition(i % 2 === 0 ? 'web' : 'db'));
    const seen = await take({
      api,
      count: 4,
      lastEventId: 2,
      onOpen: () => {
        ring.record(peerDown('n2'));
      },
    });
    assert.deepEqual(
      seen.map((e) => e.seq),
      [3, 4, 5, 6],
    );
    const web = await take({
      api,
      count: 2,
      lastEventId: 0,
      group: 'web',
    });
    assert.deepEqual(
      web.map((e) => [e.seq, e.group]),
      [
        [1, 'web'],
        [3, 'web'],
      ],
    );
  });

  it('sends a comment as heartbeat while nothing happens', async () => {
    const { app } = await setup({ heartbeatMs: 20 });
    const api = await listen(app);
    const abort = new AbortController();
    let comments = 0;
    await followEvents({
      api,
      signal: abort.signal,
      onEvent: () => {},
      onComment: () => {
        comments += 1;
        if (comments === 2) abort.abort();
      },
    });
    assert.equal(comments, 2);
  });

  it('refuses a stream beyond the cap with 503 TOO_MANY_STREAMS, and counts it', async () => {
    const { app, h } = await setup({ maxStreams: 1 });
    const api = await listen(app);
    const first = new AbortController();
    const opened = new Promise<void>((resolve, reject) => {
      followEvents({ api, signal: first.signal, onOpen: resolve, onEvent: () => {} }).catch(reject);
    });
    await opened;
    assert.equal(await metricValue(h, 'vipd_event_streams'), 1);
    await assert.rejects(
      followEvents({ api, onEvent: () => {} }),
      (error: unknown) =>
        error instanceof FollowRefused &&
        error.status === 503 &&
        /TOO_MANY_STREAMS/.test(error.body),
    );
    assert.equal(await metricValue(h, 'vipd_event_streams_ended_total{reason="refused"}'), 1);
    first.abort();
  });

  it('cuts a client that stops reading once it falls behind; the daemon never waits', async () => {
    const { app, ring, h } = await setup({ maxBufferedBytes: 16 * 1024 });
    const api = new URL(await listen(app));
    const socket = connect({ host: '127.0.0.1', port: Number(api.port) });
    socket.on('error', () => {});
    await once(socket, 'connect');
    socket.write('GET /v1/events?follow=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const [first] = (await once(socket, 'data')) as [Buffer];
    assert.match(first.toString(), /^HTTP\/1.1 200/);
    assert.match(first.toString(), /content-type: text\/event-stream/i);
    // Stop reading: the kernel's buffers fill, then the server's, then the bound is passed.
    socket.pause();
    const closed = once(socket, 'close');
    let recorded = 0;
    while (ring.followers > 0 && recorded < 1_000_000) {
      // Each record() returns at once whatever the client does: it only queues bytes.
      for (let i = 0; i < 500; i++) ring.record({ ...transition('web'), detail: 'x'.repeat(200) });
      recorded += 500;
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.equal(ring.followers, 0, `the slow client was cut (after ${recorded} events)`);
    socket.resume();
    await closed;
    assert.equal(await metricValue(h, 'vipd_event_streams_ended_total{reason="slow-client"}'), 1);
    assert.equal(await metricValue(h, 'vipd_event_streams'), 0);
  });

  it('closing the API ends open streams instead of waiting for them', async () => {
    const { app, ring, h } = await setup();
    const api = await listen(app);
    let opened!: () => void;
    const open = new Promise<void>((resolve) => (opened = resolve));
    const following = followEvents({ api, onOpen: opened, onEvent: () => {} });
    await open;
    await app.close();
    await following;
    assert.equal(ring.followers, 0);
    assert.equal(
      await metricValue(h, 'vipd_event_streams_ended_total{reason="server-closing"}'),
      1,
    );
  });
});

describe('operator actions: reason and actor', () => {
  const TOKEN = 'operator-token-0123456789';
  const AUTH = { authorization: `Bearer ${TOKEN}` };

  async function withGroup(): Promise<{ app: FastifyInstance; h: Harness }> {
    harness = new Harness(
      testConfig({ groups: [{ name: 'web', addresses: ['10.213.0.100/24'], priority: 150 }] }),
    );
    await harness.start();
    app = await buildApp({
      control: harness.driver,
      metrics: harness.metrics,
      logger: createLogger({ level: 'fatal', format: 'json' }),
      token: () => new Secret(TOKEN),
      events: harness.events,
    });
    return { app, h: harness };
  }

  it('a takeover with reason and actor: the operator event and the transition carry them', async () => {
    const { app, h } = await withGroup();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 4 } });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/groups/web/takeover',
      headers: AUTH,
      payload: { reason: 'CHG-42 kernel upgrade', actor: 'alice' },
    });
    assert.equal(response.statusCode, 200, response.body);
    const events = h.events.list();
    const operator = events.find((e) => e.kind === 'operator');
    assert.equal(operator?.reason, 'takeover');
    assert.equal(operator.group, 'web');
    assert.equal(operator.actor, 'alice');
    assert.equal(operator.to, 'ok');
    assert.match(operator.detail ?? '', /by alice .*"CHG-42 kernel upgrade".*done/);
    const forced = events.find((e) => e.reason === 'forced-takeover');
    assert.equal(forced?.actor, 'alice');
    const status = (await app.inject({ method: 'GET', url: '/v1/status' })).json<StatusView>();
    assert.equal(status.groups[0]?.lastTransitionReason, 'forced-takeover');
    assert.equal(status.groups[0].lastTransitionDetail, forced.detail);
  });

  it('no body at all is fine; the actor is then "api"; a refusal is recorded too', async () => {
    const { app, h } = await withGroup();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/groups/web/release',
      headers: AUTH,
    });
    assert.equal(response.statusCode, 409);
    const operator = h.events.list().find((e) => e.kind === 'operator');
    assert.deepEqual(
      [operator?.reason, operator?.actor, operator?.to],
      ['release', 'api', 'NOT_MASTER'],
    );
  });

  it('maintenance takes them beside enabled', async () => {
    const { app, h } = await withGroup();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/maintenance',
      headers: AUTH,
      payload: { enabled: true, actor: 'bob', reason: 'rack move' },
    });
    assert.equal(response.statusCode, 200, response.body);
    const operator = h.events.list().find((e) => e.kind === 'operator');
    assert.deepEqual([operator?.reason, operator?.actor], ['maintenance-on', 'bob']);
    const drained = h.events
      .list()
      .find((e) => e.reason === 'maintenance-on' && e.kind === 'transition');
    assert.equal(drained?.actor, 'bob');
  });

  it('a bad reason or actor is 400 INVALID_REQUEST and changes nothing', async () => {
    const { app, h } = await withGroup();
    for (const payload of [
      { actor: 'a\nb' },
      { reason: '' },
      { actor: 'x'.repeat(65) },
      { reason: 'r'.repeat(201) },
      { who: 'alice' },
    ]) {
      const response = await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover',
        headers: AUTH,
        payload,
      });
      assert.equal(response.statusCode, 400, JSON.stringify(payload));
      assert.equal(response.json<{ code: string }>().code, 'INVALID_REQUEST');
    }
    assert.deepEqual(
      h.events.list().filter((e) => e.kind === 'operator'),
      [],
    );
  });
});
