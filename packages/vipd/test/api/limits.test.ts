// The API server's limits on real sockets (127.0.0.1, port 0): the things inject() cannot
// show, because they happen on the connection rather than in a route.

import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import type { ApiLimits } from '../../src/api/limits.js';
import { Secret } from '../../src/config/secret.js';
import { silentLogger } from '../../src/log/logger.js';
import { Harness, testConfig } from '../driver/harness.js';
import { RawClient } from './raw-client.js';

const TOKEN = 'operator-token-0123456789';
const WEB = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };

let harness: Harness | undefined;
let app: FastifyInstance | undefined;

async function listening(limits: Partial<ApiLimits>): Promise<{ h: Harness; port: number }> {
  harness = new Harness(testConfig({ groups: [WEB] }));
  await harness.start();
  app = await buildApp({
    control: harness.driver,
    metrics: harness.metrics,
    logger: silentLogger(),
    token: () => new Secret(TOKEN),
    limits,
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return { h: harness, port: address.port };
}

afterEach(async () => {
  RawClient.destroyAll();
  await app?.close();
  await harness?.stop();
  app = undefined;
  harness = undefined;
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

  it('connections over the cap are closed on arrival; an open one keeps working', async () => {
    const { h, port } = await listening({ maxConnections: 2 });
    const request = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
    const first = new RawClient(port);
    const second = new RawClient(port);
    for (const client of [first, second]) {
      await client.opened();
      client.socket.write(request);
      assert.equal((await client.response(10_000)).status, 200);
    }
    const third = new RawClient(port);
    assert.ok(await third.closedWithin(10_000), 'a connection over the cap is served');
    assert.equal(third.received, '', 'closed without a byte');
    first.socket.write(request);
    assert.equal((await first.response(10_000)).status, 200, 'the kept-alive one still answers');
    assert.equal(
      await metricValue(h, 'vipd_api_connections_dropped_total{reason="max-connections"}'),
      1,
    );
    second.socket.destroy();
    assert.ok(await second.closedWithin(10_000));
    // Once one is gone, a new client gets in again. The server learns of the close a moment
    // after the client does, so give it a few tries.
    let served = false;
    for (let attempt = 0; attempt < 20 && !served; attempt += 1) {
      const next = new RawClient(port);
      await next.opened();
      next.socket.write(request);
      served = await next.response(2_000).then(
        (r) => r.status === 200,
        () => false,
      );
    }
    assert.ok(served, 'a freed slot is given to the next client');
  });
});
