// `npm run bench:election`: how many events per second the election core handles.
//
// Two measures per cluster size:
// - "simulated cluster": N real Elections in the ClusterSimulator, end to end (heartbeat
//   every interval, ticks, the simulator's own queue and network included), steady state
//   (with and without the quorum guard) and with a master crash every second.
// - "replay": the event stream one node received in the crash-every-second run, replayed
//   into fresh Elections with every heartbeat a freshly built object, as the daemon gets
//   them from a wire decoder that allocates per frame. This is Election.step alone.
// Prints a table and writes it to docs/benchmarks.md between <!-- bench:election --> markers.
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Election } from '../src/election.js';
import { ClusterSimulator } from '../src/simulator/cluster-simulator.js';
import type { ElectionConfig, ElectionEvent, GroupConfig, NodeId } from '../src/types.js';

const { values } = parseArgs({
  options: {
    repeat: { type: 'string', default: '3' },
    'budget-ms': { type: 'string', default: '1500' },
    'no-write': { type: 'boolean', default: false },
  },
});
const REPEAT = Math.max(1, Number(values.repeat));
/** Wall-clock time each measurement runs for: enough events to leave JIT warm-up behind. */
const BUDGET_MS = Math.max(100, Number(values['budget-ms']));
const INTERVAL_MS = 100;
const CHUNK_MS = 10_000;

function clusterConfigs(nodes: number, groups: number, quorum: boolean): ElectionConfig[] {
  const ids = Array.from({ length: nodes }, (_, i) => `n${String(i + 1).padStart(2, '0')}`);
  return ids.map((id, i) => ({
    nodeId: id,
    peers: ids.filter((p) => p !== id),
    heartbeatIntervalMs: INTERVAL_MS,
    downMultiplier: 3,
    quorum,
    // Masters spread over the nodes: each node is the best for every nodes-th group.
    groups: Array.from({ length: groups }, (_, g): GroupConfig => ({
      name: `g${g}`,
      priority: 100 + ((g + i) % nodes) * Math.floor(150 / nodes),
      preempt: true,
      preemptDelayMs: 0,
    })),
  }));
}

interface Measure {
  readonly events: number;
  readonly seconds: number;
}

function simulate(
  configs: ElectionConfig[],
  churn: boolean,
  record?: { node: NodeId; events: ElectionEvent[]; limit: number },
): Measure {
  const sim = new ClusterSimulator({
    seed: 42,
    nodes: configs,
    link: { minDelayMs: 0.2, maxDelayMs: 2 },
    ...(record === undefined
      ? {}
      : {
          onStep: (node: NodeId, event: ElectionEvent) => {
            if (node === record.node && record.events.length < record.limit)
              record.events.push(event);
          },
        }),
  });
  const ids = configs.map((c) => c.nodeId);
  let failovers = 0;
  // A master crash (process or host, alternately) every second, restarted half a second later.
  const scheduleChurn = (fromMs: number, toMs: number): void => {
    if (!churn) return;
    for (let t = Math.ceil(fromMs / 1000) * 1000; t < toMs; t += 1000) {
      const victim = ids[failovers % ids.length] ?? '';
      const how = failovers % 2 === 0 ? 'process' : 'host';
      failovers++;
      sim.at(t, () => {
        sim.crash(victim, how);
      });
      sim.at(t + 500, () => {
        sim.restart(victim);
      });
    }
  };
  scheduleChurn(0, 2000);
  sim.runUntil(2000); // converge first: the figure is for a running cluster
  const before = sim.eventsProcessed;
  const started = performance.now();
  let until = 2000;
  while (
    performance.now() - started < BUDGET_MS ||
    (record !== undefined && record.events.length < record.limit)
  ) {
    scheduleChurn(until, until + CHUNK_MS);
    until += CHUNK_MS;
    sim.runUntil(until);
  }
  return { events: sim.eventsProcessed - before, seconds: (performance.now() - started) / 1000 };
}

/** Deep copies, as if every heartbeat had just been decoded from the wire. */
function decoded(events: readonly ElectionEvent[]): ElectionEvent[] {
  return events.map((e) =>
    e.type === 'heartbeat'
      ? {
          ...e,
          groups: Object.fromEntries(Object.entries(e.groups).map(([k, v]) => [k, { ...v }])),
          ...(e.hears === undefined ? {} : { hears: [...e.hears] }),
        }
      : e,
  );
}

