// The metric names vipd really exports, read from the daemon's own metrics modules: the
// node's registry (VipdMetrics, including the process metrics it collects) and the
// real-server role's metrics, which the daemon registers on the same registry when a node
// has a `realserver:` section. Nothing here is a hand-kept list except `up`, which
// Prometheus itself writes for every target it scrapes.

import { VipdMetrics } from '@vipd/vipd';
import { Registry } from 'prom-client';
import type * as RealServerModule from '../../packages/vipd/dist/src/realserver/index.js';

/** Series Prometheus adds per scrape target; they never appear on /metrics. */
export const SCRAPE_SERIES: readonly string[] = ['up'];

// @vipd/vipd does not export the real-server role's metrics, so that one module is loaded
// from the package's build output; its types come from the same file.
const REALSERVER_MODULE = new URL(
  '../../../packages/vipd/dist/src/realserver/index.js',
  import.meta.url,
);

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
  const realserver = (await import(REALSERVER_MODULE.href)) as typeof RealServerModule;
  const node = new VipdMetrics();
  const realServerRegistry = new Registry();
  realserver.createRealServerPromMetrics(realServerRegistry);
  const realServerNames = new Set(await namesIn(realServerRegistry));
  return {
    names: new Set([...(await namesIn(node.registry)), ...realServerNames]),
    realServerNames,
  };
}
