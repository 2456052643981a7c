import type { FailoverCluster } from './cluster.js';
import { wallClockMs } from './clock.js';
import { LabError } from './errors.js';
import type { Lab, LabHost } from './lab.js';
import type { NeighborFrame } from './neighbor-frames.js';
import { longestOutage, type ProbeReply } from './probe-analysis.js';
import type { ClientProber, PingProbe } from './probes.js';
import type { RouteClaim } from './route-watch.js';

/** Who the network is told owns a VIP: ARP/NA claims on a LAN, the router's route in a routed lab. */
export type VipClaim = NeighborFrame | RouteClaim;

/** What a trial watches for claims: NeighborCapture in the client, or RouteWatch on the router. */
export interface ClaimWatch {
  frames(): readonly VipClaim[];
  waitForQuiet(address: string, quietMs: number, timeoutMs: number): Promise<boolean>;
}

/** What one trial needs: the lab, the daemons under test, the client's probe and capture. */
export interface TrialContext {
  readonly lab: Lab;
  readonly cluster: FailoverCluster;
  readonly prober: ClientProber;
  readonly capture: ClaimWatch;
  /** The VIP the prober targets. */
  readonly vip: string;
  readonly intervalMs: number;
  /** Optional `ping -D -i 0.005` cross-check of the UDP prober. */
  readonly ping?: PingProbe;
  /** Told when a bring-up had to be repeated, and why. */
  readonly onUnsettled?: (why: string) => void;
}

/** What the client saw during one fault. */
export interface TrialResult {
  /** When the fault's command started and completed (wall-clock epoch ms). */
  readonly faultStartMs: number;
  readonly faultAtMs: number;
  /** Longest run of unanswered probes around the fault (send-time span): the client-visible outage. */
  readonly outageMs: number;
  /** The same measured by ping, when the context runs one. */
  readonly pingOutageMs: number | undefined;
  /** Time from the fault (completed) to the new master's first announcement seen by the client. */
  readonly announcedAfterMs: number | undefined;
  /** Time from the fault to the first probe reply from the new master. */
  readonly answeredAfterMs: number | undefined;
  readonly sent: number;
  readonly replies: readonly ProbeReply[];
  readonly frames: readonly VipClaim[];
}

/** Settle time before a fault: the client's ARP locktime (1 s) plus margin. */
export const ARP_QUIET_MS = 1_200;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** How long to wait for an election: generous for 1 s intervals on a busy 2-core machine. */
export function electionTimeoutMs(intervalMs: number): number {
  return 15_000 + 12 * intervalMs;
}

/**
 * From clean (no daemon, no VIP, every port forwarding) to: daemons running on `master`
 * and `backups`, the client answered by `master`, every backup ready, and the VIP's
 * announcements over for longer than the client's ARP locktime. A cluster that is not in
 * that state once settled (a backup that went master on a missed heartbeat, say) is
 * restarted, up to `attempts` times, so every trial starts from the same state.
 */
export async function bringUp(
  ctx: TrialContext,
  master: LabHost,
  backups: readonly LabHost[],
  attempts = 3,
): Promise<void> {
  let problem = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    await ctx.cluster.stopAll();
    for (const node of ctx.lab.nodes) await ctx.lab.faults.revive(node);
    await ctx.prober.forgetResponder();
    const framesBefore = ctx.capture.frames().length;
    // The master first, the backups once it answers (keepalived's usual bring-up): daemons
    // started together race for the first claim, a start-up artefact rather than the steady
    // state a failover starts from. A quorum-guarded cluster cannot elect anyone until a
    // majority runs, though: its nodes start together and the best one must win.
    const timeoutMs = electionTimeoutMs(ctx.intervalMs);
    if (ctx.cluster.startsTogether) {
      for (const node of [master, ...backups]) ctx.cluster.startNode(node);
    } else {
      ctx.cluster.startNode(master);
    }
    await ctx.prober.waitForResponder(master.name, timeoutMs);
    for (const node of backups) ctx.cluster.startNode(node);
    await Promise.all(backups.map((b) => ctx.cluster.waitUntilBackup(b, timeoutMs)));
    await ctx.capture.waitForQuiet(ctx.vip, ARP_QUIET_MS, 10_000);
    const responder = ctx.prober.currentResponder?.node;
    const lastClaim = ctx.capture
      .frames()
      .slice(framesBefore)
      .findLast((f) => f.address === ctx.vip && f.claimedMac !== undefined);
    if (responder === master.name && lastClaim?.claimedMac === master.mac) return;
    problem = `client answered by ${responder ?? 'nobody'}, last claim by ${lastClaim?.claimedMac ?? 'nobody'}`;
    ctx.onUnsettled?.(`${master.name} not a settled master (${problem}); restarting`);
  }
  throw new LabError('LAB_TIMEOUT', `${master.name} never settled as master: ${problem}`);
}

