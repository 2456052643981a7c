// Where the role reports each check: a small sink interface, and its prom-client binding
// (vipd_realserver_hidden{vip}, vipd_realserver_problem{vip,reason}, check and repair counts).

import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { AppliedChange } from './apply.js';
import { PROBLEM_REASONS } from './types.js';
import type { RealServerReport } from './types.js';

export interface RealServerMetricsSink {
  /** After every completed check (after a repair: the check that followed it). */
  observeReport(report: RealServerReport): void;
  /** A repair changed the host. */
  observeRepair(changes: readonly AppliedChange[]): void;
  /** The check could not be done (a command failed, the state file is corrupt). */
  observeCheckError(error: unknown): void;
}

/** One row per VIP and reason, 1 when that problem is present, so alerts can match `== 1`. */
export function problemSamples(
  report: RealServerReport,
): { vip: string; reason: string; value: 0 | 1 }[] {
  return report.vips.flatMap((vip) =>
    PROBLEM_REASONS.map((reason) => ({
      vip: vip.vip,
      reason,
      value: vip.problems.some((p) => p.reason === reason) ? (1 as const) : (0 as const),
    })),
  );
}

export function createRealServerPromMetrics(registry: Registry): RealServerMetricsSink {
  const hidden = new Gauge({
    name: 'vipd_realserver_hidden',
    help: '1 when the VIP is on lo and no interface answers ARP/NS for it or announces it',
    labelNames: ['vip'],
    registers: [registry],
  });
  const problem = new Gauge({
    name: 'vipd_realserver_problem',
    help: '1 when the real-server check finds this problem for the VIP',
    labelNames: ['vip', 'reason'],
    registers: [registry],
  });
  const checks = new Counter({
    name: 'vipd_realserver_checks_total',
    help: 'Real-server checks by result (ok, problem, error)',
    labelNames: ['result'],
    registers: [registry],
  });
  const repairs = new Counter({
    name: 'vipd_realserver_repair_changes_total',
    help: 'Host changes (sysctl writes, address adds) made to repair drift',
    registers: [registry],
  });
  for (const result of ['ok', 'problem', 'error']) checks.inc({ result }, 0);
  return {
    observeReport(report) {
      // A VIP dropped from the config must not keep its last value.
      hidden.reset();
      problem.reset();
      for (const vip of report.vips) hidden.set({ vip: vip.vip }, vip.hidden ? 1 : 0);
      for (const sample of problemSamples(report)) {
        problem.set({ vip: sample.vip, reason: sample.reason }, sample.value);
      }
      checks.inc({ result: report.ok ? 'ok' : 'problem' });
    },
    observeRepair(changes) {
      repairs.inc(changes.length);
    },
    observeCheckError() {
      checks.inc({ result: 'error' });
    },
  };
}
