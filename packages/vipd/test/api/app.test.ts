import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import type { GroupView, StatusView, TakeoverResult } from '../../src/api/control.js';
import { Secret } from '../../src/config/secret.js';
import { ERROR_CODES } from '../../src/errors.js';
import { createLogger } from '../../src/log/logger.js';
import { DOWN_AFTER_MS, Harness, flush, testConfig, type LogLine } from '../driver/harness.js';
import { findPromtool, promtoolCheckMetrics } from '../metrics/promtool.js';

const TOKEN = 'operator-token-0123456789';
const AUTH = { authorization: `Bearer ${TOKEN}` };
const WEB = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };

let harness: Harness | undefined;
let app: FastifyInstance | undefined;
const apiLogs: LogLine[] = [];

async function setup(
  options: {
    token?: string | null;
    allowedHosts?: readonly string[];
    now?: () => number;
  } = {},
): Promise<{ h: Harness; app: FastifyInstance }> {
  harness = new Harness(testConfig({ groups: [WEB] }));
  await harness.start();
  apiLogs.length = 0;
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    destination: { write: (line: string) => apiLogs.push(JSON.parse(line) as LogLine) },
  });
  const token = options.token === undefined ? TOKEN : options.token;
  app = await buildApp({
    control: harness.driver,
    metrics: harness.metrics,
    logger,
    token: () => (token === null ? null : new Secret(token)),
    ...(options.allowedHosts === undefined
      ? {}
      : { allowedHosts: () => options.allowedHosts ?? [] }),
    ...(options.now === undefined ? {} : { now: options.now }),
  });
  return { h: harness, app };
}

afterEach(async () => {
  await app?.close();
  await harness?.stop();
  app = undefined;
  harness = undefined;
});

function assertError(
  response: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
): string {
  assert.equal(response.statusCode, status);
  const body = response.json() as { code: string; message: string };
  assert.equal(body.code, code);
  assert.deepEqual(Object.keys(body).sort(), ['code', 'message']);
  assert.ok(body.message.length > 0);
  return body.message;
}

describe('GET routes', () => {
  it('GET /v1/status: node, quorum, peers, groups, trackers', async () => {
    const { h, app } = await setup();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    await h.advance(1);
    const response = await app.inject({ method: 'GET', url: '/v1/status' });
    assert.equal(response.statusCode, 200);
    const body = response.json<StatusView>();
    assert.equal(body.node.id, 'n1');
    assert.equal(body.node.phase, 'running');
    assert.equal(body.node.witness, false);
    assert.deepEqual(
      body.peers.map((p) => [p.id, p.up, p.groups['web']?.state]),
      [['n2', true, 'BACKUP']],
    );
    assert.deepEqual(
      body.groups.map((g) => [g.name, g.state, g.master, g.announced, g.epoch]),
      [['web', 'MASTER', 'n1', true, 1]],
    );
  });

  it('GET /v1/groups/:name: the group, or 404 UNKNOWN_GROUP', async () => {
    const { app } = await setup();
    const ok = await app.inject({ method: 'GET', url: '/v1/groups/web' });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json<GroupView>().state, 'BACKUP');
    const message = assertError(
      await app.inject({ method: 'GET', url: '/v1/groups/db' }),
      404,
      'UNKNOWN_GROUP',
    );
    assert.match(message, /no group "db"/);
  });

  it('unknown route: 404 NOT_FOUND with the { code, message } body', async () => {
    const { app } = await setup();
    assertError(await app.inject({ method: 'GET', url: '/v2/nothing' }), 404, 'NOT_FOUND');
  });

  it('/healthz and /readyz; /readyz is 503 NOT_READY once stopping', async () => {
    const { h, app } = await setup();
    assert.deepEqual((await app.inject({ method: 'GET', url: '/healthz' })).json(), {
      status: 'ok',
      phase: 'running',
    });
    assert.deepEqual((await app.inject({ method: 'GET', url: '/readyz' })).json(), {
      status: 'ready',
      phase: 'running',
    });
    h.driver.stop();
    assertError(await app.inject({ method: 'GET', url: '/readyz' }), 503, 'NOT_READY');
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/maintenance',
        headers: AUTH,
        payload: { enabled: true },
      }),
      503,
      'NOT_READY',
    );
  });

  it('GET /metrics: Prometheus text that promtool accepts, rejected requests counted', async () => {
    const { app } = await setup();
    await app.inject({ method: 'POST', url: '/v1/maintenance', payload: { enabled: true } });
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(response.body, /vipd_group_state\{group="web",state="BACKUP"\} 1/);
    assert.match(response.body, /vipd_api_requests_rejected_total\{code="UNAUTHORIZED"\} 1/);
    const promtool = findPromtool();
    if (promtool !== null) {
      const check = promtoolCheckMetrics(promtool, response.body);
      assert.ok(check.ok, check.output);
    }
  });

  it('GET /metrics: the refusals an outside client can cause are there from the start, at 0', async () => {
    const { app } = await setup();
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    for (const code of ['UNAUTHORIZED', 'API_READ_ONLY', 'HOST_NOT_ALLOWED', 'BODY_TOO_LARGE'])
      assert.match(
        text,
        new RegExp(`^vipd_api_requests_rejected_total\\{code="${code}"\\} 0$`, 'm'),
      );
    for (const reason of ['max-connections', 'timeout', 'idle', 'malformed'])
      assert.match(
        text,
        new RegExp(`^vipd_api_connections_dropped_total\\{reason="${reason}"\\} 0$`, 'm'),
      );
  });

  it('GET /openapi.json: every route with its schemas, errors as { code, message }', async () => {
    const { app } = await setup();
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(response.statusCode, 200);
    const doc = response.json<{
      openapi: string;
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; security?: unknown }>
      >;
      components: { schemas: Record<string, { properties: { code: { enum: string[] } } }> };
    }>();
    assert.equal(doc.openapi, '3.0.3');
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      '/healthz',
      '/metrics',
      '/readyz',
      '/v1/events',
      '/v1/groups/{name}',
      '/v1/groups/{name}/release',
      '/v1/groups/{name}/takeover',
      '/v1/maintenance',
      '/v1/status',
    ]);
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        assert.ok(operation.responses['200'], `${method} ${path} documents its 200 reply`);
        if (method === 'post') {
          assert.ok(operation.security, `${method} ${path} needs the bearer token`);
          assert.ok(operation.responses['401'], `${method} ${path} documents 401`);
        }
      }
    }
    const errorSchema = Object.values(doc.components.schemas).find(
      (s) => s.properties.code.enum.length > 0,
    );
    assert.deepEqual(errorSchema?.properties.code.enum, ERROR_CODES);
  });
});

