// planReload: what a SIGHUP may change in place and what needs a restart, as a table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from '../../src/config/secret.js';
import type { VipdConfig } from '../../src/config/types.js';
import { planReload, type ReloadPlan } from '../../src/daemon/reload-plan.js';
import { configuredPeer, groupSpec, testConfig } from '../driver/harness.js';

const WEB = { name: 'web', addresses: ['10.213.0.100/24'], priority: 150 };
const DB = { name: 'db', addresses: ['10.213.0.200/24'], priority: 100 };
const BASE = testConfig({ groups: [WEB, DB] });

const applied = (fields: Partial<Extract<ReloadPlan, { apply: true }>>): ReloadPlan => ({
  apply: true,
  added: [],
  removed: [],
  changed: [],
  keysChanged: false,
  ...fields,
});

const cases: { name: string; after: VipdConfig; plan: ReloadPlan }[] = [
  {
    name: 'the same config changes nothing',
    after: testConfig({ groups: [WEB, DB] }),
    plan: applied({}),
  },
  {
    name: 'a group added, one removed',
    after: testConfig({ groups: [WEB, { ...DB, name: 'mail' }] }),
    plan: applied({ added: ['mail'], removed: ['db'] }),
  },
  {
    name: 'a group whose VIPs changed',
    after: testConfig({ groups: [{ ...WEB, addresses: ['10.213.0.101/24'] }, DB] }),
    plan: applied({ changed: ['web'] }),
  },
  {
    name: 'a group whose priority changed',
    after: testConfig({ groups: [WEB, { ...DB, priority: 120 }] }),
    plan: applied({ changed: ['db'] }),
  },
  {
    name: 'a new cluster key',
    after: { ...BASE, cluster: { ...BASE.cluster, key: new Secret('n'.repeat(32)) } },
    plan: applied({ keysChanged: true }),
  },
  {
    name: 'an accepted key added (key rotation)',
    after: { ...BASE, cluster: { ...BASE.cluster, acceptKeys: [new Secret('o'.repeat(32))] } },
    plan: applied({ keysChanged: true }),
  },
  {
    name: 'the same key, read again, is no change',
    after: { ...BASE, cluster: { ...BASE.cluster, key: new Secret('k'.repeat(32)) } },
    plan: applied({}),
  },
  {
    name: 'node id and listen need a restart',
    after: { ...BASE, node: { ...BASE.node, id: 'n9', listen: '127.0.0.1:7' } },
    plan: { apply: false, restartOnly: ['node.id', 'node.listen'] },
  },
  {
    name: 'cluster shape and timing need a restart',
    after: {
      ...BASE,
      cluster: {
        ...BASE.cluster,
        name: 'other',
        peers: [configuredPeer('n3', '127.0.0.1:13')],
        heartbeatIntervalMs: 200,
        downMultiplier: 4,
      },
    },
    plan: {
      apply: false,
      restartOnly: [
        'cluster.name',
        'cluster.peers',
        'cluster.heartbeat_interval',
        'cluster.down_multiplier',
      ],
    },
  },
  {
    name: 'TLS, the API listener and the log format need a restart',
    after: {
      ...BASE,
      cluster: { ...BASE.cluster, tls: { certFile: '/c', keyFile: '/k', caFile: '/a' } },
      api: { ...BASE.api, enabled: true, listen: '127.0.0.1:9' },
      log: { ...BASE.log, format: 'pretty' },
    },
    plan: {
      apply: false,
      restartOnly: ['cluster.tls', 'api.enabled', 'api.listen', 'log.format'],
    },
  },
  {
    name: 'a restart-only change refuses the whole reload, group changes included',
    after: { ...testConfig({ groups: [WEB] }), log: { ...BASE.log, format: 'pretty' } },
    plan: { apply: false, restartOnly: ['log.format'] },
  },
  {
    name: 'reloadable settings outside groups are no restart and no group change',
    after: {
      ...BASE,
      notifyTimeoutMs: 1000,
      log: { ...BASE.log, level: 'warn' },
      api: { ...BASE.api, maxConnections: 8 },
    },
    plan: applied({}),
  },
];

describe('planReload', () => {
  for (const { name, after, plan } of cases) {
    it(name, () => {
      assert.deepEqual(planReload(BASE, after), plan);
    });
  }

  it('compares groups by value, not by identity', () => {
    const copy = {
      ...BASE,
      groups: BASE.groups.map((g) =>
        groupSpec({
          name: g.name,
          addresses: g.vips.map((v) => `${v.address}/${v.prefixLength}`),
          priority: g.priority,
        }),
      ),
    };
    assert.deepEqual(planReload(BASE, copy), applied({}));
  });
});
