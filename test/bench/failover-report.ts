import { cpus, loadavg, release } from 'node:os';
import { writeDocSection } from '../src/benchmarks-doc.js';
import { median } from '../src/probe-analysis.js';
import type { DaemonKind } from '../src/cluster.js';
import type { BenchOptions, DaemonResult } from './failover-trials.js';

/** A kind asked for but not run here, and why. */
export interface Skipped {
  readonly daemon: DaemonKind;
  readonly reason: string;
}

/** The section of docs/benchmarks.md each table owns. */
export type ReportSection = 'bench:failover' | 'bench:failover-vrrp' | 'bench:failover-routed';

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

/** The result of one daemon at one interval, if it ran. */
type ResultAt = (daemon: DaemonKind, intervalMs: number) => DaemonResult | undefined;

/** One cell of a kind's result; the result is undefined when the kind did not run. */
type Cell = (result: DaemonResult | undefined) => string;
type Pick = (result: DaemonResult) => readonly number[];

function medianCell(pick: Pick): Cell {
  return (result) => ms(medianOf(result === undefined ? [] : pick(result)));
}

function medianRangeCell(pick: Pick): Cell {
  return (result) => {
    const values = result === undefined ? [] : pick(result);
    return `${ms(medianOf(values))} (${range(values)})`;
  };
}

const outageCell = medianRangeCell((r) => r.outagesMs);
const pingCell = medianCell((r) => r.pingOutagesMs);
const crashCell = medianCell((r) => r.crashTakeoversMs);
const plannedCell = medianCell((r) => r.plannedGapsMs);
const plannedRangeCell = medianRangeCell((r) => r.plannedGapsMs);

function cpuPair(result: DaemonResult | undefined): string {
  return `${cpu(result?.cpuMaster ?? Number.NaN)} / ${cpu(result?.cpuBackup ?? Number.NaN)}`;
}

/** vipd's median outage over keepalived's, "–" while either has none. */
function outageRatio(keepalived: DaemonResult | undefined, vipd: DaemonResult | undefined): string {
  const kOutage = medianOf(keepalived?.outagesMs ?? []);
  const vOutage = medianOf(vipd?.outagesMs ?? []);
  return Number.isNaN(kOutage) || Number.isNaN(vOutage) ? '–' : (vOutage / kOutage).toFixed(2);
}

/** One right-aligned column of a section's table: its header and its cell at an interval. */
interface Column {
  readonly header: string;
  readonly cell: (intervalMs: number, resultAt: ResultAt) => string;
}

/** What one section of the report says besides the machine, the rows and the trouble. */
interface SectionText {
  readonly title: string;
  /** The kinds whose results the section shows (versions, rows, trouble). */
  readonly kinds: readonly DaemonKind[];
  readonly method: readonly string[];
  /** After the interval column, which every table starts with. */
  readonly columns: readonly Column[];
}

