// Heartbeat mesh benchmark: N nodes on 127.0.0.1, each in its own process, exchanging
// heartbeats carrying 64 groups. Reports CPU per node (% of one core, process.cpuUsage over
// the measuring window) and one-way delivery latency (sender's timestamp to the receiver's
// 'heartbeat' event, clocks aligned on CLOCK_MONOTONIC), prints a table and writes it to
// docs/benchmarks.md between the bench:heartbeat markers.
//
//   npm run bench:heartbeat [-- --duration-s 10] [-- --no-write]

import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { cpus, loadavg, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measureCodecCost, type CodecCost } from './codec-cost.js';
import type { DriverMessage, NodeMessage, Ready, Result } from './protocol.js';

interface Scenario {
  /**
   * 'floor': bare ws with the same processes, sizes and rates (floor-node.ts); 'idle': no
   * sockets at all, only as many empty wakeups as a mesh node has (idle-node.ts).
   */
  readonly kind: 'mesh' | 'floor' | 'idle';
  readonly nodes: number;
  readonly intervalMs: number;
  readonly groups: number;
  /** The CPU and latency targets in docs/benchmarks.md apply to this one. */
  readonly target: boolean;
}

interface Outcome {
  readonly scenario: Scenario;
  readonly frameBytes: number;
  readonly cpuMedian: number;
  readonly cpuMax: number;
  readonly wakeupsPerS: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly samples: number;
  readonly rttMedian: number;
  readonly peerDowns: number;
  readonly rejected: number;
  readonly skipped: number;
}

const SCENARIOS: readonly Scenario[] = [
  { kind: 'mesh', nodes: 3, intervalMs: 10, groups: 64, target: true },
  { kind: 'floor', nodes: 3, intervalMs: 10, groups: 64, target: false },
  { kind: 'idle', nodes: 3, intervalMs: 10, groups: 64, target: false },
  { kind: 'mesh', nodes: 3, intervalMs: 100, groups: 64, target: false },
  { kind: 'mesh', nodes: 3, intervalMs: 1000, groups: 64, target: false },
  { kind: 'mesh', nodes: 16, intervalMs: 10, groups: 64, target: false },
  { kind: 'floor', nodes: 16, intervalMs: 10, groups: 64, target: false },
  { kind: 'mesh', nodes: 16, intervalMs: 100, groups: 64, target: false },
];
const CPU_TARGET_PERCENT = 3;
const P99_TARGET_MS = 1;
const SETTLE_MS = 1000;
const READY_TIMEOUT_MS = 30_000;

const here = dirname(fileURLToPath(import.meta.url));
const nodeScripts = {
  mesh: join(here, 'node.js'),
  floor: join(here, 'floor-node.js'),
  idle: join(here, 'idle-node.js'),
};
const repoRoot = resolve(here, '../../../..');
const children = new Set<ChildProcess>();

function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    killChildren();
    process.exit(130);
  });
}

/** Free ports, all held at once so they are distinct, then released for the nodes. */
async function reservePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => {
            done(server);
          });
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as AddressInfo).port);
  await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  return ports;
}

