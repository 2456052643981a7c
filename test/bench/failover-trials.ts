// The trials every kind of the failover bench runs once its lab is up: silent deaths, a CPU
// sample, daemon crashes and planned takeovers, each recorded into one DaemonResult.
import type { DaemonKind } from '../src/cluster.js';
import { cpuSecondsPerMinute } from '../src/cpu.js';
import type { LabHost } from '../src/lab.js';
import { longestSendStall } from '../src/probe-analysis.js';
import {
  bringUp,
  daemonCrashTrial,
  measureFault,
  silentDeathTrial,
  type TrialContext,
  type TrialResult,
} from '../src/trials.js';
import type { VipdCluster } from '../src/vipd-cluster.js';

export interface BenchOptions {
  readonly trials: number;
  readonly crashTrials: number;
  readonly intervalsMs: readonly number[];
  readonly daemons: readonly DaemonKind[];
  readonly cpuSampleMs: number;
  readonly log: (line: string) => void;
}

/** The three faults: silent master death, SIGKILL of the master daemon, REST takeover. */
export type Fault = 'silent' | 'crash' | 'planned';

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
  /** Client-visible gap around each crash. */
  readonly crashOutagesMs: number[];
  /** Client-visible gap of a REST takeover (vipd only). */
  readonly plannedGapsMs: number[];
  /**
   * Routed mode only: silent death → the new master's route in its own kernel table (vipd's
   * detection and its netlink write).
   */
  readonly routeAfterMs: number[];
  /** Routed mode only, per fault: the new master's route in its table → the router's choice. */
  readonly routerLagsMs: Record<Fault, number[]>;
  readonly errors: string[];
  /** Bring-ups repeated because a backup had gone master before the fault (missed heartbeats). */
  unsettledStarts: number;
}

/** What a kind adds to the common trials: a look at each takeover's result. */
export interface TrialObserver {
  /** Called after each successful trial of `fault`, before the next bring-up. */
  readonly onTakeover: (fault: Fault, result: TrialResult, into: DaemonResult) => void;
}

export const GROUP = 'web';

/**
 * A trial whose client prober sent nothing for longer than this around the fault measured a
 * starved machine, not a failover (the outage may even read 0): it is left out and reported.
 */
export const PROBER_STALL_LIMIT_MS = 100;

/** Throws when the client's prober stalled during the trial (see PROBER_STALL_LIMIT_MS). */
function assertProberRan(r: TrialResult): TrialResult {
  const stallMs = longestSendStall(r.replies, r.faultStartMs, Number.POSITIVE_INFINITY);
  if (stallMs > PROBER_STALL_LIMIT_MS) {
    throw new Error(
      `the client's prober itself sent nothing for ${stallMs.toFixed(0)} ms (a starved machine)`,
    );
  }
  return r;
}

export function newResult(daemon: DaemonKind, version: string, intervalMs: number): DaemonResult {
  return {
    daemon,
    version,
    intervalMs,
    outagesMs: [],
    pingOutagesMs: [],
    cpuMaster: Number.NaN,
    cpuBackup: Number.NaN,
    crashTakeoversMs: [],
    crashOutagesMs: [],
    plannedGapsMs: [],
    routeAfterMs: [],
    routerLagsMs: { silent: [], crash: [], planned: [] },
    errors: [],
    unsettledStarts: 0,
  };
}

export function fmt(ms: number | undefined): string {
  return ms === undefined ? 'n/a' : ms.toFixed(1);
}

/** Where the trials run: n1 the master, n2 the backup that takes over. */
export interface TrialSetting {
  readonly ctx: TrialContext;
  readonly n1: LabHost;
  readonly n2: LabHost;
  /** The vipd whose REST API moves the group in planned trials; none for keepalived. */
  readonly plannedApi: VipdCluster | undefined;
  readonly observer?: TrialObserver;
}

/**
 * Silent deaths, CPU, crashes and planned takeovers in that order into `result`; a failed
 * trial is logged and recorded, never fatal.
 */
export async function runTrials(
  options: BenchOptions,
  setting: TrialSetting,
  result: DaemonResult,
): Promise<void> {
  const { ctx, n1, n2, plannedApi, observer } = setting;
  const tag = `${result.daemon} @ ${result.intervalMs} ms`;
  const attempt = async (what: string, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (error) {
      result.errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      options.log(`    ${what} FAILED: ${String(error)}`);
    }
  };
  const observe = (fault: Fault, r: TrialResult) => observer?.onTakeover(fault, r, result);
  for (let trial = 1; trial <= options.trials; trial += 1) {
    await attempt(`silent death #${trial}`, async () => {
      const r = assertProberRan(await silentDeathTrial(ctx, n1, n2));
      result.outagesMs.push(r.outageMs);
      if (r.pingOutageMs !== undefined) result.pingOutagesMs.push(r.pingOutageMs);
      observe('silent', r);
      options.log(
        `  ${tag}: silent death #${trial}: outage ${fmt(r.outageMs)} ms (ping ${fmt(r.pingOutageMs)}), announced after ${fmt(r.announcedAfterMs)} ms`,
      );
    });
  }
  await attempt('cpu', async () => {
    await bringUp(ctx, n1, [n2]);
    const [master, backup] = await Promise.all([
      cpuSecondsPerMinute(() => ctx.cluster.daemonPids(n1), options.cpuSampleMs),
      cpuSecondsPerMinute(() => ctx.cluster.daemonPids(n2), options.cpuSampleMs),
    ]);
    Object.assign(result, { cpuMaster: master, cpuBackup: backup });
    options.log(`  ${tag}: CPU s/min master ${master.toFixed(3)}, backup ${backup.toFixed(3)}`);
  });
  for (let trial = 1; trial <= options.crashTrials; trial += 1) {
    await attempt(`crash #${trial}`, async () => {
      const r = assertProberRan(await daemonCrashTrial(ctx, n1, n2));
      if (r.announcedAfterMs === undefined) throw new Error('the backup never announced the VIP');
      result.crashTakeoversMs.push(r.announcedAfterMs);
      result.crashOutagesMs.push(r.outageMs);
      observe('crash', r);
      options.log(
        `  ${tag}: daemon SIGKILL #${trial}: backup announced after ${fmt(r.announcedAfterMs)} ms, client gap ${fmt(r.outageMs)} ms`,
      );
    });
  }
  if (plannedApi === undefined) return;
  for (let trial = 1; trial <= options.trials; trial += 1) {
    await attempt(`planned takeover #${trial}`, async () => {
      await bringUp(ctx, n1, [n2]);
      const r = assertProberRan(
        await measureFault(ctx, n2, async () => {
          const response = await plannedApi.api(n2, 'POST', `/v1/groups/${GROUP}/takeover`);
          if (response.status !== 200)
            throw new Error(
              `takeover answered ${response.status}: ${JSON.stringify(response.body)}`,
            );
        }),
      );
      result.plannedGapsMs.push(r.outageMs);
      observe('planned', r);
      options.log(`  ${tag}: planned takeover #${trial}: client gap ${fmt(r.outageMs)} ms`);
    });
  }
}