function tableLine(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A column whose cell is `cell` of each of `kinds` at the row's interval, joined by " / ". */
function column(header: string, kinds: readonly DaemonKind[], cell: Cell): Column {
  return {
    header,
    cell: (intervalMs, at) => kinds.map((k) => cell(at(k, intervalMs))).join(' / '),
  };
}

/** vipd's outage over keepalived's at the row's interval. */
function ratioColumn(header: string, vipd: DaemonKind): Column {
  return {
    header,
    cell: (intervalMs, at) => outageRatio(at('keepalived', intervalMs), at(vipd, intervalMs)),
  };
}

/** Header, alignment and one row per interval. */
function table(
  columns: readonly Column[],
  intervalsMs: readonly number[],
  resultAt: ResultAt,
): string[] {
  const all: Column[] = [{ header: 'interval', cell: (i) => interval(i) }, ...columns];
  return [
    tableLine(all.map((c) => c.header)),
    tableLine(all.map(() => '---:')),
    ...intervalsMs.map((i) => tableLine(all.map((c) => c.cell(i, resultAt)))),
  ];
}

/** A section's Markdown from everything the run measured. */
export type ReportFormat = (
  results: readonly DaemonResult[],
  options: BenchOptions,
  skipped: readonly Skipped[],
  elapsedMs: number,
) => string;

/** The format of a section whose text depends on the run's options. */
function report(text: (options: BenchOptions) => SectionText): ReportFormat {
  return (results, options, skipped, elapsedMs) =>
    section(results, options, skipped, elapsedMs, text(options));
}

/** Title, machine, method, one table row per interval, and any trial that failed. */
function section(
  all: readonly DaemonResult[],
  options: BenchOptions,
  allSkipped: readonly Skipped[],
  elapsedMs: number,
  text: SectionText,
): string {
  const results = all.filter((r) => text.kinds.includes(r.daemon));
  const skipped = allSkipped.filter((s) => text.kinds.includes(s.daemon));
  const byKey = new Map(results.map((r) => [`${r.daemon}@${r.intervalMs}`, r]));
  const resultAt: ResultAt = (daemon, intervalMs) => byKey.get(`${daemon}@${intervalMs}`);
  return [
    text.title,
    '',
    machine(results, elapsedMs),
    '',
    ...text.method,
    '',
    ...table(text.columns, options.intervalsMs, resultAt),
    ...trouble(results, skipped),
  ].join('\n');
}

function interval(intervalMs: number): string {
  return intervalMs >= 1000 ? `${intervalMs / 1000} s` : `${intervalMs} ms`;
}

/** Failed trials and repeated bring-ups, as Markdown lines. */
function trouble(results: readonly DaemonResult[], skipped: readonly Skipped[]): string[] {
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
  if (skipped.length > 0) {
    lines.push('', `Not measured: ${skipped.map((s) => `${s.daemon} (${s.reason})`).join('; ')}.`);
  }
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
export const formatVrrpReport = report((options) => ({
  kinds: ['keepalived', 'vipd-vrrp', 'vrrp-mixed'],
  title: '## Failover in VRRP mode: vipd vs keepalived (`npm run bench:failover`)',
  method: [
    'Same lab, probes and trials as the section above, with one VRRPv3 virtual router (VRID 51,',
    'multicast, priorities 150 and 100, preempt on) at the `advert_interval` in the first column.',
    '*vipd VRRP*: vipd on both nodes with a `vrrp:` group. *keepalived → vipd*: keepalived on the',
    'master (n1) and vipd on the backup (n2), the mixed pair of a migration; its crash row is',
    "SIGKILL of keepalived's processes. Both sides wait Master_Down_Interval =",
    '3 × interval + Skew_Time (3.61 × interval at priority 100) before taking over, so the',
    `outages should match keepalived's. Medians of ${options.trials} silent deaths and ${options.crashTrials} crashes.`,
    '*Planned* is `POST /v1/groups/web/takeover` on vipd at n2 (priority 254).',
  ],
  columns: [
    column('keepalived outage ms (range)', ['keepalived'], outageCell),
    column('vipd VRRP outage ms (range)', ['vipd-vrrp'], outageCell),
    ratioColumn('vipd VRRP / keepalived', 'vipd-vrrp'),
    column('keepalived → vipd outage ms (range)', ['vrrp-mixed'], outageCell),
    column('CPU s/min master / backup: keepalived', ['keepalived'], cpuPair),
    column('vipd VRRP', ['vipd-vrrp'], cpuPair),
    column('keepalived → vipd', ['vrrp-mixed'], cpuPair),
    column(
      'crash takeover ms: keepalived / vipd VRRP / keepalived → vipd',
      ['keepalived', 'vipd-vrrp', 'vrrp-mixed'],
      crashCell,
    ),
    column(
      'planned takeover gap ms: vipd VRRP / keepalived → vipd',
      ['vipd-vrrp', 'vrrp-mixed'],
      plannedCell,
    ),
  ],
}));

/** The Markdown section: method, machine, one table, and any trial that failed. */
export const formatReport = report((options) => ({
  kinds: ['keepalived', 'vipd'],
  title: '## Failover: vipd vs keepalived (`npm run bench:failover`)',
  method: [
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
  ],
  columns: [
    column('keepalived outage ms (range)', ['keepalived'], outageCell),
    column('vipd outage ms (range)', ['vipd'], outageCell),
    ratioColumn('vipd / keepalived', 'vipd'),
    column('ping cross-check ms (keepalived / vipd)', ['keepalived', 'vipd'], pingCell),
    column('keepalived CPU s/min (master / backup)', ['keepalived'], cpuPair),
    column('vipd CPU s/min (master / backup)', ['vipd'], cpuPair),
    column('keepalived crash takeover ms', ['keepalived'], crashCell),
    column('vipd crash takeover ms', ['vipd'], crashCell),
    column('vipd planned takeover gap ms (range)', ['vipd'], plannedRangeCell),
  ],
}));

/** Runs of each fault that gave a figure: silent deaths / crashes / planned takeovers. */
function runsCell(result: DaemonResult | undefined): string {
  if (result === undefined) return '–';
  return [result.outagesMs, result.crashTakeoversMs, result.plannedGapsMs]
    .map((v) => v.length)
    .join(' / ');
}

function routedColumn(header: string, cell: Cell): Column {
  return column(header, ['vipd-routed'], cell);
}

const routeAfterCell = medianRangeCell((r) => r.routeAfterMs);
const silentLagCell = medianRangeCell((r) => r.routerLagsMs.silent);

/** The router's lag behind the new master's route after a crash and a planned takeover. */
const routerLagCell: Cell = (result) =>
  (['crash', 'planned'] as const)
    .map((fault) => medianCell((r) => r.routerLagsMs[fault])(result))
    .join(' / ');

/**
 * The routed section: vipd announcing the VIP through BIRD and BGP, nodes on subnets of their
 * own, the client behind the router; the three faults timed at the client and at both hops.
 */
export const formatRoutedReport = report((options) => ({
  kinds: ['vipd-routed'],
  title:
    '## Failover in routed mode: vipd through BIRD and BGP (`npm run bench:failover -- --only routed`)',
  method: [
    'Method: the routed lab of the routed-mode proofs (`test/src/routed-scenario.ts`, [routed.md](routed.md)):',
    'a router namespace running BIRD 2 (an eBGP session per node, `med metric on`, BFD 100 ms × 3,',
    'hold 3 s), two node namespaces on /29 subnets of their own, each running BIRD (learning',
    "vipd's kernel table 250, MED = the route's metric) and vipd (group `web`, one /32 VIP on `lo`,",
    'priorities 150 and 100, preempt off, `heartbeat_interval` in the first column,',
    '`down_multiplier: 3`, heartbeats crossing the router), and a client namespace behind the',
    'router sending a UDP probe to the VIP every 1 ms. *Outage* is measured as in the mesh section,',
    "around a silent death of the master (the router drops everything in and out of the master's",
    'port; carrier stays up, so its BGP session and BFD die too), cross-checked by `ping -D -i 0.005`.',
    "*Route after* is the fault → the new master's route in its own table 250 (`ip monitor route`",
    "on n2): vipd's detection and its netlink write. *Router followed after* is that route → the",
    "router's kernel route to the new master (`ip monitor route` on the router): BIRD learning",
    "the route, the BGP UPDATE, the router's choice by MED and its FIB write; both watches stamp",
    'each change with `ip -ts` (when `ip` read it from netlink), so figures within about a',
    'millisecond of zero, even slightly negative, are below what the two watchers resolve on a',
    'loaded machine. *Crash* is SIGKILL',
    "of the master's vipd: its route stays announced, so the old master keeps answering until the",
    "router prefers the new master's lower MED; *crash takeover* is SIGKILL → the router routing",
    'to the new master. *Planned* is `POST /v1/groups/web/takeover` on n2 (make-before-break).',
    `Medians of ${options.trials} silent deaths, ${options.crashTrials} crashes and ${options.trials} planned takeovers;`,
    "*runs* counts those that gave a figure. CPU is vipd's alone (BIRD is not counted).",
  ],
  columns: [
    routedColumn('runs: silent / crash / planned', runsCell),
    routedColumn('silent death: client outage ms (range)', outageCell),
    routedColumn('ping cross-check ms', pingCell),
    routedColumn("silent death: new master's route after ms (range)", routeAfterCell),
    routedColumn('silent death: router followed after ms (range)', silentLagCell),
    routedColumn(
      'crash takeover ms (range)',
      medianRangeCell((r) => r.crashTakeoversMs),
    ),
    routedColumn(
      'crash: client gap ms (range)',
      medianRangeCell((r) => r.crashOutagesMs),
    ),
    routedColumn('planned takeover: client gap ms (range)', plannedRangeCell),
    routedColumn('router followed after ms: crash / planned', routerLagCell),
    routedColumn('vipd CPU s/min (master / backup)', cpuPair),
  ],
}));

/** Replaces (or appends) one section of docs/benchmarks.md; returns the path. */
export function writeBenchmarkSection(
  report: string,
  marker: ReportSection = 'bench:failover',
): string {
  return writeDocSection(marker, report);
}
