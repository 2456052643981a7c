// Shared set-up for the vipd end-to-end scenarios: one namespace lab per scenario, vipd on
// the nodes, the client probing the VIP and capturing ARP/NA. Scenarios assert on what the
// client saw. Files run two at a time under node --test, so a lock keeps one lab scenario
// running at once: their timing bounds assume the 2 cores are not shared with another lab.
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wallClockMs } from '../src/clock.js';
import { withLab, type Lab, type LabHost } from '../src/lab.js';
import { hasTool, labSupport } from '@vipd/testkit';
import { ClientProber, NeighborCapture, startResponders } from '../src/probes.js';
import type { FailoverCluster } from '../src/cluster.js';
import type { TrialContext } from '../src/trials.js';
import { VipdCluster, vipdAvailable, type VipdClusterOptions } from '../src/vipd-cluster.js';
import { withinDeadline } from '../src/deadline.js';

/** Why the e2e scenarios cannot run here, or false when they can. */
export function e2eSkipReason(): string | false {
  const support = labSupport();
  if (!support.ok) return `needs root: ${support.reason}`;
  for (const tool of ['tcpdump', 'arping', 'nft', 'ping']) {
    if (!hasTool(tool)) return `needs ${tool} (see .ci/run)`;
  }
  if (!vipdAvailable()) return 'the vipd daemon is not built (`npx tsc -b`)';
  return false;
}

/** What every lab scenario gets, whichever daemon speaks for the nodes. */
export interface ClientLab<C extends FailoverCluster> {
  readonly lab: Lab;
  readonly cluster: C;
  readonly prober: ClientProber;
  readonly capture: NeighborCapture;
  readonly vip: string;
  readonly ctx: TrialContext;
  readonly n1: LabHost;
  readonly n2: LabHost;
  /** n3 when the lab has 3 nodes; n2 again otherwise (never used then). */
  readonly n3: LabHost;
}

export type Scenario = ClientLab<VipdCluster>;

export interface ScenarioOptions {
  readonly nodes: number;
  /** Build the cluster options from the lab (VIP addresses depend on the run). */
  readonly cluster: (lab: Lab) => VipdClusterOptions;
  /** Probe the IPv6 VIP instead of the IPv4 one. */
  readonly ipv6?: boolean;
}

const LOCK_PATH = join(tmpdir(), 'vipd-lab-e2e.lock');
const LOCK_WAIT_MS = 15 * 60_000;

