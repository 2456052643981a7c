import type { DaemonKind, FailoverCluster } from '../src/cluster.js';
import { KeepalivedCluster } from '../src/keepalived-cluster.js';
import { withLab, type Lab } from '../src/lab.js';
import { median } from '../src/probe-analysis.js';
import { ClientProber, NeighborCapture, PingProbe, startResponders } from '../src/probes.js';
import type { TrialContext } from '../src/trials.js';
import { VipdCluster } from '../src/vipd-cluster.js';
import { VrrpCluster, type VrrpSpeaker } from '../src/vrrp-cluster.js';
import { measureRouted } from './failover-routed.js';
import {
  fmt,
  GROUP,
  newResult,
  runTrials,
  type BenchOptions,
  type DaemonResult,
} from './failover-trials.js';

export type { BenchOptions, DaemonResult } from './failover-trials.js';

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

/** One daemon kind on the switched lab (a bridge, two nodes, the client). */
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
    const result = newResult(daemon, cluster.version, intervalMs);
    const ctx: TrialContext = {
      lab,
      cluster,
      prober,
      capture,
      vip,
      intervalMs,
      ping,
      onUnsettled: (why) => {
        result.unsettledStarts += 1;
        options.log(`    (${why})`);
      },
    };
    await runTrials(options, { ctx, n1, n2, plannedApi: plannedTakeoverApi(cluster) }, result);
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

/** Runs every interval, each daemon kind in turn at each, one lab per kind and interval. */
export async function runBenchmark(options: BenchOptions): Promise<DaemonResult[]> {
  const results: DaemonResult[] = [];
  for (const intervalMs of options.intervalsMs) {
    for (const daemon of options.daemons) {
      options.log(`${daemon} at ${intervalMs} ms`);
      const result =
        daemon === 'vipd-routed'
          ? await measureRouted(options, intervalMs)
          : await measureDaemon(options, daemon, intervalMs);
      options.log(
        `  => median outage ${fmt(median(result.outagesMs))} ms over ${result.outagesMs.length} trials`,
      );
      results.push(result);
    }
  }
  return results;
}