describe('Host header (DNS rebinding)', () => {
  it('GET /v1/status with Host evil.example is refused 421 HOST_NOT_ALLOWED; IP literals and localhost are answered', async () => {
    const { h, app } = await setup();
    for (const host of [
      'evil.example',
      'evil.example:7411',
      'EVIL.example.',
      '127.0.0.1.evil.example',
    ]) {
      const message = assertError(
        await app.inject({ method: 'GET', url: '/v1/status', headers: { host } }),
        421,
        'HOST_NOT_ALLOWED',
      );
      assert.match(message, /api\.allowed_hosts/);
    }
    assertError(
      await app.inject({ method: 'GET', url: '/metrics', headers: { host: 'evil.example' } }),
      421,
      'HOST_NOT_ALLOWED',
    );
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/maintenance',
        headers: { ...AUTH, host: 'evil.example' },
        payload: { enabled: true },
      }),
      421,
      'HOST_NOT_ALLOWED',
    );
    assert.equal(h.state('web'), 'BACKUP');
    for (const host of [
      '127.0.0.1:7411',
      '127.0.0.1',
      'localhost',
      'LOCALHOST:7411',
      '[::1]:7411',
      '10.1.2.3',
    ]) {
      const response = await app.inject({ method: 'GET', url: '/v1/status', headers: { host } });
      assert.equal(response.statusCode, 200, host);
    }
    assert.match(
      await h.metrics.render(),
      /^vipd_api_requests_rejected_total\{code="HOST_NOT_ALLOWED"\} 6$/m,
    );
    const warnings = apiLogs.filter((l) => /Host "evil\.example" is not/.test(l.msg));
    assert.equal(warnings.length, 1, 'one warning per interval');
  });

  it('names in api.allowed_hosts are answered, in any case and with any port', async () => {
    const { app } = await setup({ allowedHosts: ['vipd-1.example'] });
    for (const host of ['vipd-1.example', 'VIPD-1.example:7411']) {
      const response = await app.inject({ method: 'GET', url: '/v1/status', headers: { host } });
      assert.equal(response.statusCode, 200, host);
    }
    assertError(
      await app.inject({ method: 'GET', url: '/v1/status', headers: { host: 'vipd-2.example' } }),
      421,
      'HOST_NOT_ALLOWED',
    );
  });
});

