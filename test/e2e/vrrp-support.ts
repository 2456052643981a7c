// Set-up for the VRRP interoperability scenarios: one namespace lab, one VRRPv3 virtual router
// spoken by real keepalived 2.2.7 and vipd processes, the client probing the VIP and
// capturing ARP/NA and VRRP. The same client lab and lock as the other scenarios (./support.ts).
import { hasTool } from '@vipd/testkit';
import type { Lab } from '../src/lab.js';
import { VrrpCapture } from '../src/vrrp-capture.js';
import { VrrpCluster, type VrrpGroupSpec, type VrrpSpeaker } from '../src/vrrp-cluster.js';
import { e2eSkipReason, withClientLab, type ClientLab } from './support.js';

export function vrrpSkipReason(): string | false {
  return e2eSkipReason() || (hasTool('keepalived') ? false : 'needs keepalived (see .ci/run)');
}

export interface VrrpScenario extends ClientLab<VrrpCluster> {
  /** VRRP as the client hears it. */
  readonly adverts: VrrpCapture;
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
  return withClientLab(
    { nodes: options.nodes ?? 2, ipv6: options.ipv6 },
    (lab) => ({
      cluster: new VrrpCluster(lab, { group: webGroup(lab, options), speakers: options.speakers }),
      intervalMs: options.intervalMs,
    }),
    async (s) => {
      const adverts = await VrrpCapture.start(s.lab);
      try {
        await body({ ...s, adverts });
      } finally {
        await adverts.stop();
      }
    },
  );
}

/** One line of measured figures, visible in the TAP output. */
export function report(line: string): void {
  process.stdout.write(`measured: ${line}\n`);
}
