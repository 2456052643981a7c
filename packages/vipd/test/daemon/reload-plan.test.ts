// planReload: what a SIGHUP may change in place and what needs a restart, as a table.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Secret } from '../../src/config/secret.js';
import type { VipdConfig } from '../../src/config/types.js';
import { planReload, type ReloadPlan } from '../../src/daemon/reload-plan.js';

/** A refusal, compared by the keys it names; each key must also come with its reason. */
const refused = (restartOnly: string[], reasons = restartOnly) => ({ restartOnly, reasons });
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

const cases: {
  name: string;
  after: VipdConfig;
  plan: ReloadPlan | ReturnType<typeof refused>;
}[] = [
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
    plan: refused(['node.id', 'node.listen']),
  },
  {
    name: 'the cluster name needs a restart',
    after: { ...BASE, cluster: { ...BASE.cluster, name: 'other' } },
    plan: refused(['cluster.name']),
  },
  {
    name: 'switching the heartbeat datagrams needs a restart (the socket is bound at start)',
    after: {
      ...BASE,
      cluster: { ...BASE.cluster, heartbeatDatagram: !BASE.cluster.heartbeatDatagram },
    },
    plan: refused(['cluster.heartbeat_datagram']),
  },
  {
    name: 'peers, interval and down multiplier reload (a step a rolling reload survives)',
    after: {
      ...BASE,
      cluster: {
        ...BASE.cluster,
        peers: [configuredPeer('n3', '127.0.0.1:13')],
        heartbeatIntervalMs: BASE.cluster.heartbeatIntervalMs * 1.5,
        downMultiplier: BASE.cluster.downMultiplier + 1,
      },
    },
    plan: applied({}),
  },
  {
    name: 'an interval longer than half the deadline peers still wait is refused',
    after: {
      ...BASE,
      cluster: {
        ...BASE.cluster,
        heartbeatIntervalMs: BASE.cluster.heartbeatIntervalMs * BASE.cluster.downMultiplier,
      },
    },
    plan: refused([], ['cluster.heartbeat_interval']),
  },
  {
    name: 'a deadline shorter than two of the intervals peers still send is refused',
    after: {
      ...BASE,
      cluster: {
        ...BASE.cluster,
        heartbeatIntervalMs: BASE.cluster.heartbeatIntervalMs / 4,
        downMultiplier: 2,
      },
    },
    plan: refused([], ['cluster.down_multiplier']),
  },
  {
    name: 'raising down_multiplier first, then the interval, is two safe reloads',
    after: { ...BASE, cluster: { ...BASE.cluster, downMultiplier: 20 } },
    plan: applied({}),
  },
  {
    name: 'TLS files reload; switching TLS on, the API listener and the log format need a restart',
    after: {
      ...BASE,
      cluster: { ...BASE.cluster, tls: { certFile: '/c', keyFile: '/k', caFile: '/a' } },
      api: { ...BASE.api, enabled: true, listen: '127.0.0.1:9' },
      log: { ...BASE.log, format: 'pretty' },
    },
    plan: refused(['cluster.tls', 'api.enabled', 'api.listen', 'log.format']),
  },
  {
    name: 'a restart-only change refuses the whole reload, group changes included',
    after: { ...testConfig({ groups: [WEB] }), log: { ...BASE.log, format: 'pretty' } },
    plan: refused(['log.format']),
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
      const got = planReload(BASE, after);
      if ('apply' in plan) {
        assert.deepEqual(got, plan);
        return;
      }
      assert.ok(!got.apply, 'refused');
      assert.deepEqual(got.restartOnly, plan.restartOnly);
      assert.deepEqual(
        got.reasons.map((reason) => reason.slice(0, reason.indexOf(':'))),
        plan.reasons,
        'one reason per refused key, in order',
      );
      for (const reason of got.reasons) assert.match(reason, /: \S.{10,}/, 'a reason is given');
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
