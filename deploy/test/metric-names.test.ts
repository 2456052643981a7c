// Every metric the alert rules and the Grafana dashboard read is one vipd really exports,
// with the exported names taken from the daemon's own metrics modules; and every dashboard
// query is valid PromQL (promtool parses it).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { SCRAPE_SERIES, exportedMetrics, type ExportedMetrics } from './exported-metrics.js';
import { metricNamesIn, metricOfLabelValuesQuery, withGrafanaVariablesReplaced } from './promql.js';
import { dashboardQueries, ruleFileRules } from './rule-files.js';
import { findTool } from './vipd-cli.js';

describe('metricNamesIn (the PromQL reader the checks below rely on)', () => {
  const cases: { expr: string; names: string[] }[] = [
    { expr: 'up{job="vipd"} == 0', names: ['up'] },
    {
      expr: 'sum by (cluster, group) (increase(vipd_group_transitions_total{to="MASTER"}[15m])) > 3',
      names: ['vipd_group_transitions_total'],
    },
    {
      expr: 'vipd_quorum_enabled == 1 and vipd_quorum == 0',
      names: ['vipd_quorum_enabled', 'vipd_quorum'],
    },
    {
      expr: 'histogram_quantile(0.99, sum by (le) (rate(vipd_takeover_duration_seconds_bucket[$__rate_interval])))',
      names: ['vipd_takeover_duration_seconds_bucket'],
    },
    {
      expr: 'label_replace(rate(a_total{x=~"$cluster"}[5m]), "node", "$1", "peer", "(.*)") / on (node) group_left (peer) b offset 1h',
      names: ['a_total', 'b'],
    },
    {
      expr: 'time() - vipd_peer_last_heartbeat_timestamp_seconds > 1e3',
      names: ['vipd_peer_last_heartbeat_timestamp_seconds'],
    },
    { expr: 'sum(made_up_metric) without (instance)', names: ['made_up_metric'] },
  ];
  for (const { expr, names } of cases) {
    it(expr, () => {
      assert.deepEqual([...metricNamesIn(expr)].sort(), [...names].sort());
    });
  }

  it('reads the metric of a label_values() variable query', () => {
    assert.equal(
      metricOfLabelValuesQuery('label_values(vipd_build_info, cluster)'),
      'vipd_build_info',
    );
    assert.equal(
      metricOfLabelValuesQuery('label_values(vipd_group_is_master{cluster=~"$cluster"}, group)'),
      'vipd_group_is_master',
    );
    assert.equal(metricOfLabelValuesQuery('label_values(cluster)'), null);
  });
});

describe('metrics used by deploy/prometheus and deploy/grafana', () => {
  let exported: ExportedMetrics;
  before(async () => {
    exported = await exportedMetrics();
  });

  function assertExported(names: Iterable<string>, where: string) {
    for (const name of names) {
      assert.ok(
        exported.names.has(name) || SCRAPE_SERIES.includes(name),
        `${where} reads ${name}, which vipd does not export`,
      );
    }
  }

  it('the exported set is read from the daemon (sanity: the core gauges are in it)', () => {
    for (const name of ['vipd_group_is_master', 'vipd_peer_up', 'vipd_realserver_hidden'])
      assert.ok(exported.names.has(name), name);
    assert.ok(!exported.names.has('made_up_metric'));
  });

  it('every rule reads only exported metrics', () => {
    const rules = ruleFileRules();
    assert.ok(rules.length > 0);
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      assert.ok(names.size > 0, `${rule.alert ?? rule.record ?? '?'} reads no metric`);
      assertExported(names, `rule ${rule.alert ?? rule.record ?? '?'}`);
    }
  });

  it('every dashboard query reads only exported metrics', () => {
    const queries = dashboardQueries();
    assert.ok(queries.length > 0);
    for (const query of queries) {
      if (query.kind === 'label_values') {
        const metric = metricOfLabelValuesQuery(query.text);
        assert.ok(metric !== null, `${query.where}: not label_values(metric, label)`);
        assertExported([metric], query.where);
      } else {
        const names = metricNamesIn(query.text);
        assert.ok(names.size > 0, `${query.where} reads no metric`);
        assertExported(names, query.where);
      }
    }
  });

  it('the dashboard shows masters, transitions, RTT, heartbeat loss and rejects, GARP, conflicts', () => {
    const used = new Set(
      dashboardQueries()
        .filter((q) => q.kind === 'promql')
        .flatMap((q) => [...metricNamesIn(q.text)]),
    );
    for (const name of [
      'vipd_group_is_master',
      'vipd_group_transitions_total',
      'vipd_peer_rtt_seconds',
      'vipd_heartbeats_sent_total',
      'vipd_heartbeats_received_total',
      'vipd_heartbeats_rejected_total',
      'vipd_gratuitous_arp_sent_total',
      'vipd_neighbor_advertisements_sent_total',
      'vipd_address_conflicts_total',
      // Since when, which VIPs, pinned by whom (the "Current state" table).
      'vipd_group_last_transition_timestamp_seconds',
      'vipd_group_info',
      'vipd_group_forced',
      ...exported.realServerNames,
    ])
      assert.ok(used.has(name), `the dashboard does not show ${name}`);
  });

  it('every dashboard and rule aggregation by group or node keeps cluster', () => {
    // Group and node names repeat across clusters (every cluster has its "web"): a sum or
    // max by group alone adds up the masters of different clusters.
    const queries = [
      ...dashboardQueries()
        .filter((q) => q.kind === 'promql')
        .map((q) => ({ where: q.where, text: q.text })),
      ...ruleFileRules().map((r) => ({
        where: `rule ${r.alert ?? r.record ?? '?'}`,
        text: r.expr,
      })),
    ];
    for (const { where, text } of queries) {
      for (const match of text.matchAll(/\b(?:by|on)\s*\(([^)]*)\)/g)) {
        const labels = (match[1] ?? '').split(',').map((l) => l.trim());
        if (labels.includes('group') || labels.includes('node'))
          assert.ok(labels.includes('cluster'), `${where}: "${match[0]}" drops cluster`);
      }
    }
  });

  const promtool = findTool('promtool');
  it(
    'every dashboard query parses as PromQL (promtool check rules on a generated file)',
    { skip: promtool === null ? 'promtool is not installed (Debian package "prometheus")' : false },
    () => {
      const queries = dashboardQueries().filter((q) => q.kind === 'promql');
      const rules = {
        groups: [
          {
            name: 'dashboard',
            rules: queries.map((q, i) => ({
              record: `dashboard:query_${i}`,
              expr: withGrafanaVariablesReplaced(q.text),
            })),
          },
        ],
      };
      const dir = mkdtempSync(join(tmpdir(), 'vipd-dashboard-'));
      try {
        const file = join(dir, 'dashboard.rules.yml');
        writeFileSync(file, stringify(rules));
        const result = spawnSync(promtool ?? 'promtool', ['check', 'rules', file], {
          encoding: 'utf8',
          timeout: 60_000,
        });
        assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
        assert.match(result.stdout, new RegExp(`SUCCESS: ${queries.length} rules found`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
