// The zero series a node exports before anything happened, so the first failover, conflict
// or failed hook is an increase from 0 that Prometheus can see; and the info gauges that say
// which node, cluster and VIPs the series belong to.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ElectionStatus } from '@vipd/election';
import { ADVERT_REJECT_REASONS } from '@vipd/vrrp';
import type { GroupSpec } from '../../src/config/types.js';
import { MESH_TRANSITIONS, type MetricsConfig } from '../../src/metrics/known-series.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { groupSpec } from '../driver/harness.js';
import { findPromtool, promtoolCheckMetrics } from './promtool.js';

const web = groupSpec({ name: 'web', addresses: ['192.0.2.10/24', 'fd00::10/64'] });
const db = groupSpec({ name: 'db', interface: 'eth1', addresses: ['198.51.100.5/24'] });
const edge: GroupSpec = {
  ...groupSpec({ name: 'edge', interface: 'eth2', addresses: ['203.0.113.1/24'] }),
  vrrp: { vrid: 51, advertIntervalMs: 1000, version: 3, family: 4, unicastPeers: [] },
};

function config(groups: readonly GroupSpec[], peers = ['n2', 'w']): MetricsConfig {
  return {
    node: { id: 'n1' },
    cluster: { name: 'edge-dc1', peers: peers.map((id) => ({ id })) },
    groups,
  } as unknown as MetricsConfig;
}