function nextMessage<T extends NodeMessage['type']>(
  child: ChildProcess,
  type: T,
  timeoutMs: number,
): Promise<Extract<NodeMessage, { type: T }>> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => {
      fail(new Error(`bench node sent no '${type}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (message: NodeMessage): void => {
      if (message.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      done(message as Extract<NodeMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`bench node exited with ${code}`));
    });
  });
}

function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)] ?? Number.NaN;
}

async function run(scenario: Scenario, durationMs: number): Promise<Outcome> {
  const ids = Array.from(
    { length: scenario.nodes },
    (_, i) => `n${String(i + 1).padStart(2, '0')}`,
  );
  const ports = await reservePorts(ids.length);
  const addresses = new Map(ids.map((id, i) => [id, `127.0.0.1:${ports[i] ?? 0}`]));
  const key = randomBytes(32).toString('hex');
  const nodes = ids.map((id, i) => {
    const child = fork(nodeScripts[scenario.kind], [], {
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    children.add(child);
    return { id, child, port: ports[i] ?? 0 };
  });
  try {
    const ready: Ready[] = await Promise.all(
      nodes.map(({ id, child, port }) => {
        const answer = nextMessage(child, 'ready', READY_TIMEOUT_MS);
        const config: DriverMessage = {
          type: 'config',
          nodeId: id,
          port,
          peers: [...addresses]
            .filter(([peer]) => peer !== id)
            .map(([peer, address]) => ({ id: peer, address })),
          intervalMs: scenario.intervalMs,
          groups: scenario.groups,
          key,
        };
        child.send(config);
        return answer;
      }),
    );
    // Let connection churn from start-up (duplicate dials, first RTT samples) settle.
    await new Promise((done) => setTimeout(done, SETTLE_MS));
    const clockOffsetsMs = Object.fromEntries(
      nodes.map(({ id }, i) => [id, ready[i]?.clockOffsetMs ?? 0]),
    );
    const results: Result[] = await Promise.all(
      nodes.map(({ child }) => {
        const answer = nextMessage(child, 'result', durationMs + READY_TIMEOUT_MS);
        const measure: DriverMessage = { type: 'measure', durationMs, clockOffsetsMs };
        child.send(measure);
        return answer;
      }),
    );
    const latencies = Float64Array.from(results.flatMap((r) => [...r.latenciesMs])).sort();
    const cpu = results.map((r) => r.cpuPercent).sort((x, y) => x - y);
    const wakeups = results.map((r) => r.wakeupsPerS).sort((x, y) => x - y);
    const rtts = results.flatMap((r) => r.rttMs).sort((x, y) => x - y);
    return {
      scenario,
      frameBytes: ready[0]?.frameBytes ?? 0,
      cpuMedian: percentile(cpu, 50),
      cpuMax: cpu.at(-1) ?? Number.NaN,
      wakeupsPerS: percentile(wakeups, 50),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies[latencies.length - 1] ?? Number.NaN,
      samples: latencies.length,
      rttMedian: percentile(rtts, 50),
      peerDowns: results.reduce((sum, r) => sum + r.peerDowns, 0),
      rejected: results.reduce((sum, r) => sum + r.rejected, 0),
      skipped: results.reduce((sum, r) => sum + r.skipped, 0),
    };
  } finally {
    for (const { child } of nodes) {
      const stop: DriverMessage = { type: 'stop' };
      if (child.connected) child.send(stop);
    }
    await Promise.all(
      nodes.map(
        ({ child }) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) {
              done();
              return;
            }
            const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
            child.once('exit', () => {
              clearTimeout(timer);
              done();
            });
          }),
      ),
    );
    for (const { child } of nodes) children.delete(child);
  }
}

const ms = (value: number): string => (Number.isNaN(value) ? 'n/a' : value.toFixed(3));

interface RunInfo {
  readonly durationMs: number;
  readonly loadAtStart: number;
  readonly totalMs: number;
}

function wsVersion(): string {
  try {
    const manifest = readFileSync(join(repoRoot, 'node_modules', 'ws', 'package.json'), 'utf8');
    return (JSON.parse(manifest) as { version?: string }).version ?? '?';
  } catch {
    return '?';
  }
}

const LABELS: Readonly<Record<Scenario['kind'], string>> = {
  mesh: 'mesh',
  floor: 'bare ws (floor)',
  idle: 'idle wakeups (floor)',
};

/** CPU time per wakeup, µs: what being woken costs here, whatever the process then does. */
const microsPerWakeup = (o: Outcome): number => (o.cpuMedian / 100) * (1e6 / o.wakeupsPerS);

function table(outcomes: readonly Outcome[], run: RunInfo, codec: CodecCost): string {
  const rows = outcomes.map((o) => {
    const s = o.scenario;
    const verdict = s.target
      ? o.cpuMax <= CPU_TARGET_PERCENT && o.p99 <= P99_TARGET_MS
        ? 'met'
        : 'missed'
      : '';
    return (
      `| ${LABELS[s.kind]} | ${s.nodes} | ${s.intervalMs} | ` +
      `${s.kind === 'idle' ? '—' : String(o.frameBytes)} | ` +
      `${o.cpuMedian.toFixed(2)} / ${o.cpuMax.toFixed(2)} | ${o.wakeupsPerS.toFixed(0)} | ` +
      `${microsPerWakeup(o).toFixed(0)} | ${ms(o.p50)} | ${ms(o.p99)} | ${ms(o.max)} | ` +
      `${o.samples} | ${ms(o.rttMedian)} | ${o.peerDowns} | ${o.rejected} | ${o.skipped} | ` +
      `${verdict} |`
    );
  });
  const cpu = cpus()[0]?.model.trim() ?? 'CPU';
  const find = (kind: Scenario['kind'], nodes: number, intervalMs: number) =>
    outcomes.find(
      (o) =>
        o.scenario.kind === kind &&
        o.scenario.nodes === nodes &&
        o.scenario.intervalMs === intervalMs,
    );
  const mesh = find('mesh', 3, 10);
  const floor = find('floor', 3, 10);
  const idle = find('idle', 3, 10);
  const findings: string[] = [
    '',
    `The mesh's own work per frame, warm, in a tight loop (64 groups): encode + sign ` +
      `${codec.encodeUs.toFixed(1)} µs, verify + decode ${codec.decodeUs.toFixed(1)} µs.`,
  ];
  if (mesh !== undefined && floor !== undefined) {
    // Each node sends to and receives from every other node once per interval.
    const heartbeatsPerS = 2 * (mesh.scenario.nodes - 1) * (1000 / mesh.scenario.intervalMs);
    findings.push(
      `Above the bare-ws floor, the mesh costs ${(mesh.cpuMedian - floor.cpuMedian).toFixed(2)} ` +
        `% of a core per node at 3 nodes / 10 ms, ~${(
          ((mesh.cpuMedian - floor.cpuMedian) / 100) *
          (1e6 / heartbeatsPerS)
        ).toFixed(0)} µs per heartbeat sent or received (the loop figures above plus cold ` +
        'caches, the event and the liveness bookkeeping).',
    );
  }
  if (mesh !== undefined && idle !== undefined) {
    // The idle process's price per wakeup, paid as often as the mesh node was woken.
    const idleAtMeshRatePercent = (microsPerWakeup(idle) * mesh.wakeupsPerS) / 1e4;
    const verdict =
      idleAtMeshRatePercent >= CPU_TARGET_PERCENT
        ? `at or above the ${CPU_TARGET_PERCENT} % target before a single frame is sent or ` +
          'read: on this machine no Node process woken that often can meet it'
        : `${(CPU_TARGET_PERCENT - idleAtMeshRatePercent).toFixed(2)} % of a core below the ` +
          `target, which leaves ~${(
            ((CPU_TARGET_PERCENT - idleAtMeshRatePercent) / 100) *
            (1e6 / (2 * (mesh.scenario.nodes - 1) * (1000 / mesh.scenario.intervalMs)))
          ).toFixed(0)} µs per heartbeat sent or received for everything else`;
    findings.push(
      `Being woken costs a Node process that does nothing else ${microsPerWakeup(idle).toFixed(0)} ` +
        `µs of CPU per wakeup here (idle row). The 3-node / 10 ms mesh node was woken ` +
        `${mesh.wakeupsPerS.toFixed(0)} times a second (its tick, and each peer's heartbeats ` +
        `when they do not coincide), which alone is ${idleAtMeshRatePercent.toFixed(2)} % of a ` +
        `core: ${verdict}.`,
    );
  }
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpu}, ` +
      `Linux ${release()}, Node ${process.version}, ws ${wsVersion()}; load average ` +
      `${run.loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at ` +
      `the end (the machine is shared). Total run ${(run.totalMs / 1000).toFixed(0)} s.`,
    '',
    'Method: every node is its own process on 127.0.0.1 (its CPU is `process.cpuUsage()` ' +
      `over ${run.durationMs / 1000} s, after ${SETTLE_MS / 1000} s of settling, every ` +
      'thread; wakeups are its voluntary context switches over the same window), all ' +
      'heartbeats carry 64 groups, `downMultiplier` 3. Latency is one-way, from the ' +
      "sender's timestamp at its tick (before encoding and signing) to the receiver's " +
      "`'heartbeat'` event (after MAC check and decode); the processes' clocks are aligned on " +
      'CLOCK_MONOTONIC. RTT is the mesh\'s own smoothed estimate. Two floors: "bare ws" is ' +
      'the same processes, sizes and rates through plain `ws` with no codec, MAC or liveness; ' +
      '"idle wakeups" is no sockets at all, only empty timer callbacks as often as a mesh node ' +
      'is woken. What they cost is Node and this VM, not the mesh. 16 nodes means 16 ' +
      'processes on 2 shared cores: at 10 ms the machine cannot keep up, heartbeats arrive ' +
      'late, peers are declared silent (peer-downs) and come back on the same connection; ' +
      'compare samples with the floor row.',
    ...findings,
    '',
    `Target (3 nodes, 10 ms, 64 groups): CPU ≤ ${CPU_TARGET_PERCENT} % of one core per node ` +
      `and p99 ≤ ${P99_TARGET_MS} ms.`,
    '',
    '| what | nodes | interval ms | frame bytes | CPU % of a core per node (median / max) | wakeups/s per node | CPU µs per wakeup | latency p50 ms | p99 ms | max ms | samples | RTT ms (median) | peer-downs | rejected | skipped | target |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...rows,
  ].join('\n');
}

function writeSection(body: string): void {
  const file = join(repoRoot, 'docs', 'benchmarks.md');
  const open = '<!-- bench:heartbeat -->';
  const close = '<!-- /bench:heartbeat -->';
  const section = `${open}\n## Heartbeat mesh (\`npm run bench:heartbeat\`)\n\n${body}\n${close}`;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(open);
  const end = current.indexOf(close);
  const next =
    start >= 0 && end > start
      ? current.slice(0, start) + section + current.slice(end + close.length)
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(file, next);
  console.log(`wrote ${file}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'duration-s': { type: 'string', default: '10' },
      'no-write': { type: 'boolean', default: false },
    },
  });
  const durationS = Number(values['duration-s']);
  if (!(durationS > 0 && durationS <= 120)) throw new Error('--duration-s must be in (0, 120]');
  const durationMs = durationS * 1000;
  const loadAtStart = loadavg()[0] ?? 0;
  const startedAt = performance.now();
  const codec = measureCodecCost(64);
  const outcomes: Outcome[] = [];
  // e.g. BENCH_ONLY=mesh:3x10,idle:3x10 to run some rows while investigating
  const only = process.env.BENCH_ONLY?.split(',');
  for (const scenario of SCENARIOS) {
    const name = `${scenario.kind}:${scenario.nodes}x${scenario.intervalMs}`;
    if (only !== undefined && !only.includes(name)) continue;
    console.log(
      `bench: ${scenario.kind}, ${scenario.nodes} nodes, ${scenario.intervalMs} ms interval, ` +
        `${scenario.groups} groups ...`,
    );
    outcomes.push(await run(scenario, durationMs));
  }
  const body = table(
    outcomes,
    { durationMs, loadAtStart, totalMs: performance.now() - startedAt },
    codec,
  );
  console.log(`\n${body}\n`);
  if (!values['no-write']) writeSection(body);
}

main()
  .catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  })
  .finally(killChildren);
