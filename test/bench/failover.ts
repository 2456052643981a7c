// npm run bench:failover — vipd and keepalived side by side in the same namespace lab:
// 2 nodes (priorities 150/100) and a client, heartbeat/advert interval 1 s, 100 ms, 20 ms
// and 10 ms, the client probing the VIP every 1 ms. Per interval and daemon: silent
// master death (client-visible outage), CPU per node, daemon crash (SIGKILL) takeover and,
// for vipd, the planned takeover gap over REST. Daemons: keepalived, vipd (mesh), vipd-vrrp
// (vipd speaking VRRPv3 on both nodes), vrrp-mixed (keepalived master, vipd VRRP backup) and
// vipd-routed (the routed lab: BIRD on a router and both nodes, the client behind the router).
// Prints the tables and writes each to its section of docs/benchmarks.md (bench:failover,
// bench:failover-vrrp, bench:failover-routed), only when that section's vipd rows were run.
//
//   node test/dist/bench/failover.js [--trials N] [--crash-trials N] [--intervals 1000,100,20,10]
//       [--only mesh,vrrp,routed] [--daemons keepalived,vipd,vipd-vrrp,vrrp-mixed,vipd-routed]
//       [--cpu-seconds S] [--no-write]
import { parseArgs } from 'node:util';
import { hasTool, labSupport } from '@vipd/testkit';
import { runBenchmark, type BenchOptions } from './failover-run.js';
import {
  formatReport,
  formatRoutedReport,
  formatVrrpReport,
  writeBenchmarkSection,
  type ReportFormat,
  type ReportSection,
  type Skipped,
} from './failover-report.js';
import type { DaemonKind } from '../src/cluster.js';
import { vipdAvailable } from '../src/vipd-cluster.js';

/** One table of the report, the kinds it shows, and the vipd kinds whose run rewrites it. */
interface BenchSection {
  readonly name: 'mesh' | 'vrrp' | 'routed';
  readonly marker: ReportSection;
  readonly kinds: readonly DaemonKind[];
  readonly owners: readonly DaemonKind[];
  readonly format: ReportFormat;
}

const SECTIONS: readonly BenchSection[] = [
  {
    name: 'mesh',
    marker: 'bench:failover',
    kinds: ['keepalived', 'vipd'],
    owners: ['vipd'],
    format: formatReport,
  },
  {
    name: 'vrrp',
    marker: 'bench:failover-vrrp',
    kinds: ['keepalived', 'vipd-vrrp', 'vrrp-mixed'],
    owners: ['vipd-vrrp', 'vrrp-mixed'],
    format: formatVrrpReport,
  },
  {
    name: 'routed',
    marker: 'bench:failover-routed',
    kinds: ['vipd-routed'],
    owners: ['vipd-routed'],
    format: formatRoutedReport,
  },
];

const known: readonly DaemonKind[] = [
  'keepalived',
  'vipd',
  'vipd-vrrp',
  'vrrp-mixed',
  'vipd-routed',
];

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    'crash-trials': { type: 'string', default: '3' },
    intervals: { type: 'string', default: '1000,100,20,10' },
    daemons: { type: 'string', default: known.join(',') },
    only: { type: 'string', default: SECTIONS.map((s) => s.name).join(',') },
    'cpu-seconds': { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`bench:failover: ${message}.\n`);
  process.exit(2);
}

function list(value: string): string[] {
  return value.split(',').map((d) => d.trim());
}

const support = labSupport();
if (!support.ok) {
  process.stderr.write(`bench:failover: ${support.reason}.\n`);
  process.exit(1);
}

const sectionNames: readonly string[] = SECTIONS.map((s) => s.name);
const badSections = list(values.only).filter((s) => !sectionNames.includes(s));
if (badSections.length > 0) {
  fail(`unknown section ${badSections.join(', ')} for --only (known: ${sectionNames.join(', ')})`);
}
const requested = list(values.daemons);
const unknown = requested.filter((d) => !known.includes(d as DaemonKind));
if (unknown.length > 0) fail(`unknown daemon ${unknown.join(', ')} (known: ${known.join(', ')})`);
const chosenSections = SECTIONS.filter((s) => list(values.only).includes(s.name));
const inSections = new Set<DaemonKind>(chosenSections.flatMap((s) => s.kinds));

/** Why `daemon` cannot run on this machine, or undefined when it can. */
function missing(daemon: DaemonKind): string | undefined {
  if (daemon !== 'keepalived' && !vipdAvailable()) return 'the `vipd run` binary is not built yet';
  if (daemon === 'vipd-routed' && !(hasTool('bird') && hasTool('birdc'))) {
    return 'needs bird2 (`apt-get install -y bird2`)';
  }
  return undefined;
}

const skipped: Skipped[] = [];
const daemons = known.filter((daemon) => {
  if (!requested.includes(daemon) || !inSections.has(daemon)) return false;
  const reason = missing(daemon);
  if (reason !== undefined) skipped.push({ daemon, reason });
  return reason === undefined;
});
if (daemons.length === 0) fail('nothing to run: --only and --daemons leave no daemon');

function count(flag: 'trials' | 'crash-trials' | 'cpu-seconds'): number {
  const n = Number(values[flag]);
  if (!Number.isInteger(n) || n < 0)
    fail(`--${flag} must be a whole number, got "${values[flag]}"`);
  return n;
}

const intervalsMs = list(values.intervals).map(Number);
if (intervalsMs.some((i) => !Number.isInteger(i) || i <= 0)) {
  fail(`--intervals must be positive whole milliseconds, got "${values.intervals}"`);
}

const options: BenchOptions = {
  trials: count('trials'),
  crashTrials: count('crash-trials'),
  intervalsMs,
  daemons,
  cpuSampleMs: count('cpu-seconds') * 1000,
  log: (line) => process.stdout.write(`${line}\n`),
};

const startedAt = Date.now();
const results = await runBenchmark(options);
// A section is written only when its vipd rows were measured, so a run of one kind never
// blanks another's figures; a keepalived-only run writes the mesh table.
const owned = chosenSections.filter((s) => s.owners.some((o: DaemonKind) => daemons.includes(o)));
const written = owned.length > 0 ? owned : chosenSections.filter((s) => s.name === 'mesh');
for (const section of written) {
  const report = section.format(results, options, skipped, Date.now() - startedAt);
  process.stdout.write(`\n${report}\n`);
  if (!values['no-write']) {
    const path = writeBenchmarkSection(report, section.marker);
    process.stdout.write(`written to ${path}\n`);
  }
}