describe('mutating routes: authentication', () => {
  it('401 UNAUTHORIZED without a token or with a wrong one; the attempt is logged', async () => {
    const { app } = await setup();
    const missing = assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/takeover' }),
      401,
      'UNAUTHORIZED',
    );
    assert.match(missing, /missing Authorization/);
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover',
        headers: { authorization: `Bearer ${TOKEN}x` },
      }),
      401,
      'UNAUTHORIZED',
    );
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover',
        headers: { authorization: `Basic ${TOKEN}` },
      }),
      401,
      'UNAUTHORIZED',
    );
    const refusals = apiLogs.filter((l) => /bad bearer token/.test(l.msg));
    assert.equal(refusals.length, 1, 'one warning per interval');
    assert.ok(!JSON.stringify(apiLogs).includes(TOKEN), 'the token never reaches the log');
  });

  it('a flood of 1,000 bad tokens: a handful of warnings that count the rest, all 1,000 in the metric', async () => {
    let nowMs = 0;
    const { h, app } = await setup({ now: () => nowMs });
    for (let i = 0; i < 1000; i += 1) {
      // 15 s of flood in all: a warning interval and a half.
      nowMs = i * 15;
      const response = await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover',
        headers: { authorization: `Bearer wrong-${i}` },
      });
      assert.equal(response.statusCode, 401);
    }
    const warnings = apiLogs.filter((l) => /mutating call refused/.test(l.msg));
    assert.deepEqual(
      warnings.map((l) => l['suppressed']),
      [0, 666],
      'the first refusal, then one line per 10 s with the count it stands for',
    );
    assert.match(warnings[1]?.msg ?? '', /666 more refused since the last warning/);
    assert.ok(warnings.every((l) => l.level === 'warn'));
    assert.match(
      await h.metrics.render(),
      /^vipd_api_requests_rejected_total\{code="UNAUTHORIZED"\} 1000$/m,
    );
    await app.close();
    const closing = apiLogs.filter((l) => /mutating calls refused/.test(l.msg));
    assert.deepEqual(
      closing.map((l) => l['suppressed']),
      [332],
      'the refusals since the last warning are reported when the API closes',
    );
  });

  it('403 API_READ_ONLY when no token is configured', async () => {
    const { app } = await setup({ token: null });
    assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/takeover', headers: AUTH }),
      403,
      'API_READ_ONLY',
    );
  });
});

describe('POST /v1/groups/:name/takeover', () => {
  it('200 once master and announced, with the new epoch; the action is logged with who and result', async () => {
    const { h, app } = await setup();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 4 } });
    const response = await app.inject({
      method: 'POST',
      url: '/v1/groups/web/takeover',
      headers: AUTH,
      remoteAddress: '192.0.2.7',
    });
    assert.equal(response.statusCode, 200, response.body);
    const body = response.json<TakeoverResult>();
    assert.equal(body.group.state, 'MASTER');
    assert.equal(body.group.announced, true);
    assert.equal(body.group.forced, true);
    assert.ok(body.group.epoch > 4);
    assert.deepEqual(h.present(), ['10.213.0.100/24']);
    const audit = apiLogs.find((l) => l['action'] === 'takeover');
    assert.ok(audit);
    assert.deepEqual(audit['operator'], { remote: '192.0.2.7', actor: 'api' });
    assert.equal(audit['result'], 'ok');
    assert.equal(audit['group'], 'web');
  });

  it('409 with the reason when the election refuses (maintenance, fault)', async () => {
    const { h, app } = await setup();
    await app.inject({
      method: 'POST',
      url: '/v1/maintenance',
      headers: AUTH,
      payload: { enabled: true },
    });
    const message = assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/takeover', headers: AUTH }),
      409,
      'NODE_IN_MAINTENANCE',
    );
    assert.match(message, /maintenance/);
    await app.inject({
      method: 'POST',
      url: '/v1/maintenance',
      headers: AUTH,
      payload: { enabled: false },
    });
    h.driver.trackerReport({ trackerId: 'uplink', group: 'web', weightDelta: 0, fault: true });
    assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/takeover', headers: AUTH }),
      409,
      'GROUP_IN_FAULT',
    );
    const audit = apiLogs.filter((l) => l['action'] === 'takeover').map((l) => l['result']);
    assert.deepEqual(audit, ['NODE_IN_MAINTENANCE', 'GROUP_IN_FAULT']);
    assert.match(
      await h.metrics.render(),
      /vipd_operator_actions_total\{action="takeover",result="GROUP_IN_FAULT"\} 1/,
    );
  });

  it('404 for an unknown group, 400 for a bad timeout', async () => {
    const { app } = await setup();
    assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/db/takeover', headers: AUTH }),
      404,
      'UNKNOWN_GROUP',
    );
    const message = assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover?timeout_ms=soon',
        headers: AUTH,
      }),
      400,
      'INVALID_REQUEST',
    );
    assert.match(message, /timeout_ms/);
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/groups/web/takeover?timeout_ms=0',
        headers: AUTH,
      }),
      400,
      'INVALID_REQUEST',
    );
    assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/takeover?wait=1', headers: AUTH }),
      400,
      'INVALID_REQUEST',
    );
  });
});

