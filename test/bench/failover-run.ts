import type { DaemonKind, FailoverCluster } from '../src/cluster.js';
import { cpuSecondsPerMinute } from '../src/cpu.js';
import { KeepalivedCluster } from '../src/keepalived-cluster.js';
import { withLab, type Lab } from '../src/lab.js';
import { median } from '../src/probe-analysis.js';
import { ClientProber, NeighborCapture, PingProbe, startResponders } from '../src/probes.js';
import {
  bringUp,
  daemonCrashTrial,
  measureFault,
  silentDeathTrial,
  type TrialContext,
} from '../src/trials.js';
import { VipdCluster } from '../src/vipd-cluster.js';
import { VrrpCluster, type VrrpSpeaker } from '../src/vrrp-cluster.js';

export interface BenchOptions {
  readonly trials: number;
  readonly crashTrials: number;
  readonly intervalsMs: readonly number[];
  readonly daemons: readonly DaemonKind[];
  readonly cpuSampleMs: number;
  readonly log: (line: string) => void;
}

/** Everything measured for one daemon at one interval. */
export interface DaemonResult {
  readonly daemon: DaemonKind;
  readonly version: string;
  readonly intervalMs: number;
  /** Client-visible outage per silent-death trial (UDP prober, 1 ms). */
  readonly outagesMs: number[];
  /** The same trials measured by ping -i 0.005. */
  readonly pingOutagesMs: number[];
  /** CPU seconds per minute, master and backup. */
  readonly cpuMaster: number;
  readonly cpuBackup: number;
  /** SIGKILL of the master daemon → backup's first announcement seen by the client. */
  readonly crashTakeoversMs: number[];
  /** Client-visible gap of a REST takeover (vipd only). */
  readonly plannedGapsMs: number[];
  readonly errors: string[];
  /** Bring-ups repeated because a backup had gone master before the fault (missed heartbeats). */
  unsettledStarts: number;
}

const GROUP = 'web';
const PRIORITIES = { n1: 150, n2: 100 };

/** Who speaks VRRP on n1 (the master) and n2 for the VRRP kinds. */
const VRRP_SPEAKERS: Partial<Record<DaemonKind, Record<string, VrrpSpeaker>>> = {
  'vipd-vrrp': { n1: 'vipd', n2: 'vipd' },
  // keepalived master, vipd backup: vipd's takeover from a keepalived that dies.
  'vrrp-mixed': { n1: 'keepalived', n2: 'vipd' },
};

function makeCluster(lab: Lab, daemon: DaemonKind, intervalMs: number): FailoverCluster {
  const addresses = [`${lab.vip4()}/24`];
  const speakers = VRRP_SPEAKERS[daemon];
  if (speakers !== undefined) {
    return new VrrpCluster(lab, {
      group: {
        name: GROUP,
        vrid: 51,
        intervalMs,
        addresses,
        priorities: PRIORITIES,
        preempt: true,
      },
      speakers,
      kind: daemon,
    });
  }
  if (daemon === 'keepalived') {
    return new KeepalivedCluster(lab, [
      {
        name: GROUP,
        virtualRouterId: 51,
        intervalMs,
        priorities: PRIORITIES,
        addresses,
        preempt: true,
        unicast: false,
      },
    ]);
  }
  return new VipdCluster(lab, {
    intervalMs,
    groups: [{ name: GROUP, addresses, priorities: PRIORITIES, preempt: true }],
  });
}

function fmt(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : ms.toFixed(1);
}

