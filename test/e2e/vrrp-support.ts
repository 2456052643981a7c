// Set-up for the VRRP interoperability scenarios: one namespace lab, one VRRPv3 virtual router
// spoken by real keepalived 2.2.7 and vipd processes, the client probing the VIP and
// capturing ARP/NA and VRRP. Same lock as the other lab scenarios (./support.ts).
import { hasTool } from '@vipd/testkit';
import { withLab, type Lab, type LabHost } from '../src/lab.js';
import { ClientProber, NeighborCapture, startResponders } from '../src/probes.js';
import type { TrialContext } from '../src/trials.js';
import { VrrpCapture } from '../src/vrrp-capture.js';
import { VrrpCluster, type VrrpGroupSpec, type VrrpSpeaker } from '../src/vrrp-cluster.js';
import { e2eSkipReason, withE2eLock } from './support.js';

export function vrrpSkipReason(): string | false {
  return e2eSkipReason() || (hasTool('keepalived') ? false : 'needs keepalived (see .ci/run)');
}

export interface VrrpScenario {
  readonly lab: Lab;
  readonly cluster: VrrpCluster;
  readonly prober: ClientProber;
  readonly capture: NeighborCapture;
  readonly adverts: VrrpCapture;
  readonly vip: string;
  readonly ctx: TrialContext;
  readonly n1: LabHost;
  readonly n2: LabHost;
  /** A third host with no daemon when the lab has 3 nodes (n2 again otherwise). */
  readonly n3: LabHost;
}

export interface VrrpScenarioOptions {
  readonly nodes?: number;
  readonly ipv6?: boolean;
  readonly intervalMs: number;
  readonly speakers: Readonly<Record<string, VrrpSpeaker>>;
  /** Default n1 150, n2 100. */
  readonly priorities?: Readonly<Record<string, number>>;
}

/** Group "web", VRID 51, preempt on, the lab's IPv4 (or IPv6) VIP. */
export function webGroup(lab: Lab, options: VrrpScenarioOptions): VrrpGroupSpec {
  return {
    name: 'web',
    vrid: 51,
    intervalMs: options.intervalMs,
    addresses: [options.ipv6 === true ? `${lab.vip6()}/64` : `${lab.vip4()}/24`],
    priorities: options.priorities ?? { n1: 150, n2: 100 },
    preempt: true,
  };
}

export function runVrrpScenario(
  options: VrrpScenarioOptions,
  body: (s: VrrpScenario) => Promise<void>,
): Promise<void> {
  return withE2eLock(() =>
    withLab({ nodes: options.nodes ?? 2 }, async (lab) => {
      const cluster = new VrrpCluster(lab, {
        group: webGroup(lab, options),
        speakers: options.speakers,
      });
      const vip = options.ipv6 === true ? lab.vip6() : lab.vip4();
      await startResponders(lab, [lab.vip4(), lab.vip6()]);
      const capture = await NeighborCapture.start(lab);
      const adverts = await VrrpCapture.start(lab);
      const prober = await ClientProber.start(lab, vip, { intervalMs: 1, gapReportMs: 5 });
      const [n1, n2, n3] = lab.nodes as [LabHost, LabHost, LabHost | undefined];
      const ctx: TrialContext = {
        lab,
        cluster,
        prober,
        capture,
        vip,
        intervalMs: options.intervalMs,
      };
      try {
        await body({ lab, cluster, prober, capture, adverts, vip, ctx, n1, n2, n3: n3 ?? n2 });
      } finally {
        await cluster.stopAll();
        await prober.stop();
        await adverts.stop();
        await capture.stop();
      }
    }),
  );
}

/** One line of measured figures, visible in the TAP output. */
export function report(line: string): void {
  process.stdout.write(`measured: ${line}\n`);
}
