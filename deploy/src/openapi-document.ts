// The OpenAPI document exactly as a running vipd serves it: the daemon's buildApp, asked
// for GET /openapi.json through inject(). No route handler runs, so the daemon's control
// surface is an object that refuses every call.

import { VipdMetrics, buildApp, silentLogger, type DaemonControl } from '@vipd/vipd';
import type { OpenApiDocument } from './openapi-markdown.js';

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
  const app = await buildApp({
    control: NO_DAEMON,
    metrics: new VipdMetrics(),
    logger: silentLogger(),
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
