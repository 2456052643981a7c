// One campaign: a namespace lab with vipd on every node, the client probing every VIP, the
// nemesis working through the seed's schedule, then the checker's verdict on the history.
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { wallClockMs } from '../src/clock.js';
import { LabError } from '../src/errors.js';
import { withLab, type Lab } from '../src/lab.js';
import { startResponders } from '../src/probes.js';
import { VipdCluster, type VipdClusterOptions, type VipdGroupSpec } from '../src/vipd-cluster.js';
import { deriveBounds, type Bounds } from './bounds.js';
import { check, type Verdict } from './checker.js';
import type { AppliedFault, History } from './history.js';
import {
  inject,
  sleep,
  START_TIMEOUT_MS,
  TRACKER_NAME,
  trackerPath,
  type NemesisTarget,
} from './nemesis.js';
import { Recorder } from './recorder.js';
import { drawSchedule, type Schedule } from './schedule.js';

export interface CampaignOptions {
  readonly seed: number;
  readonly durationMs: number;
  readonly nodes: number;
  readonly groups: number;
  readonly quorum: boolean;
  /** cluster.heartbeat_datagram; vipd's default (on) when absent. */
  readonly datagram?: boolean;
  readonly intervalMs: number;
  readonly downMultiplier: number;
  readonly loadMarginMs: number;
  readonly probeIntervalMs: number;
  /** Called with progress lines (fault applied, checkpoint). */
  readonly log?: (line: string) => void;
}

export interface CampaignResult {
  readonly options: CampaignOptions;
  readonly schedule: Schedule;
  readonly bounds: Bounds;
  readonly history: History;
  readonly verdict: Verdict;
  readonly runDir: string;
  /**
   * The 1-minute load average at the origin, at every checkpoint and at the end: the bounds
   * carry a load margin, so figures from a busy machine say how busy it was.
   */
  readonly loadAverages: readonly number[];
}

/** Group i's priorities rotate over the nodes, so every node is someone's master. */
function groupSpecs(lab: Lab, count: number): VipdGroupSpec[] {
  const names = lab.nodes.map((n) => n.name);
  return Array.from({ length: count }, (_, i) => {
    const order = [...names.slice(i % names.length), ...names.slice(0, i % names.length)];
    return {
      name: `g${i + 1}`,
      addresses: [`${lab.vip4(i)}/24`, `${lab.vip6(i)}/64`],
      priorities: Object.fromEntries(order.map((n, rank) => [n, 200 - 50 * rank])),
      track: Object.fromEntries(names.map((n) => [n, [{ tracker: TRACKER_NAME, weight: 0 }]])),
    };
  });
}

function clusterOptions(lab: Lab, options: CampaignOptions): VipdClusterOptions {
  return {
    intervalMs: options.intervalMs,
    downMultiplier: options.downMultiplier,
    quorum: options.quorum,
    ...(options.datagram === undefined ? {} : { heartbeatDatagram: options.datagram }),
    groups: groupSpecs(lab, options.groups),
    trackers: Object.fromEntries(
      lab.nodes.map((n) => [
        n.name,
        [{ name: TRACKER_NAME, type: 'file', path: trackerPath(lab, n.name), interval: '50ms' }],
      ]),
    ),
  };
}

async function waitUntil(
  what: string,
  ready: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new LabError('LAB_TIMEOUT', `${what} within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/** Undoes whatever a fault that failed half-way may have left behind. */
async function healEverything(lab: Lab, cluster: VipdCluster): Promise<void> {
  await lab.faults.heal();
  await lab.faults.clearLoss();
  for (const node of lab.nodes) {
    await lab.faults.revive(node);
    await lab.faults.setLink(node, true);
    cluster.process(node)?.signal('SIGCONT');
    writeFileSync(trackerPath(lab, node.name), '0\n');
  }
}

/** Quiet time after a round: the longest aftermath (a kill's), plus one more D. */
export function settleMsFor(bounds: Bounds): number {
  return bounds.restartMs + bounds.recoveryMs + bounds.downMs;
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignResult> {
  const log = options.log ?? (() => undefined);
  const bounds = deriveBounds({ ...options, nodes: options.nodes });
  return withLab({ nodes: options.nodes }, async (lab) => {
    const configured = clusterOptions(lab, options);
    const schedule = drawSchedule({
      seed: options.seed,
      durationMs: options.durationMs,
      nodes: lab.nodes.map((n) => n.name),
      groups: configured.groups.map((g) => g.name),
      intervalMs: options.intervalMs,
      downMultiplier: options.downMultiplier,
      settleMs: settleMsFor(bounds),
    });
    for (const node of lab.nodes) writeFileSync(trackerPath(lab, node.name), '0\n');
    const cluster = new VipdCluster(lab, configured);
    cluster.writeConfigs();
    const groups = configured.groups.map((g) => ({
      name: g.name,
      vips: g.addresses.map((a) => a.split('/')[0]!),
    }));
    const recorder = new Recorder(lab, cluster, groups);
    try {
      await startResponders(
        lab,
        groups.flatMap((g) => g.vips),
      );
      await recorder.startProbes({
        probeIntervalMs: options.probeIntervalMs,
        arpingIntervalMs: 50,
      });
      // Every daemon up before the cluster may settle. As long as a restart may take (the
      // nemesis's): at a load average of 27 on 2 cores one daemon took 30 s to log its start.
      await Promise.all(
        cluster.startAll().map((d) => d.waitForLine(/"reason":"startup"/, START_TIMEOUT_MS)),
      );
      await waitUntil(
        'every VIP answered the client',
        () => recorder.allAnswered,
        START_TIMEOUT_MS,
      );
      await sleep(settleMsFor(bounds));
      await recorder.begin();
      const target: NemesisTarget = { lab, cluster, watch: recorder.watch!, options: configured };
      const origin = recorder.originMs;
      const loadAverages = [loadavg()[0] ?? 0];
      log(
        `seed ${options.seed}: ${schedule.faults.length} faults in ${schedule.checkpointsMs.length} rounds`,
      );
      const applied: Promise<AppliedFault>[] = schedule.faults.map((fault) =>
        inject(target, fault, origin).then((a) => {
          log(
            `  fault #${fault.id} ${fault.kind} ${fault.target}: ${Math.round(a.endedAtMs - a.startedAtMs)} ms${a.note === undefined ? '' : ` (${a.note})`}`,
          );
          return a;
        }),
      );
      for (const atMs of schedule.checkpointsMs) {
        await sleep(origin + atMs - wallClockMs());
        await recorder.checkpoint();
        loadAverages.push(loadavg()[0] ?? 0);
      }
      const faults = await Promise.all(applied);
      await sleep(origin + options.durationMs - wallClockMs());
      const recorded = await recorder.finish();
      loadAverages.push(loadavg()[0] ?? 0);
      const history: History = { ...recorded, seed: options.seed, quorum: options.quorum, faults };
      return {
        options,
        schedule,
        bounds,
        history,
        verdict: check(history, bounds),
        runDir: lab.runDir,
        loadAverages,
      };
    } finally {
      await healEverything(lab, cluster).catch(() => undefined);
      await cluster.stopAll();
    }
  });
}
