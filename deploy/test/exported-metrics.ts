// The metric names vipd really exports, read from the daemon's own metrics modules: the
// node's registry (VipdMetrics, including the process metrics it collects) and the
// real-server role's metrics. Nothing here is a hand-kept list except `up`, which
// Prometheus itself writes for every target it scrapes.

import { Registry } from 'prom-client';
import type * as MetricsModule from '../../packages/vipd/dist/src/metrics/metrics.js';
import type * as RealServerModule from '../../packages/vipd/dist/src/realserver/index.js';

/** Series Prometheus adds per scrape target; they never appear on /metrics. */
export const SCRAPE_SERIES: readonly string[] = ['up'];

const VIPD_DIST = new URL('../../../packages/vipd/dist/src/', import.meta.url);

// The daemon's package exports only VIPD_VERSION so far, so the modules are loaded from its
// build output; their types come from the same files.
async function loadVipdModules(): Promise<{
  metrics: typeof MetricsModule;
  realserver: typeof RealServerModule;
}> {
  const [metrics, realserver] = await Promise.all([
    import(new URL('metrics/metrics.js', VIPD_DIST).href) as Promise<typeof MetricsModule>,
    import(new URL('realserver/index.js', VIPD_DIST).href) as Promise<typeof RealServerModule>,
  ]);
  return { metrics, realserver };
}

/** Sample names a metric family produces (a histogram's _bucket, _sum and _count). */
function sampleNames(name: string, type: string): string[] {
  if (type === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  if (type === 'summary') return [name, `${name}_sum`, `${name}_count`];
  return [name];
}

async function namesIn(registry: Registry): Promise<string[]> {
  const families = await registry.getMetricsAsJSON();
  return families.flatMap((family) => sampleNames(family.name, String(family.type)));
}

export interface ExportedMetrics {
  /** Every series name a vipd node can put on /metrics. */
  readonly names: ReadonlySet<string>;
  /** Of those, the real-server role's. */
  readonly realServerNames: ReadonlySet<string>;
}

export async function exportedMetrics(): Promise<ExportedMetrics> {
  const { metrics, realserver } = await loadVipdModules();
  const node = new metrics.VipdMetrics();
  const realServerRegistry = new Registry();
  realserver.createRealServerPromMetrics(realServerRegistry);
  const realServerNames = new Set(await namesIn(realServerRegistry));
  return {
    names: new Set([...(await namesIn(node.registry)), ...realServerNames]),
    realServerNames,
  };
}