function sample(text: string, name: string, labels: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('zero series for label values the configuration names', () => {
  it('exports 0 for every counter series of the configured groups, peers and interfaces', async () => {
    const metrics = new VipdMetrics();
    metrics.declareConfig(config([web, db, edge]));
    const text = await metrics.render();
    for (const [name, labels] of [
      [
        'vipd_group_transitions_total',
        'group="web",from="BACKUP",to="MASTER",reason="master-down"',
      ],
      [
        'vipd_group_transitions_total',
        'group="db",from="MASTER",to="FAULT",reason="tracker-fault"',
      ],
      [
        'vipd_group_transitions_total',
        'group="edge",from="BACKUP",to="MASTER",reason="priority-zero"',
      ],
      ['vipd_heartbeats_sent_total', 'peer="n2"'],
      ['vipd_heartbeats_received_total', 'peer="w"'],
      ['vipd_heartbeats_rejected_total', 'reason="bad-mac"'],
      ['vipd_gratuitous_arp_sent_total', 'interface="eth0"'],
      ['vipd_gratuitous_arp_sent_total', 'interface="eth1"'],
      ['vipd_neighbor_advertisements_sent_total', 'interface="eth0"'],
      ['vipd_address_conflicts_total', 'group="web",kind="arp-reply"'],
      ['vipd_address_conflicts_total', 'group="web",kind="neighbor-advertisement"'],
      ['vipd_address_conflicts_total', 'group="db",kind="gratuitous-arp"'],
      ['vipd_address_operation_failures_total', 'group="db",operation="add"'],
      ['vipd_address_operation_failures_total', 'group="db",operation="remove"'],
      ['vipd_interface_mac_changes_total', 'interface="eth1"'],
      ['vipd_notify_runs_total', 'result="timeout"'],
      ['vipd_operator_actions_total', 'action="takeover",result="ok"'],
      ['vipd_config_reloads_total', 'result="failure"'],
      ['vipd_takeover_duration_seconds_count', 'group="web"'],
      ['vipd_vrrp_adverts_sent_total', 'group="edge"'],
      ['vipd_vrrp_adverts_received_total', 'group="edge"'],
      ['vipd_vrrp_master_down_expiries_total', 'group="edge"'],
      ['vipd_vrrp_adverts_rejected_total', 'interface="eth2",group="edge",reason="ttl"'],
      ['vipd_vrrp_adverts_rejected_total', 'interface="eth2",group="",reason="vrid"'],
    ] as const) {
      assert.equal(sample(text, name, labels), 0, `${name}{${labels}}`);
    }
    for (const reason of ADVERT_REJECT_REASONS) {
      const labels = `interface="eth2",group="edge",reason="${reason}"`;
      assert.equal(sample(text, 'vipd_vrrp_adverts_rejected_total', labels), 0, reason);
    }
    // Each group gets its own kind of election's transitions, and IPv6 kinds only with IPv6.
    assert.equal(
      sample(
        text,
        'vipd_group_transitions_total',
        'group="edge",from="BACKUP",to="MASTER",reason="preempt"',
      ),
      0,
    );
    assert.ok(!text.includes('group="edge",from="BACKUP",to="MASTER",reason="forced-takeover"'));
    assert.ok(!text.includes('group="db",kind="neighbor-advertisement"'));
    assert.ok(!text.includes('vipd_neighbor_advertisements_sent_total{interface="eth1"}'));
    assert.ok(!text.includes('vipd_vrrp_adverts_sent_total{group="web"}'));
    const webTransitions = text.match(/^vipd_group_transitions_total\{group="web",/gm) ?? [];
    assert.equal(webTransitions.length, MESH_TRANSITIONS.length);
  });

  it('a reload adds the zeros of new groups and peers and keeps every count', async () => {
    const metrics = new VipdMetrics();
    metrics.declareConfig(config([web]));
    metrics.recordTransition('web', 'BACKUP', 'MASTER', 'master-down');
    metrics.heartbeatsSent.inc({ peer: 'n2' }, 4);
    metrics.declareConfig(config([web, db], ['n2', 'n3']));
    const text = await metrics.render();
    const failover = 'group="web",from="BACKUP",to="MASTER",reason="master-down"';
    assert.equal(sample(text, 'vipd_group_transitions_total', failover), 1);
    assert.equal(sample(text, 'vipd_heartbeats_sent_total', 'peer="n2"'), 4);
    assert.equal(sample(text, 'vipd_heartbeats_sent_total', 'peer="n3"'), 0);
    assert.equal(sample(text, 'vipd_address_conflicts_total', 'group="db",kind="arp-reply"'), 0);
  });

  it('exports node and group info from the configuration, and follows a reload', async () => {
    const metrics = new VipdMetrics();
    assert.doesNotMatch(await metrics.render(), /^vipd_node_info\{/m, 'absent before a config');
    metrics.declareConfig(config([web, db]));
    let text = await metrics.render();
    assert.match(text, /^vipd_node_info\{node="n1",cluster="edge-dc1",version="[^"]+"\} 1$/m);
    assert.equal(
      sample(
        text,
        'vipd_group_info',
        'group="web",interface="eth0",addresses="192.0.2.10/24,fd00::10/64"',
      ),
      1,
    );
    metrics.declareConfig(config([web]));
    text = await metrics.render();
    assert.doesNotMatch(text, /^vipd_group_info\{group="db"/m);
  });

  const promtool = findPromtool();
  it(
    'a node with every zero series still passes `promtool check metrics`',
    { skip: promtool === null ? 'promtool not installed (apt-get install prometheus)' : false },
    async () => {
      const metrics = new VipdMetrics();
      metrics.declareConfig(config([web, db, edge]));
      const result = promtoolCheckMetrics(promtool!, await metrics.render());
      assert.ok(result.ok, result.output);
      assert.equal(result.output, '');
    },
  );
});

describe('since when, and pinned by whom', () => {
  const status = (forced: boolean): ElectionStatus => ({
    nodeId: 'n1',
    maintenance: false,
    quorum: { enabled: false, votersHeard: 1, voters: 2, hasQuorum: true },
    peersAlive: [],
    groups: [
      {
        name: 'web',
        state: 'MASTER',
        basePriority: 100,
        effectivePriority: 100,
        weightedPriority: 100,
        forced,
        epoch: 3,
        master: 'n1',
        lastTransitionAtMs: 0,
      },
    ],
  });

  it('stamps each transition with the wall clock and shows a forced takeover', async () => {
    let wallMs = 1_700_000_000_000;
    let forced = false;
    const metrics = new VipdMetrics({ wallClockMs: () => wallMs });
    metrics.setSources({
      election: () => status(forced),
      peers: () => [],
      trackers: () => [],
      ready: () => true,
      vrrp: () => [
        {
          name: 'edge',
          state: 'BACKUP',
          basePriority: 100,
          effectivePriority: 100,
          masterAddress: null,
          forced: true,
        },
      ],
    });
    let text = await metrics.render();
    assert.doesNotMatch(text, /^vipd_group_last_transition_timestamp_seconds\{group="web"\}/m);
    assert.equal(sample(text, 'vipd_group_forced', 'group="web"'), 0);
    assert.equal(sample(text, 'vipd_group_forced', 'group="edge"'), 1);

    metrics.recordTransition('web', 'BACKUP', 'MASTER', 'master-down');
    wallMs += 90_500;
    metrics.recordTransition('web', 'MASTER', 'BACKUP', 'higher-master-seen');
    metrics.recordTransition('edge', 'BACKUP', 'MASTER', 'master-down');
    forced = true;
    text = await metrics.render();
    assert.equal(
      sample(text, 'vipd_group_last_transition_timestamp_seconds', 'group="web"'),
      1_700_000_090.5,
    );
    assert.equal(
      sample(text, 'vipd_group_last_transition_timestamp_seconds', 'group="edge"'),
      1_700_000_090.5,
    );
    assert.equal(sample(text, 'vipd_group_forced', 'group="web"'), 1);
  });
});