describe('POST /v1/groups/:name/release', () => {
  it('200 once another node took over and the VIPs are gone', async () => {
    const { h, app } = await setup();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    await h.advance(1);
    assert.equal(h.state('web'), 'MASTER');
    const epoch = h.driver.group('web')?.epoch ?? 0;
    const pending = app.inject({ method: 'POST', url: '/v1/groups/web/release', headers: AUTH });
    await flush();
    await h.say('n2', { web: { state: 'MASTER', priority: 100, epoch: epoch + 1 } });
    const response = await pending;
    assert.equal(response.statusCode, 200, response.body);
    assert.equal(response.json<GroupView>().state, 'BACKUP');
    assert.deepEqual(h.present(), []);
  });

  it('409 NOT_MASTER on a backup', async () => {
    const { h, app } = await setup();
    await h.say('n2', { web: { state: 'MASTER', priority: 200, epoch: 1 } });
    assertError(
      await app.inject({ method: 'POST', url: '/v1/groups/web/release', headers: AUTH }),
      409,
      'NOT_MASTER',
    );
  });

  it('504 RELEASE_TIMEOUT when nobody takes the group within timeout_ms', async () => {
    const { h, app } = await setup();
    await h.say('n2', { web: { state: 'BACKUP', priority: 100, epoch: 0 } });
    await h.advance(1);
    const pending = app.inject({
      method: 'POST',
      url: '/v1/groups/web/release?timeout_ms=50',
      headers: AUTH,
    });
    await flush();
    await h.advance(60);
    assertError(await pending, 504, 'RELEASE_TIMEOUT');
    assert.ok(DOWN_AFTER_MS > 60);
  });
});

describe('POST /v1/maintenance', () => {
  it('200 with the new state', async () => {
    const { h, app } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/v1/maintenance',
      headers: AUTH,
      payload: { enabled: true },
    });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { maintenance: true });
    assert.equal(h.state('web'), 'MAINTENANCE');
  });

  it('400 INVALID_REQUEST for a body that does not match: wrong type, missing, extra key', async () => {
    const { h, app } = await setup();
    for (const payload of [
      { enabled: 'yes' },
      { enabled: 'true' },
      {},
      { enabled: true, extra: 1 },
      [true],
    ]) {
      const message = assertError(
        await app.inject({ method: 'POST', url: '/v1/maintenance', headers: AUTH, payload }),
        400,
        'INVALID_REQUEST',
      );
      assert.match(message, /^body /, message);
    }
    assert.equal(h.state('web'), 'BACKUP', 'nothing changed');
    assert.match(
      await h.metrics.render(),
      /vipd_api_requests_rejected_total\{code="INVALID_REQUEST"\} 5/,
    );
  });

  it('400 for malformed JSON, 415 for another media type, 413 for a huge body', async () => {
    const { app } = await setup();
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/maintenance',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: '{"enabled":',
      }),
      400,
      'INVALID_REQUEST',
    );
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/maintenance',
        headers: { ...AUTH, 'content-type': 'text/plain' },
        payload: 'enabled',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assertError(
      await app.inject({
        method: 'POST',
        url: '/v1/maintenance',
        headers: { ...AUTH, 'content-type': 'application/json' },
        payload: `{"enabled":true,"x":"${'a'.repeat(20_000)}"}`,
      }),
      413,
      'BODY_TOO_LARGE',
    );
  });
});
