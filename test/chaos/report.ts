// What a campaign prints: per fault kind how many were injected, the worst dual-owner
// interval and the worst outage it covered; every violation; and the line that replays it.
import type { CampaignOptions, CampaignResult } from './campaign.js';
import type { Finding } from './checker.js';
import { describeFault, FAULT_KINDS } from './schedule.js';

export interface KindFigures {
  readonly kind: string;
  readonly injected: number;
  readonly worstDualMs: number;
  readonly worstOutageMs: number;
  readonly violations: number;
}

const length = (f: Finding): number => f.toMs - f.fromMs;

/**
 * Figures per fault kind; a finding counts for every kind whose window covers it ("none" if
 * none). The last row, "all", is the whole run: every fault, the worst of every finding, and
 * each violation once (one covered by two kinds counts in both their rows).
 */
export function figuresByKind(results: readonly CampaignResult[]): KindFigures[] {
  const rows = new Map<string, Mutable<KindFigures>>();
  const row = (kind: string): Mutable<KindFigures> => {
    let r = rows.get(kind);
    if (r === undefined)
      rows.set(kind, (r = { kind, injected: 0, worstDualMs: 0, worstOutageMs: 0, violations: 0 }));
    return r;
  };
  for (const kind of FAULT_KINDS) row(kind);
  const all: Mutable<KindFigures> = {
    kind: 'all',
    injected: 0,
    worstDualMs: 0,
    worstOutageMs: 0,
    violations: 0,
  };
  for (const result of results) {
    const kindOf = new Map(result.history.faults.map((f) => [f.fault.id, f.fault.kind]));
    for (const f of result.history.faults) row(f.fault.kind).injected += 1;
    all.injected += result.history.faults.length;
    for (const finding of result.verdict.findings) {
      const kinds =
        finding.faultIds.length === 0
          ? ['none']
          : [...new Set(finding.faultIds.map((id) => kindOf.get(id)!))];
      for (const r of [...kinds.map(row), all]) count(r, finding);
    }
  }
  return [...rows.values(), all];
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function count(r: Mutable<KindFigures>, finding: Finding): void {
  if (finding.kind === 'dual-owner') r.worstDualMs = Math.max(r.worstDualMs, length(finding));
  if (finding.kind === 'no-owner') r.worstOutageMs = Math.max(r.worstOutageMs, length(finding));
  if (finding.violation) r.violations += 1;
}

export function figuresTable(rows: readonly KindFigures[]): string {
  const lines = [
    '| fault kind | injected | worst dual owner (ms) | worst unavailability (ms) | violations |',
    '| ---------- | -------: | --------------------: | ------------------------: | ---------: |',
    ...rows
      .filter((r) => r.injected > 0 || r.violations > 0 || r.worstDualMs > 0 || r.worstOutageMs > 0)
      .map(
        (r) =>
          `| ${r.kind} | ${r.injected} | ${Math.round(r.worstDualMs)} | ${Math.round(r.worstOutageMs)} | ${r.violations} |`,
      ),
  ];
  return lines.join('\n');
}

/** The command that replays a campaign. */
export function replayCommand(options: CampaignOptions): string {
  return [
    'npm run chaos --',
    `--seed ${options.seed}`,
    `--minutes ${options.durationMs / 60_000}`,
    `--nodes ${options.nodes}`,
    `--groups ${options.groups}`,
    `--interval ${options.intervalMs}ms`,
    `--down-multiplier ${options.downMultiplier}`,
    // The settle time, hence the schedule, depends on the margin.
    `--load-margin ${options.loadMarginMs}ms`,
    ...(options.quorum ? ['--quorum'] : []),
  ].join(' ');
}

export function describeFinding(finding: Finding, originMs: number): string {
  const at = `+${Math.round(finding.fromMs - originMs)} ms`;
  const what = [finding.kind, finding.source, finding.vip, finding.nodes.join('+')]
    .filter((x) => x !== undefined && x !== '')
    .join(' ');
  const faults =
    finding.faultIds.length === 0
      ? ''
      : ` [faults ${finding.faultIds.map((id) => `#${id}`).join(' ')}]`;
  return `${at} ${what} (${Math.round(length(finding))} ms): ${finding.why}${faults}`;
}

/** The violations with the seed and the whole schedule, enough to replay the run. */
export function failureReport(result: CampaignResult): string {
  const { history, verdict, schedule, options } = result;
  return [
    `chaos: ${verdict.violations.length} violation(s), seed ${options.seed}`,
    ...verdict.violations.map((v) => `  ${describeFinding(v, history.originMs)}`),
    'schedule (as applied):',
    ...history.faults.map(
      (a) =>
        `  ${describeFault(a.fault)} — applied +${Math.round(a.startedAtMs - history.originMs)}..+${Math.round(a.endedAtMs - history.originMs)} ms${a.note === undefined ? '' : ` (${a.note})`}`,
    ),
    `checkpoints: ${schedule.checkpointsMs.join(', ')} ms`,
    `replay: ${replayCommand(options)}`,
    `logs: ${result.runDir}`,
  ].join('\n');
}