async function measureDaemon(
  options: BenchOptions,
  daemon: DaemonKind,
  intervalMs: number,
): Promise<DaemonResult> {
  return withLab({ nodes: 2 }, async (lab) => {
    const [n1, n2] = lab.nodes as [(typeof lab.nodes)[0], (typeof lab.nodes)[0]];
    const vip = lab.vip4();
    await startResponders(lab, [vip]);
    const capture = await NeighborCapture.start(lab);
    const prober = await ClientProber.start(lab, vip, { intervalMs: 1 });
    const ping = PingProbe.start(lab, vip, 5);
    const cluster = makeCluster(lab, daemon, intervalMs);
    const unsettled: string[] = [];
    const ctx: TrialContext = {
      lab,
      cluster,
      prober,
      capture,
      vip,
      intervalMs,
      ping,
      onUnsettled: (why) => {
        unsettled.push(why);
        options.log(`    (${why})`);
      },
    };
    const result: DaemonResult = {
      daemon,
      version: cluster.version,
      intervalMs,
      outagesMs: [],
      pingOutagesMs: [],
      cpuMaster: Number.NaN,
      cpuBackup: Number.NaN,
      crashTakeoversMs: [],
      plannedGapsMs: [],
      errors: [],
      unsettledStarts: 0,
    };
    const attempt = async (what: string, body: () => Promise<void>): Promise<void> => {
      try {
        await body();
      } catch (error) {
        result.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
        options.log(`    ${what} FAILED: ${String(error)}`);
      }
    };
    const tag = `${daemon} @ ${intervalMs} ms`;
    for (let trial = 1; trial <= options.trials; trial += 1) {
      await attempt(`silent death #${trial}`, async () => {
        const r = await silentDeathTrial(ctx, n1, n2);
        result.outagesMs.push(r.outageMs);
        if (r.pingOutageMs !== undefined) result.pingOutagesMs.push(r.pingOutageMs);
        options.log(
          `  ${tag}: silent death #${trial}: outage ${fmt(r.outageMs)} ms (ping ${fmt(r.pingOutageMs)}), announced after ${fmt(r.announcedAfterMs)} ms`,
        );
      });
    }
    await attempt('cpu', async () => {
      await bringUp(ctx, n1, [n2]);
      const [master, backup] = await Promise.all([
        cpuSecondsPerMinute(() => cluster.daemonPids(n1), options.cpuSampleMs),
        cpuSecondsPerMinute(() => cluster.daemonPids(n2), options.cpuSampleMs),
      ]);
      Object.assign(result, { cpuMaster: master, cpuBackup: backup });
      options.log(`  ${tag}: CPU s/min master ${master.toFixed(3)}, backup ${backup.toFixed(3)}`);
    });
    for (let trial = 1; trial <= options.crashTrials; trial += 1) {
      await attempt(`crash #${trial}`, async () => {
        const r = await daemonCrashTrial(ctx, n1, n2);
        if (r.announcedAfterMs === undefined) throw new Error('the backup never announced the VIP');
        result.crashTakeoversMs.push(r.announcedAfterMs);
        options.log(
          `  ${tag}: daemon SIGKILL #${trial}: backup announced after ${fmt(r.announcedAfterMs)} ms, client gap ${fmt(r.outageMs)} ms`,
        );
      });
    }
    const api = plannedTakeoverApi(cluster);
    if (api !== undefined) {
      for (let trial = 1; trial <= options.trials; trial += 1) {
        await attempt(`planned takeover #${trial}`, async () => {
          await bringUp(ctx, n1, [n2]);
          const r = await measureFault(ctx, n2, async () => {
            const response = await api.api(n2, 'POST', `/v1/groups/${GROUP}/takeover`);
            if (response.status !== 200)
              throw new Error(
                `takeover answered ${response.status}: ${JSON.stringify(response.body)}`,
              );
          });
          result.plannedGapsMs.push(r.outageMs);
          options.log(`  ${tag}: planned takeover #${trial}: client gap ${fmt(r.outageMs)} ms`);
        });
      }
    }
    result.unsettledStarts = unsettled.length;
    await cluster.stopAll();
    await ping.stop();
    await prober.stop();
    await capture.stop();
    return result;
  });
}

/** The vipd API that takes the group over on the backup (n2): every kind but keepalived's. */
function plannedTakeoverApi(cluster: FailoverCluster): VipdCluster | undefined {
  if (cluster instanceof VipdCluster) return cluster;
  return cluster instanceof VrrpCluster ? cluster.vipd : undefined;
}

/** Runs every interval, keepalived then vipd at each, one lab per pair. */
export async function runBenchmark(options: BenchOptions): Promise<DaemonResult[]> {
  const results: DaemonResult[] = [];
  for (const intervalMs of options.intervalsMs) {
    for (const daemon of options.daemons) {
      options.log(`${daemon} at ${intervalMs} ms`);
      const result = await measureDaemon(options, daemon, intervalMs);
      options.log(
        `  => median outage ${fmt(median(result.outagesMs))} ms over ${result.outagesMs.length} trials`,
      );
      results.push(result);
    }
  }
  return results;
}
