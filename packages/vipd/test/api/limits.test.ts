// The API server's limits on real sockets (127.0.0.1, port 0): the things inject() cannot
// show, because they happen on the connection rather than in a route.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { ApiLimits } from '../../src/api/limits.js';
import type { Harness } from '../driver/harness.js';
import { AppUnderTest, listenLocal, OPERATOR_TOKEN } from './app-under-test.js';
import { RawClient } from './raw-client.js';

const api = new AppUnderTest();

async function listening(
  limits: Partial<ApiLimits>,
): Promise<{ h: Harness; app: FastifyInstance; port: number }> {
  const { h, app } = await api.start({ limits });
  return { h, app, port: await listenLocal(app) };
}

afterEach(async () => {
  RawClient.destroyAll();
  await api.stop();
});

const metricValue = async (h: Harness, series: string): Promise<number> => {
  const line = (await h.metrics.render()).split('\n').find((l) => l.startsWith(`${series} `));
  return Number(line?.split(' ')[1]);
};

describe('API server limits (real sockets)', () => {
  it('slowloris: headers sent one byte at a time are cut at the headers timeout, 408 REQUEST_TIMEOUT', async () => {
    const { h, port } = await listening({
      headersTimeoutMs: 1000,
      requestTimeoutMs: 2000,
      timeoutCheckIntervalMs: 100,
    });
    // Before the connection exists, so no delay of this test can make the cut look early.
    const startedAt = performance.now();
    const slow = new RawClient(port);
    const silent = new RawClient(port);
    await Promise.all([slow.opened(), silent.opened()]);
    slow.socket.write('GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    // Bounded: 40 bytes, 250 ms apart, 10 s in all; the server must cut it long before.
    let sent = 0;
    while (sent < 40 && !slow.closed) {
      if (await slow.closedWithin(250)) break;
      slow.socket.write('a');
      sent += 1;
    }
    const cutAfterMs = performance.now() - startedAt;
    assert.ok(slow.closed, `the server still reads a header after ${sent} slow bytes`);
    assert.ok(cutAfterMs >= 950, `cut after ${cutAfterMs} ms, before the headers timeout`);
    assert.ok(sent < 40);
    assert.match(slow.received, /^HTTP\/1\.1 408 /);
    assert.match(slow.received, /"code":"REQUEST_TIMEOUT"/);
    // A connection that sends nothing at all is cut the same way.
    assert.ok(await silent.closedWithin(10_000), 'a silent connection is kept open');
    assert.equal(await metricValue(h, 'vipd_api_connections_dropped_total{reason="timeout"}'), 2);
  });

  it('a kept-alive connection is closed after the keep-alive timeout, a silent one after the idle timeout', async () => {
    const { h, port } = await listening({ keepAliveTimeoutMs: 300, idleTimeoutMs: 500 });
    const kept = new RawClient(port);
    const silent = new RawClient(port);
    await Promise.all([kept.opened(), silent.opened()]);
    kept.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal((await kept.response(10_000)).status, 200);
    assert.ok(await kept.closedWithin(10_000), 'an idle kept-alive connection stays open');
    assert.ok(await silent.closedWithin(10_000), 'a connection that never sends stays open');
    assert.equal(silent.received, '');
    assert.equal(await metricValue(h, 'vipd_api_connections_dropped_total{reason="idle"}'), 1);
  });

  it('not HTTP, or headers over 16 KiB: answered in the API error shape, closed and counted', async () => {
    const { h, port } = await listening({});
    const garbage = new RawClient(port);
    await garbage.opened();
    garbage.socket.write('HELLO THERE\r\n\r\n');
    assert.ok(await garbage.closedWithin(10_000));
    assert.match(garbage.received, /^HTTP\/1\.1 400 /);
    assert.match(garbage.received, /"code":"INVALID_REQUEST"/);
    const huge = new RawClient(port);
    await huge.opened();
    huge.socket.write(
      `GET /v1/status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    assert.ok(await huge.closedWithin(10_000));
    assert.match(huge.received, /^HTTP\/1\.1 431 /);
    assert.match(huge.received, /"code":"HEADERS_TOO_LARGE"/);
    assert.equal(await metricValue(h, 'vipd_api_connections_dropped_total{reason="malformed"}'), 2);
  });

  it('a bad token is answered 401 before a 10 MB body is sent, and the connection is closed', async () => {
    const { h, port } = await listening({});
    for (const contentLength of [1000, 10 * 1024 * 1024]) {
      const client = new RawClient(port);
      await client.opened();
      client.socket.write(
        'POST /v1/maintenance HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          'Content-Type: application/json\r\nAuthorization: Bearer not-the-token\r\n' +
          `Content-Length: ${contentLength}\r\n\r\n`,
      );
      // No byte of the body is ever sent: the answer must not wait for it.
      const response = await client.response(10_000);
      assert.equal(response.status, 401, `Content-Length ${contentLength}`);
      assert.equal((JSON.parse(response.body) as { code: string }).code, 'UNAUTHORIZED');
      assert.match(response.headers, /^connection: close$/im);
      assert.ok(await client.closedWithin(10_000), 'the server closes the connection');
    }
    assert.equal(h.state('web'), 'BACKUP', 'nothing ran');
    assert.equal(await metricValue(h, 'vipd_api_requests_rejected_total{code="UNAUTHORIZED"}'), 2);
  });

  it('at the cap a newcomer sheds the oldest connection with no request in progress', async () => {
    const { h, port } = await listening({ maxConnections: 2 });
    const first = new RawClient(port);
    const second = new RawClient(port);
    for (const client of [first, second]) {
      await client.opened();
      assert.equal((await client.get('/healthz')).status, 200);
    }
    // Both wait between requests: the third sheds the one that has waited longest.
    const third = new RawClient(port);
    await third.opened();
    assert.equal((await third.get('/healthz')).status, 200, 'the newcomer is served');
    assert.ok(await first.closedWithin(10_000), 'the longest-waiting connection is shed');
    assert.equal(second.closed, false, 'only one is shed');
    assert.equal(await metricValue(h, 'vipd_api_connections_dropped_total{reason="evicted"}'), 1);
  });

  it('a connection in the middle of a request is never shed; with every one busy, the newcomer is refused', async () => {
    const { h, app, port } = await listening({ maxConnections: 2 });
    // A release whose body is still on its way: the token passed, the request is in progress.
    let started = 0;
    const bothStarted = new Promise<void>((resolve) => {
      app.server.on('request', () => {
        if (++started === 2) resolve();
      });
    });
    const busy = [new RawClient(port), new RawClient(port)];
    for (const client of busy) {
      await client.opened();
      client.socket.write(
        'POST /v1/groups/web/release HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
          `Authorization: Bearer ${OPERATOR_TOKEN}\r\nContent-Type: application/json\r\n` +
          'Content-Length: 2\r\n\r\n',
      );
    }
    await bothStarted;
    const refused = new RawClient(port);
    assert.ok(await refused.closedWithin(10_000), 'a newcomer got a slot while both were busy');
    assert.equal(refused.received, '', 'closed without a byte');
    assert.equal(busy[0]!.closed || busy[1]!.closed, false, 'a busy connection was shed');
    assert.ok(
      (await metricValue(h, 'vipd_api_connections_dropped_total{reason="max-connections"}')) >= 1,
    );
    // The requests in progress complete as usual.
    busy[0]!.socket.write('{}');
    assert.notEqual((await busy[0]!.response(10_000)).status, 0);
  });

  it('sheds from the source holding the most connections, not the oldest client', async () => {
    const { port } = await listening({ maxConnections: 3 });
    const operator = new RawClient(port, '127.0.0.1');
    await operator.opened();
    assert.equal((await operator.get('/healthz')).status, 200);
    // A flood from another address takes the other two slots and sends nothing.
    const flood = [new RawClient(port, '127.0.0.2'), new RawClient(port, '127.0.0.2')];
    await Promise.all(flood.map((c) => c.opened()));
    const newcomer = new RawClient(port, '127.0.0.3');
    await newcomer.opened();
    assert.equal((await newcomer.get('/healthz')).status, 200);
    assert.ok(await flood[0]!.closedWithin(10_000), "the flood's oldest connection is shed");
    assert.equal(operator.closed, false, 'the operator, oldest of all, keeps its connection');
    assert.equal((await operator.get('/healthz')).status, 200);
  });
});
