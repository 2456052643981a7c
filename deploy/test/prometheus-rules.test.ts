// deploy/prometheus: promtool accepts the rules and the scrape config, the rules' unit tests
// pass, and every alert is tested both firing and not firing. Each runbook link points at a
// heading that exists in the docs.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { headingAnchors } from './markdown.js';
import { metricNamesIn } from './promql.js';
import { PROMETHEUS_DIR, alertRules } from './rule-files.js';
import { REPO_ROOT, findTool } from './vipd-cli.js';

const RULE_TEST_FILES = ['vipd.rules.test.yml', 'vipd.rules.hours.test.yml'];
const promtool = findTool('promtool');
const skip = promtool === null ? 'promtool is not installed (Debian package "prometheus")' : false;

interface RuleTest {
  name: string;
  input_series?: { series: string; values: string }[];
  alert_rule_test?: { alertname: string; exp_alerts?: unknown[] }[];
}

/**
 * Counters vipd computes at scrape time from totals it always holds: present from the first
 * scrape, so no fixture of theirs needs to start absent.
 */
const ALWAYS_PRESENT_COUNTERS = new Set(['vipd_heartbeat_frames_accepted_key_total']);

function ruleTests(): RuleTest[] {
  return RULE_TEST_FILES.flatMap(
    (file) =>
      (parse(readFileSync(join(PROMETHEUS_DIR, file), 'utf8')) as { tests: RuleTest[] }).tests,
  );
}

function runPromtool(args: readonly string[]) {
  return spawnSync(promtool ?? 'promtool', args, {
    cwd: PROMETHEUS_DIR,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('deploy/prometheus', () => {
  it('promtool check rules accepts vipd.rules.yml', { skip }, () => {
    const result = runPromtool(['check', 'rules', 'vipd.rules.yml']);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('promtool check config accepts prometheus.yml (and the rule file it loads)', { skip }, () => {
    const result = runPromtool(['check', 'config', 'prometheus.yml']);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('promtool test rules passes every unit test', { skip }, () => {
    const result = runPromtool(['test', 'rules', ...RULE_TEST_FILES]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.equal(result.stdout.match(/SUCCESS/g)?.length, RULE_TEST_FILES.length, result.stdout);
  });

  it('tests every alert both firing and not firing, and no alert that does not exist', () => {
    const alerts = new Set(alertRules().map((rule) => rule.alert));
    const tests = ruleTests();
    const firing = new Set<string>();
    const silent = new Set<string>();
    for (const test of tests) {
      for (const check of test.alert_rule_test ?? []) {
        assert.ok(alerts.has(check.alertname), `"${test.name}" tests unknown ${check.alertname}`);
        if ((check.exp_alerts ?? []).length > 0) firing.add(check.alertname);
        else silent.add(check.alertname);
      }
    }
    for (const alert of alerts) {
      assert.ok(alert !== undefined && firing.has(alert), `no test where ${alert} fires`);
      assert.ok(silent.has(alert), `no test where ${alert} stays silent`);
    }
    // Every alert the docs promise, by name, so none is dropped by accident.
    for (const required of [
      'VipdGroupWithoutMaster',
      'VipdSplitBrain',
      'VipdPeerDown',
      'VipdGroupFlapping',
      'VipdAddressConflict',
      'VipdQuorumLost',
      'VipdTrackerFailing',
      'VipdHeartbeatRejects',
      'VipdGroupOffPreferredNode',
    ]) {
      assert.ok(alerts.has(required), required);
    }
  });

  it('fires every counter alert on a series that starts absent (its first event creates it)', () => {
    const tests = ruleTests();
    for (const rule of alertRules()) {
      const counters = [...metricNamesIn(rule.expr)].filter(
        (name) => name.endsWith('_total') && !ALWAYS_PRESENT_COUNTERS.has(name),
      );
      for (const counter of counters) {
        const covered = tests.some(
          (test) =>
            (test.alert_rule_test ?? []).some(
              (check) => check.alertname === rule.alert && (check.exp_alerts ?? []).length > 0,
            ) &&
            (test.input_series ?? []).some(
              (input) => input.series.startsWith(`${counter}{`) && input.values.startsWith('_'),
            ),
        );
        assert.ok(covered, `${rule.alert}: no firing test where ${counter} starts absent`);
      }
    }
  });

  it('gives every alert a severity, a summary and a runbook heading that exists', () => {
    const anchorsByFile = new Map<string, Set<string>>();
    for (const rule of alertRules()) {
      assert.match(rule.labels?.['severity'] ?? '', /^(critical|warning|info)$/, rule.alert);
      assert.ok((rule.annotations?.['summary'] ?? '') !== '', `${rule.alert} has no summary`);
      const runbook = rule.annotations?.['runbook'] ?? '';
      const [file, anchor] = runbook.split('#');
      assert.ok(file !== undefined && anchor !== undefined, `${rule.alert}: runbook ${runbook}`);
      let anchors = anchorsByFile.get(file);
      if (anchors === undefined) {
        anchors = headingAnchors(readFileSync(join(REPO_ROOT, file), 'utf8'));
        anchorsByFile.set(file, anchors);
      }
      assert.ok(anchors.has(anchor), `${rule.alert}: ${file} has no heading #${anchor}`);
    }
  });
});
