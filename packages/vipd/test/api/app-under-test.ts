// The API app the route tests drive: buildApp over a started driver Harness, and what stops
// both after each test. Each test file used to build this pair by hand.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ApiDeps } from '../../src/api/app.js';
import { Secret } from '../../src/config/secret.js';
import { silentLogger } from '../../src/log/logger.js';
import { Harness, testConfig, type GroupOptions } from '../driver/harness.js';

export const OPERATOR_TOKEN = 'operator-token-0123456789';
export const WEB_GROUP = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };

/** buildApp's dependencies besides the driver's; logger and token have test defaults. */
export type TestApiDeps = Omit<ApiDeps, 'control' | 'metrics' | 'logger' | 'token'> &
  Partial<Pick<ApiDeps, 'logger' | 'token'>>;

export class AppUnderTest {
  private harness: Harness | undefined;
  private app: FastifyInstance | undefined;

  /**
   * A started Harness (group "web" at priority 150 unless `groups` says otherwise) and an app
   * over it, not listening: silent, with OPERATOR_TOKEN, unless `deps` (or what it makes of
   * the harness) says otherwise.
   */
  async start(
    deps: TestApiDeps | ((h: Harness) => TestApiDeps) = {},
    groups: readonly GroupOptions[] = [WEB_GROUP],
  ): Promise<{ h: Harness; app: FastifyInstance }> {
    const h = new Harness(testConfig({ groups }));
    this.harness = h;
    await h.start();
    this.app = await buildApp({
      control: h.driver,
      metrics: h.metrics,
      logger: silentLogger(),
      token: () => new Secret(OPERATOR_TOKEN),
      ...(typeof deps === 'function' ? deps(h) : deps),
    });
    return { h, app: this.app };
  }

  /** For afterEach: closes the app, then stops the harness; a no-op when nothing started. */
  async stop(): Promise<void> {
    await this.app?.close();
    await this.harness?.stop();
    this.app = undefined;
    this.harness = undefined;
  }
}

/** Listens on 127.0.0.1, port 0; the port the kernel chose. */
export async function listenLocal(app: FastifyInstance): Promise<number> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  assert.ok(typeof address === 'object' && address !== null);
  return address.port;
}
