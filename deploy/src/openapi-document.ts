// The OpenAPI document exactly as a running vipd serves it: the daemon's buildApp, asked
// for GET /openapi.json through inject(). No route handler runs, so the daemon's control
// surface is an object that refuses every call.

import { pino } from 'pino';
import type * as AppModule from '../../packages/vipd/dist/src/api/app.js';
import type { DaemonControl } from '../../packages/vipd/dist/src/api/control.js';
import type * as MetricsModule from '../../packages/vipd/dist/src/metrics/metrics.js';
import type { OpenApiDocument } from './openapi-markdown.js';

// The daemon's package exports only VIPD_VERSION so far, so these load from its build
// output; their types come from the same files.
const VIPD_DIST = new URL('../../../packages/vipd/dist/src/', import.meta.url);

function unused(): never {
  throw new Error('the OpenAPI document is read without running any route');
}

const NO_DAEMON: DaemonControl = {
  status: unused,
  group: unused,
  takeover: unused,
  release: unused,
  setMaintenance: unused,
  phase: unused,
};

export async function fetchOpenApiDocument(): Promise<OpenApiDocument> {
  const [{ buildApp }, { VipdMetrics }] = await Promise.all([
    import(new URL('api/app.js', VIPD_DIST).href) as Promise<typeof AppModule>,
    import(new URL('metrics/metrics.js', VIPD_DIST).href) as Promise<typeof MetricsModule>,
  ]);
  const app = await buildApp({
    control: NO_DAEMON,
    metrics: new VipdMetrics(),
    logger: pino({ level: 'silent' }),
    token: () => null,
  });
  try {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    if (response.statusCode !== 200)
      throw new Error(`GET /openapi.json answered ${response.statusCode}: ${response.body}`);
    return response.json<OpenApiDocument>();
  } finally {
    await app.close();
  }
}
