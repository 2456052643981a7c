import { cpus, loadavg, release } from 'node:os';
import { writeDocSection } from '../src/benchmarks-doc.js';
import { median } from '../src/probe-analysis.js';
import type { BenchOptions, DaemonResult } from './failover-run.js';

/** The section of docs/benchmarks.md each table owns. */
export type ReportSection = 'bench:failover' | 'bench:failover-vrrp';

function ms(value: number): string {
  if (Number.isNaN(value)) return '–';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

function medianOf(values: readonly number[]): number {
  return values.length === 0 ? Number.NaN : median(values);
}

function range(values: readonly number[]): string {
  if (values.length === 0) return '–';
  return `${ms(Math.min(...values))}–${ms(Math.max(...values))}`;
}

function cpu(value: number): string {
  return Number.isNaN(value) ? '–' : value.toFixed(3);
}

function machine(results: readonly DaemonResult[], elapsedMs: number): string {
  const versions = [...new Set(results.map((r) => r.version))].join(', ');
  return (
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ` +
    `Linux ${release()}, Node ${process.version}; ${versions}. Total run ${(elapsedMs / 60_000).toFixed(1)} min; ` +
    `load average at the end ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')} (1/5/15 min).`
  );
}

function outageCell(result: DaemonResult | undefined): string {
  return `${ms(medianOf(result?.outagesMs ?? []))} (${range(result?.outagesMs ?? [])})`;
}

function interval(intervalMs: number): string {
  return intervalMs >= 1000 ? `${intervalMs / 1000} s` : `${intervalMs} ms`;
}

/** Failed trials and repeated bring-ups, as Markdown lines. */
function trouble(results: readonly DaemonResult[], skipped: readonly string[]): string[] {
  const lines: string[] = [];
  const unsettled = results.filter((r) => r.unsettledStarts > 0);
  if (unsettled.length > 0) {
    lines.push(
      '',
      'Bring-ups repeated because a backup had become master on its own before the fault ' +
        '(missed heartbeats under load): ' +
        unsettled.map((r) => `${r.daemon} @ ${r.intervalMs} ms: ${r.unsettledStarts}`).join(', ') +
        '.',
    );
  }
  if (skipped.length > 0) lines.push('', `Not measured: ${skipped.join('; ')}.`);
  const failures = results.flatMap((r) =>
    r.errors.map((e) => `${r.daemon} @ ${r.intervalMs} ms: ${e}`),
  );
  if (failures.length > 0) {
    lines.push(
      '',
      'Trials that failed (left out of the medians):',
      '',
      ...failures.map((f) => `- ${f}`),
    );
  }
  return lines;
}

/**
 * The VRRP section: vipd speaking VRRPv3 (both nodes), and a keepalived master with a vipd
 * backup, against a keepalived pair at the same advert interval.
 */
export function formatVrrpReport(
  results: readonly DaemonResult[],
  options: BenchOptions,
  skipped: readonly string[],
  elapsedMs: number,
): string {
  const byKey = new Map(results.map((r) => [`${r.daemon}@${r.intervalMs}`, r]));
  const lines: string[] = [
    '## Failover in VRRP mode: vipd vs keepalived (`npm run bench:failover`)',
    '',
    machine(results, elapsedMs),
    '',
    'Same lab, probes and trials as the section above, with one VRRPv3 virtual router (VRID 51,',
    'multicast, priorities 150 and 100, preempt on) at the `advert_interval` in the first column.',
    '*vipd VRRP*: vipd on both nodes with a `vrrp:` group. *keepalived → vipd*: keepalived on the',
    'master (n1) and vipd on the backup (n2), the mixed pair of a migration; its crash row is',
    "SIGKILL of keepalived's processes. Both sides wait Master_Down_Interval =",
    '3 × interval + Skew_Time (3.61 × interval at priority 100) before taking over, so the',
    `outages should match keepalived's. Medians of ${options.trials} silent deaths and ${options.crashTrials} crashes.`,
    '*Planned* is `POST /v1/groups/web/takeover` on vipd at n2 (priority 254).',
    '',
    '| interval | keepalived outage ms (range) | vipd VRRP outage ms (range) | vipd VRRP / keepalived | keepalived → vipd outage ms (range) | CPU s/min master / backup: keepalived | vipd VRRP | keepalived → vipd | crash takeover ms: keepalived / vipd VRRP / keepalived → vipd | planned takeover gap ms: vipd VRRP / keepalived → vipd |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const intervalMs of options.intervalsMs) {
    const k = byKey.get(`keepalived@${intervalMs}`);
    const v = byKey.get(`vipd-vrrp@${intervalMs}`);
    const m = byKey.get(`vrrp-mixed@${intervalMs}`);
    const kOutage = medianOf(k?.outagesMs ?? []);
    const vOutage = medianOf(v?.outagesMs ?? []);
    const ratio =
      Number.isNaN(kOutage) || Number.isNaN(vOutage) ? '–' : (vOutage / kOutage).toFixed(2);
    const cpus = (r: DaemonResult | undefined): string =>
      `${cpu(r?.cpuMaster ?? Number.NaN)} / ${cpu(r?.cpuBackup ?? Number.NaN)}`;
    const crash = (r: DaemonResult | undefined): string => ms(medianOf(r?.crashTakeoversMs ?? []));
    const planned = (r: DaemonResult | undefined): string => ms(medianOf(r?.plannedGapsMs ?? []));
    lines.push(
      `| ${interval(intervalMs)} | ${outageCell(k)} | ${outageCell(v)} | ${ratio} | ${outageCell(m)} ` +
        `| ${cpus(k)} | ${cpus(v)} | ${cpus(m)} | ${crash(k)} / ${crash(v)} / ${crash(m)} ` +
        `| ${planned(v)} / ${planned(m)} |`,
    );
  }
  lines.push(...trouble(results, skipped));
  return lines.join('\n');
}

/** The Markdown section: method, machine, one table, and any trial that failed. */
export function formatReport(
  results: readonly DaemonResult[],
  options: BenchOptions,
  skipped: readonly string[],
  elapsedMs: number,
): string {
  const byKey = new Map(results.map((r) => [`${r.daemon}@${r.intervalMs}`, r]));
  const lines: string[] = [
    '## Failover: vipd vs keepalived (`npm run bench:failover`)',
    '',
    machine(results, elapsedMs),
    '',
    'Method: a namespace lab (`test/src/lab.ts`): one bridge namespace, two node namespaces',
    '(priorities 150 and 100, preempt on) and a client namespace. Both daemons run with the same',
    'interval (vipd `heartbeat_interval`, `down_multiplier: 3`; keepalived VRRPv3 `advert_int`,',
    'multicast). The client sends a UDP probe to the VIP every 1 ms; each node answers with its',
    'name. *Outage* is the longest span between the send times of two answered probes with lost probes between them, around a silent master death (the',
    "master's switch port stops forwarding; carrier stays up), median of " +
      `${options.trials} trials, cross-checked by \`ping -D -i 0.005\`. *Crash* is the time from SIGKILL of`,
    "every master daemon process to the backup's first gratuitous ARP seen by the client",
    `(median of ${options.crashTrials}). *CPU* is utime+stime from /proc/PID/stat of the daemon's`,
    `processes over ${options.cpuSampleMs / 1000} s in steady state, in CPU seconds per minute. *Planned* is the client-visible`,
    'gap of `POST /v1/groups/web/takeover` on the backup (vipd only: keepalived has no such call).',
    'Before each trial the daemons are restarted (master first, then the backup) and the VIP is left unannounced for 1.2 s (the',
    "client's ARP locktime is 1 s). Timings on a shared 2-core VM are noisy: compare medians and ratios.",
    '',
    '| interval | keepalived outage ms (range) | vipd outage ms (range) | vipd / keepalived | ping cross-check ms (keepalived / vipd) | keepalived CPU s/min (master / backup) | vipd CPU s/min (master / backup) | keepalived crash takeover ms | vipd crash takeover ms | vipd planned takeover gap ms (range) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const intervalMs of options.intervalsMs) {
    const k = byKey.get(`keepalived@${intervalMs}`);
    const v = byKey.get(`vipd@${intervalMs}`);
    const kOutage = medianOf(k?.outagesMs ?? []);
    const vOutage = medianOf(v?.outagesMs ?? []);
    const ratio =
      Number.isNaN(kOutage) || Number.isNaN(vOutage) ? '–' : (vOutage / kOutage).toFixed(2);
    lines.push(
      `| ${interval(intervalMs)} ` +
        `| ${ms(kOutage)} (${range(k?.outagesMs ?? [])}) ` +
        `| ${ms(vOutage)} (${range(v?.outagesMs ?? [])}) ` +
        `| ${ratio} ` +
        `| ${ms(medianOf(k?.pingOutagesMs ?? []))} / ${ms(medianOf(v?.pingOutagesMs ?? []))} ` +
        `| ${cpu(k?.cpuMaster ?? Number.NaN)} / ${cpu(k?.cpuBackup ?? Number.NaN)} ` +
        `| ${cpu(v?.cpuMaster ?? Number.NaN)} / ${cpu(v?.cpuBackup ?? Number.NaN)} ` +
        `| ${ms(medianOf(k?.crashTakeoversMs ?? []))} ` +
        `| ${ms(medianOf(v?.crashTakeoversMs ?? []))} ` +
        `| ${ms(medianOf(v?.plannedGapsMs ?? []))} (${range(v?.plannedGapsMs ?? [])}) |`,
    );
  }
  lines.push(...trouble(results, skipped));
  return lines.join('\n');
}

/** Replaces (or appends) one section of docs/benchmarks.md; returns the path. */
export function writeBenchmarkSection(
  report: string,
  marker: ReportSection = 'bench:failover',
): string {
  return writeDocSection(marker, report);
}