/**
 * Injects `fault` at a recorded instant, waits until `newMaster` answers the client, lets
 * replies flow for `afterMs` more, and measures what the client saw in between.
 */
export async function measureFault(
  ctx: TrialContext,
  newMaster: LabHost,
  fault: () => Promise<unknown>,
  afterMs = 300,
): Promise<TrialResult> {
  await ctx.prober.collect(); // drop what came before this trial
  const framesBefore = ctx.capture.frames().length;
  const faultStartMs = wallClockMs();
  await fault();
  // The fault takes effect as its command completes (`ip netns exec` alone can take tens
  // of ms on a busy machine), so takeover times count from there.
  const faultAtMs = wallClockMs();
  let answeredAtMs: number | undefined;
  try {
    answeredAtMs = await ctx.prober.waitForResponder(
      newMaster.name,
      electionTimeoutMs(ctx.intervalMs),
    );
  } catch {
    answeredAtMs = undefined;
  }
  await sleep(afterMs);
  const record = await ctx.prober.collect();
  const endMs = wallClockMs();
  const frames = ctx.capture.frames().slice(framesBefore);
  const announcement = frames.find(
    (f) => f.address === ctx.vip && f.claimedMac === newMaster.mac && f.atMs >= faultStartMs,
  );
  const gap = longestOutage(record.replies, faultStartMs, endMs);
  const pingGap =
    ctx.ping === undefined
      ? undefined
      : longestOutage(ctx.ping.replies(), faultStartMs, endMs, 2 ** 16);
  return {
    faultStartMs,
    faultAtMs,
    outageMs: gap?.gapMs ?? 0,
    pingOutageMs: ctx.ping === undefined ? undefined : (pingGap?.gapMs ?? 0),
    announcedAfterMs:
      announcement === undefined ? undefined : Math.max(0, announcement.atMs - faultAtMs),
    answeredAfterMs: answeredAtMs === undefined ? undefined : Math.max(0, answeredAtMs - faultAtMs),
    sent: record.sent,
    replies: record.replies,
    frames,
  };
}

/** Silent death of `master`: its switch port stops forwarding, its carrier stays up. */
export async function silentDeathTrial(
  ctx: TrialContext,
  master: LabHost,
  backup: LabHost,
  otherBackups: readonly LabHost[] = [],
): Promise<TrialResult> {
  await bringUp(ctx, master, [backup, ...otherBackups]);
  const result = await measureFault(ctx, backup, () => ctx.lab.faults.silence(master));
  await ctx.lab.faults.revive(master);
  return result;
}

/**
 * The master's daemon dies (SIGKILL to every one of its processes) while the host stays
 * up: its VIP stays on the interface, so the client keeps being answered until the
 * backup announces. `announcedAfterMs` is the crash takeover time.
 */
export async function daemonCrashTrial(
  ctx: TrialContext,
  master: LabHost,
  backup: LabHost,
): Promise<TrialResult> {
  await bringUp(ctx, master, [backup]);
  return measureFault(ctx, backup, () => {
    for (const pid of ctx.cluster.daemonPids(master)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return Promise.resolve();
  });
}
