// What `vipd realserver check|apply|remove` prints: a report a person can act on, or JSON
// for scripts; exit status 0 only when every VIP is hidden and nothing is wrong.

import type { ApplyResult, AppliedChange, RemoveResult } from './apply.js';
import type { EffectiveSysctl, RealServerReport } from './types.js';

export const EXIT_OK = 0;
export const EXIT_PROBLEMS = 1;
/** Bad config, unreadable state, a command that failed: the check itself could not be done. */
export const EXIT_ERROR = 2;

export function reportExitCode(report: RealServerReport): number {
  return report.ok ? EXIT_OK : EXIT_PROBLEMS;
}

function sysctl(value: EffectiveSysctl, iface: string): string {
  return `${String(value.effective)} (all ${String(value.all)}, ${iface} ${String(value.iface)})`;
}

export function formatReport(report: RealServerReport): string {
  const problems = report.vips.reduce((n, v) => n + v.problems.length, 0);
  const hidden = report.vips.filter((v) => v.hidden).length;
  const lines = [
    report.ok
      ? `realserver: OK — ${String(hidden)} of ${String(report.vips.length)} VIPs hidden`
      : `realserver: NOT OK — ${String(hidden)} of ${String(report.vips.length)} VIPs hidden, ${String(problems)} problem(s)`,
  ];
  const notes = new Set<string>();
  for (const vip of report.vips) {
    const where = vip.onLoopback
      ? `on lo /${String(vip.onLoopback.prefixLength)} scope ${vip.onLoopback.scope}`
      : 'not on lo';
    lines.push(`  ${vip.hidden ? 'hidden    ' : 'NOT HIDDEN'}  ${vip.vip}  ${where}`);
    for (const problem of vip.problems) lines.push(`      ✗ ${problem.reason}: ${problem.message}`);
    for (const note of vip.notes) notes.add(note);
  }
  for (const iface of report.interfaces) {
    if (!iface.exists) {
      lines.push(`  interface ${iface.name}: missing`);
      continue;
    }
    lines.push(
      `  interface ${iface.name}: arp_ignore ${sysctl(iface.arpIgnore, iface.name)}, ` +
        `arp_announce ${sysctl(iface.arpAnnounce, iface.name)}, ` +
        `rp_filter ${sysctl(iface.rpFilter, iface.name)}, proxy_ndp ${iface.proxyNdp ? 'on' : 'off'}, ipv6 forwarding ${iface.ipv6Forwarding ? 'on' : 'off'}`,
    );
  }
  for (const note of notes) lines.push(`  note: ${note}`);
  return `${lines.join('\n')}\n`;
}

function formatChange(change: AppliedChange): string {
  const values = change.from === undefined ? '' : ` ${change.from} → ${change.to ?? ''}`;
  return `  ${change.action} ${change.target}${values}`;
}

/** The repair of a corrupt state file comes first: it changes what apply and remove do. */
function repairLines(result: ApplyResult | RemoveResult): string[] {
  return result.stateRepair === null ? [] : [`warning: ${result.stateRepair.message}`];
}

export function formatApplyResult(result: ApplyResult): string {
  const head =
    result.changes.length === 0
      ? 'realserver apply: nothing to change'
      : `realserver apply: ${String(result.changes.length)} change(s)`;
  const left = result.left.map((l) => `  left ${l.target}: ${l.reason}`);
  return (
    [...repairLines(result), head, ...result.changes.map(formatChange), ...left, ''].join('\n') +
    formatReport(result.report)
  );
}

export function formatRemoveResult(result: RemoveResult): string {
  const head =
    result.changes.length === 0
      ? 'realserver remove: nothing vipd added is left'
      : `realserver remove: ${String(result.changes.length)} change(s) undone`;
  const left = result.left.map((l) => `  left ${l.target}: ${l.reason}`);
  return `${[...repairLines(result), head, ...result.changes.map(formatChange), ...left].join('\n')}\n`;
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