/** Replays the stream into fresh Elections, over and over, for the time budget. */
function replay(config: ElectionConfig, events: readonly ElectionEvent[]): Measure {
  const first = events[0]?.nowMs ?? 0;
  let count = 0;
  const started = performance.now();
  while (performance.now() - started < BUDGET_MS) {
    const election = new Election(config, first);
    for (const event of events) election.step(event);
    count += events.length;
  }
  return { events: count, seconds: (performance.now() - started) / 1000 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] ?? 0)
    : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Row {
  readonly cluster: string;
  readonly measure: string;
  readonly eventsPerSecond: number;
  readonly usPerEvent: number;
  readonly events: number;
}

function row(cluster: string, measure: string, runs: Measure[]): Row {
  const rates = runs.map((r) => r.events / r.seconds);
  const rate = median(rates);
  return {
    cluster,
    measure,
    eventsPerSecond: rate,
    usPerEvent: 1e6 / rate,
    events: runs[0]?.events ?? 0,
  };
}

const rows: Row[] = [];
for (const [nodes, groups] of [
  [3, 64],
  [16, 256],
] as const) {
  const label = `${nodes} nodes, ${groups} groups`;
  const plain = clusterConfigs(nodes, groups, false);
  const guarded = clusterConfigs(nodes, groups, true);
  const measure = (what: () => Measure): Measure[] => Array.from({ length: REPEAT }, what);
  rows.push(
    row(
      label,
      'simulated cluster, steady state',
      measure(() => simulate(plain, false)),
    ),
  );
  rows.push(
    row(
      label,
      'simulated cluster, steady state, quorum guard on',
      measure(() => simulate(guarded, false)),
    ),
  );
  rows.push(
    row(
      label,
      'simulated cluster, a master crash every 1 s',
      measure(() => simulate(plain, true)),
    ),
  );
  // Enough to replay for a while, not so much that recording a 16-node churn run dominates.
  const recorded = {
    node: plain[0]?.nodeId ?? '',
    events: [] as ElectionEvent[],
    limit: nodes > 4 ? 3_000 : 30_000,
  };
  simulate(plain, true, recorded);
  const stream = decoded(recorded.events);
  const config = plain[0];
  if (config !== undefined)
    rows.push(
      row(
        label,
        'one node replaying that run, every heartbeat freshly decoded',
        measure(() => replay(config, stream)),
      ),
    );
  console.error(`done: ${label}`);
}

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const table = [
  '| cluster | measure | events/s (median) | µs/event | events per run |',
  '| --- | --- | ---: | ---: | ---: |',
  ...rows.map(
    (r) =>
      `| ${r.cluster} | ${r.measure} | ${fmt(r.eventsPerSecond)} | ${fmt(r.usPerEvent, 2)} | ${fmt(r.events)} |`,
  ),
].join('\n');
const cpu = cpus()[0]?.model ?? 'unknown CPU';
const measuredOn = new Date().toISOString().slice(0, 10);
const note = [
  `Measured ${measuredOn} on Node ${process.version}, ${cpus().length} × ${cpu}; median of ${REPEAT} runs of ${BUDGET_MS} ms wall time each; heartbeat interval ${INTERVAL_MS} ms, downMultiplier 3, link delay 0.2-2 ms.`,
  'An event is one Election.step call (a heartbeat, a tick, a peer-lost, ...). "Simulated cluster" rows include the simulator (queue, network, every node); in steady state a peer\'s unchanged heartbeat is the same object, as when a decoder reuses an unchanged group section. The replay row is Election.step alone on freshly built heartbeat objects, as a decoder that allocates per frame delivers them, startup and failovers included.',
  'Target: >= 500,000 events/s for 3 nodes / 64 groups. The machine is shared with other jobs: compare ratios, not absolutes.',
].join('\n\n');
console.log(`${table}\n\n${note}`);

if (!values['no-write']) {
  const file = resolve(import.meta.dirname, '../../../../docs/benchmarks.md');
  const section = `<!-- bench:election -->\n## Election core (\`npm run bench:election\`)\n\n${table}\n\n${note}\n<!-- /bench:election -->`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const pattern = /<!-- bench:election -->[\s\S]*?<!-- \/bench:election -->/;
  const next = pattern.test(current)
    ? current.replace(pattern, section)
    : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.error(`wrote ${file}`);
}