function lockHolderAlive(): boolean {
  try {
    const pid = Number(readFileSync(LOCK_PATH, 'utf8'));
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** One lab scenario at a time across test files; a lock left by a dead process is taken over. */
export async function withE2eLock<T>(body: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      break;
    } catch {
      if (!lockHolderAlive()) {
        rmSync(LOCK_PATH, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`lab lock ${LOCK_PATH} held for over 15 min`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  try {
    return await body();
  } finally {
    rmSync(LOCK_PATH, { force: true });
  }
}

/** What sets one two-node scenario apart from the standard pair. */
export interface PairOptions {
  /** Omitted: the group leaves preempt to vipd's default (on). */
  readonly preempt?: boolean;
  /** A vipd duration string: "2000ms". */
  readonly preemptDelay?: string;
  /** Default 100 ms. */
  readonly intervalMs?: number;
}

/**
 * The standard pair most scenarios start from: n1 at priority 150 and n2 at 100 share group
 * "web" with the lab's IPv4 VIP, heartbeats every 100 ms; n1 wins the election.
 */
export function pairScenario(options: PairOptions = {}): ScenarioOptions {
  return {
    nodes: 2,
    cluster: (lab) => ({
      intervalMs: options.intervalMs ?? 100,
      groups: [
        {
          name: 'web',
          addresses: [vip4Address(lab)],
          priorities: { n1: 150, n2: 100 },
          ...(options.preempt === undefined ? {} : { preempt: options.preempt }),
          ...(options.preemptDelay === undefined ? {} : { preemptDelay: options.preemptDelay }),
        },
      ],
    }),
  };
}

/** The longest e2e scenario runs about 3 min on a loaded machine; a hang ends at this. */
export const SCENARIO_LIMIT_MS = 10 * 60_000;

/**
 * Under the lab lock: builds the lab and the cluster (`setUp`, not started), starts the
 * responders on both VIPs, the client's ARP/NA capture and its prober on the IPv4 (or IPv6)
 * VIP, runs `body`, and stops the cluster and the client's tools whatever happened.
 */
export function withClientLab<C extends FailoverCluster>(
  options: { readonly nodes: number; readonly ipv6?: boolean | undefined },
  setUp: (lab: Lab) => { readonly cluster: C; readonly intervalMs: number },
  body: (s: ClientLab<C>) => Promise<void>,
): Promise<void> {
  return withE2eLock(() =>
    withLab({ nodes: options.nodes }, async (lab) => {
      const { cluster, intervalMs } = setUp(lab);
      const vip = options.ipv6 === true ? lab.vip6() : lab.vip4();
      await startResponders(lab, [lab.vip4(), lab.vip6()]);
      const capture = await NeighborCapture.start(lab);
      const prober = await ClientProber.start(lab, vip, { intervalMs: 1, gapReportMs: 5 });
      const [n1, n2, n3] = lab.nodes as [LabHost, LabHost, LabHost | undefined];
      const ctx: TrialContext = { lab, cluster, prober, capture, vip, intervalMs };
      try {
        await withinDeadline(
          body({ lab, cluster, prober, capture, vip, ctx, n1, n2, n3: n3 ?? n2 }),
          SCENARIO_LIMIT_MS,
          'the scenario',
        );
      } finally {
        await cluster.stopAll();
        await prober.stop();
        await capture.stop();
      }
    }),
  );
}

/** What sets one three-node scenario apart: its timing, and whether the quorum guard is on. */
export interface TrioOptions {
  readonly intervalMs: number;
  readonly downMultiplier: number;
  /** Omitted: vipd's default (off). */
  readonly quorum?: boolean;
}

/**
 * The standard trio: n1 at priority 150, n2 at 100 and n3 at 50 share group "web" with the
 * lab's IPv4 VIP; n1 wins the election and n2 is the best backup.
 */
export function trioScenario(options: TrioOptions): ScenarioOptions {
  return {
    nodes: 3,
    cluster: (lab) => ({
      intervalMs: options.intervalMs,
      downMultiplier: options.downMultiplier,
      ...(options.quorum === undefined ? {} : { quorum: options.quorum }),
      groups: [
        {
          name: 'web',
          addresses: [vip4Address(lab)],
          priorities: { n1: 150, n2: 100, n3: 50 },
        },
      ],
    }),
  };
}

/** Builds the lab, starts responders, capture and prober (not vipd), runs `body`, tears down. */
export function runScenario(
  options: ScenarioOptions,
  body: (s: Scenario) => Promise<void>,
): Promise<void> {
  return withClientLab(
    options,
    (lab) => {
      const clusterOptions = options.cluster(lab);
      const cluster = new VipdCluster(lab, clusterOptions);
      cluster.writeConfigs();
      return { cluster, intervalMs: clusterOptions.intervalMs };
    },
    body,
  );
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export { wallClockMs };

/** VIP prefixes as vipd's config wants them. */
export function vip4Address(lab: Lab): string {
  return `${lab.vip4()}/24`;
}

export function vip6Address(lab: Lab): string {
  return `${lab.vip6()}/64`;
}

/** Whether a node's interface currently carries an address (ip addr show). */
export async function hasAddress(lab: Lab, node: LabHost, address: string): Promise<boolean> {
  const { stdout } = await lab.exec(node, ['ip', '-o', 'addr', 'show', 'dev', node.interface]);
  return stdout.split('\n').some((line) => line.includes(` ${address}/`));
}

/** Every address (without prefix) on a node's interface, as `ip -j addr show` lists them. */
export async function interfaceAddresses(lab: Lab, node: LabHost): Promise<Set<string>> {
  const { stdout } = await lab.exec(node, ['ip', '-j', 'addr', 'show', 'dev', node.interface]);
  const links = JSON.parse(stdout) as { addr_info?: { local?: string }[] }[];
  return new Set(
    links.flatMap((link) =>
      (link.addr_info ?? []).flatMap((a) => (a.local === undefined ? [] : [a.local])),
    ),
  );
}
