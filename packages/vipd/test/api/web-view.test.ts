// GET /ui/: the page and its files come from the package, each under a strict CSP, and no
// request path reaches anything else. The browser test (test/e2e/web-view.test.ts) checks
// what the page shows.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { loadWebAssets, WEB_VIEW_CSP, type WebAsset } from '../../src/api/web-view.js';
import { Secret } from '../../src/config/secret.js';
import { createLogger } from '../../src/log/logger.js';
import { Harness, testConfig } from '../driver/harness.js';

let harness: Harness | undefined;
let app: FastifyInstance | undefined;

async function setup(webAssets?: ReadonlyMap<string, WebAsset>): Promise<FastifyInstance> {
  harness = new Harness(
    testConfig({ groups: [{ name: 'web', addresses: ['10.213.0.100/24'], priority: 150 }] }),
  );
  await harness.start();
  app = await buildApp({
    control: harness.driver,
    metrics: harness.metrics,
    logger: createLogger({
      level: 'fatal',
      format: 'json',
      destination: { write: () => undefined },
    }),
    token: () => new Secret('operator-token-0123456789'),
    ...(webAssets === undefined ? {} : { webAssets }),
  });
  return app;
}

afterEach(async () => {
  await app?.close();
  await harness?.stop();
  app = undefined;
  harness = undefined;
});

const get = (a: FastifyInstance, url: string, host = '127.0.0.1:7411') =>
  a.inject({ method: 'GET', url, headers: { host } });

describe('the web view', () => {
  it('GET /ui/ is the page, with a CSP that allows only this origin and no framing', async () => {
    const a = await setup();
    const response = await get(a, '/ui/');
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/html/);
    assert.equal(response.headers['content-security-policy'], WEB_VIEW_CSP);
    assert.match(WEB_VIEW_CSP, /default-src 'none'/);
    assert.match(WEB_VIEW_CSP, /script-src 'self'(;|$)/);
    assert.match(WEB_VIEW_CSP, /frame-ancestors 'none'/);
    assert.doesNotMatch(WEB_VIEW_CSP, /unsafe-inline|unsafe-eval|\*/);
    assert.equal(response.headers['x-frame-options'], 'DENY');
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
    assert.doesNotMatch(response.body, /<script>|\son\w+=/i, 'no inline script or handler');
    assert.doesNotMatch(response.body, /https?:\/\//, 'nothing from another origin');
  });

  it('every file the page and its scripts load is served, with its type', async () => {
    const a = await setup();
    const page = (await get(a, '/ui/')).body;
    const pending = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    const seen = new Set<string>();
    while (pending.length > 0) {
      const name = pending.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const response = await get(a, `/ui/${name}`);
      assert.equal(response.statusCode, 200, `/ui/${name}`);
      assert.equal(response.headers['content-security-policy'], WEB_VIEW_CSP);
      const type = String(response.headers['content-type']);
      if (name.endsWith('.js')) {
        assert.match(type, /^text\/javascript/);
        // The scripts' own relative imports must ship too.
        for (const m of response.body.matchAll(/from '\.\/([^']+)'/g)) pending.push(m[1]!);
      } else assert.match(type, /^(text\/css|image\/svg\+xml)/);
    }
    assert.ok(
      seen.has('main.js') &&
        seen.has('style.css') &&
        seen.has('events-view.js') &&
        seen.has('icon.svg'),
    );
  });

  it('/ui redirects to /ui/; a name not in the page, or a path outside it, is 404', async () => {
    const a = await setup();
    const redirect = await get(a, '/ui');
    assert.equal(redirect.statusCode, 308);
    assert.equal(redirect.headers.location, '/ui/');
    for (const url of [
      '/ui/package.json',
      '/ui/..%2fpackage.json',
      '/ui/../dist/src/index.js',
      '/ui/main.d.ts',
      '/ui/tsconfig.json',
    ]) {
      const response = await get(a, url);
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json<{ code: string }>().code, 'NOT_FOUND', url);
    }
  });

  it('answers only to a Host the API answers to (DNS rebinding)', async () => {
    const a = await setup();
    const response = await get(a, '/ui/', 'evil.example');
    assert.equal(response.statusCode, 421);
    assert.equal(response.json<{ code: string }>().code, 'HOST_NOT_ALLOWED');
    assert.equal(response.headers['content-security-policy'], undefined);
  });

  it('API answers carry nosniff too', async () => {
    const a = await setup();
    const response = await get(a, '/v1/status');
    assert.equal(response.statusCode, 200);
    assert.equal(response.headers['x-content-type-options'], 'nosniff');
  });

  it('a package built without the page answers 404 at /ui/ and serves the API as before', async () => {
    const missing = new URL('file:///nonexistent-vipd-ui/');
    assert.equal(loadWebAssets(missing, missing).size, 0);
    const a = await setup(new Map());
    assert.equal((await get(a, '/ui/')).statusCode, 404);
    assert.equal((await get(a, '/v1/status')).statusCode, 200);
  });
});
