// deploy/prometheus/prometheus.yml scrapes the example clusters: every target must be the
// api.listen of the example node its `cluster` and `node` labels name, or the scrape config
// an operator copies points at addresses their nodes do not listen on.

import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { DEPLOY_DIR } from './vipd-cli.js';

interface StaticConfig {
  readonly targets: readonly string[];
  readonly labels: { readonly cluster: string; readonly node: string };
}

interface ExampleNode {
  readonly file: string;
  readonly cluster: string;
  readonly node: string;
  readonly apiListen: string;
}

const EXAMPLES_DIR = join(DEPLOY_DIR, 'examples');
/** The schema's defaults for what an example may leave out. */
const DEFAULT_CLUSTER_NAME = 'vipd';
const DEFAULT_API_LISTEN = '127.0.0.1:7411';

function exampleNodes(): ExampleNode[] {
  return readdirSync(EXAMPLES_DIR, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((dir) =>
      readdirSync(join(EXAMPLES_DIR, dir.name))
        .filter((name) => name.endsWith('.yaml'))
        .map((name) => {
          const file = join(dir.name, name);
          const doc = parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as {
            node: { id: string };
            cluster?: { name?: string };
            api?: { listen?: string };
          };
          return {
            file,
            cluster: doc.cluster?.name ?? DEFAULT_CLUSTER_NAME,
            node: doc.node.id,
            apiListen: doc.api?.listen ?? DEFAULT_API_LISTEN,
          };
        }),
    );
}

function scrapeTargets(): StaticConfig[] {
  const config = parse(readFileSync(join(DEPLOY_DIR, 'prometheus', 'prometheus.yml'), 'utf8')) as {
    scrape_configs: { job_name: string; static_configs: StaticConfig[] }[];
  };
  const job = config.scrape_configs.find((c) => c.job_name === 'vipd');
  assert.ok(job !== undefined, 'a scrape job named vipd');
  return job.static_configs;
}

describe('deploy/prometheus/prometheus.yml against deploy/examples', () => {
  const nodes = exampleNodes();
  const targets = scrapeTargets();

  it('every target is the api.listen of the example node its labels name', () => {
    assert.ok(targets.length > 0);
    for (const { targets: addresses, labels } of targets) {
      const matches = nodes.filter((n) => n.cluster === labels.cluster && n.node === labels.node);
      assert.equal(
        matches.length,
        1,
        `one example node is cluster ${labels.cluster}, node ${labels.node}`,
      );
      const [node] = matches;
      assert.deepEqual(addresses, [node?.apiListen], `${node?.file}: api.listen`);
    }
  });

  it('a scraped example node listens where a central Prometheus can reach it (not loopback)', () => {
    for (const { targets: addresses } of targets)
      for (const address of addresses) assert.doesNotMatch(address, /^(127\.|\[::1\])/);
  });

  it('scrapes every node of each example cluster it names (a witness too)', () => {
    const scraped = new Set(targets.map((t) => `${t.labels.cluster}/${t.labels.node}`));
    const clusters = new Set(targets.map((t) => t.labels.cluster));
    for (const node of nodes.filter((n) => clusters.has(n.cluster)))
      assert.ok(scraped.has(`${node.cluster}/${node.node}`), `${node.file} is not scraped`);
  });
});
