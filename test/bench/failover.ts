// npm run bench:failover — vipd and keepalived side by side in the same namespace lab:
// 2 nodes (priorities 150/100) and a client, heartbeat/advert interval 1 s, 100 ms, 20 ms
// and 10 ms, the client probing the VIP every 1 ms. Per interval and daemon: silent
// master death (client-visible outage), CPU per node, daemon crash (SIGKILL) takeover and,
// for vipd, the planned takeover gap over REST. Daemons: keepalived, vipd (mesh), vipd-vrrp
// (vipd speaking VRRPv3 on both nodes) and vrrp-mixed (keepalived master, vipd VRRP backup).
// Prints the tables and writes them to docs/benchmarks.md between the bench:failover
// markers (mesh) and bench:failover-vrrp (VRRP), each only when its vipd rows were run.
//
//   node test/dist/bench/failover.js [--trials N] [--intervals 1000,100,20,10]
//                                    [--daemons keepalived,vipd,vipd-vrrp,vrrp-mixed] [--no-write]
import { parseArgs } from 'node:util';
import { runBenchmark, type BenchOptions } from './failover-run.js';
import { writeBenchmarkSection, formatReport, formatVrrpReport } from './failover-report.js';
import { labSupport } from '@vipd/testkit';
import type { DaemonKind } from '../src/cluster.js';
import { vipdAvailable } from '../src/vipd-cluster.js';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '5' },
    'crash-trials': { type: 'string', default: '3' },
    intervals: { type: 'string', default: '1000,100,20,10' },
    daemons: { type: 'string', default: 'keepalived,vipd,vipd-vrrp,vrrp-mixed' },
    'cpu-seconds': { type: 'string', default: '10' },
    'no-write': { type: 'boolean', default: false },
  },
});

const support = labSupport();
if (!support.ok) {
  process.stderr.write(`bench:failover: ${support.reason}.\n`);
  process.exit(1);
}

const known: readonly DaemonKind[] = ['keepalived', 'vipd', 'vipd-vrrp', 'vrrp-mixed'];
const requested = values.daemons.split(',').map((d) => d.trim());
const unknown = requested.filter((d) => !known.includes(d as DaemonKind));
if (unknown.length > 0) {
  process.stderr.write(
    `bench:failover: unknown daemon ${unknown.join(', ')} (known: ${known.join(', ')}).\n`,
  );
  process.exit(2);
}
const skipped: string[] = [];
const daemons = known.filter((daemon) => {
  if (!requested.includes(daemon)) return false;
  if (daemon !== 'keepalived' && !vipdAvailable()) {
    skipped.push(`${daemon} (the \`vipd run\` binary is not built yet)`);
    return false;
  }
  return true;
});

const options: BenchOptions = {
  trials: Number(values.trials),
  crashTrials: Number(values['crash-trials']),
  intervalsMs: values.intervals.split(',').map(Number),
  daemons,
  cpuSampleMs: Number(values['cpu-seconds']) * 1000,
  log: (line) => process.stdout.write(`${line}\n`),
};

const startedAt = Date.now();
const results = await runBenchmark(options);
// Each table is written only when its vipd rows were measured, so a run of one kind never
// blanks the other's figures.
const vrrpMeasured = daemons.includes('vipd-vrrp') || daemons.includes('vrrp-mixed');
const sections = [
  {
    marker: 'bench:failover' as const,
    measured: daemons.includes('vipd') || !vrrpMeasured,
    format: formatReport,
  },
  {
    marker: 'bench:failover-vrrp' as const,
    measured: vrrpMeasured,
    format: formatVrrpReport,
  },
];
for (const section of sections.filter((s) => s.measured)) {
  const report = section.format(results, options, skipped, Date.now() - startedAt);
  process.stdout.write(`\n${report}\n`);
  if (!values['no-write']) {
    const path = writeBenchmarkSection(report, section.marker);
    process.stdout.write(`written to ${path}\n`);
  }
}
