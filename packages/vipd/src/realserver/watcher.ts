// RealServerWatcher: the daemon's real-server loop. Checks every check_interval, repairs
// drift apply can fix (someone reset a sysctl, deleted a VIP from lo) when told to, reports
// every result to the metrics sink, and logs only when the picture changes.

import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import { applyRealServer } from './apply.js';
import type { AppliedChange } from './apply.js';
import { checkRealServer } from './check.js';
import type { RealServerMetricsSink } from './metrics.js';
import type { RealServerConfig, RealServerDeps, RealServerReport } from './types.js';

/** The slice of a pino logger the watcher uses. */
export interface RealServerLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface RealServerWatcherOptions {
  readonly config: RealServerConfig;
  readonly deps: RealServerDeps;
  readonly sink?: RealServerMetricsSink;
  readonly log?: RealServerLog;
  /** Times the checks; default: the system clock. */
  readonly clock?: Clock;
}

export interface WatchCycle {
  readonly report: RealServerReport;
  /** What the repair changed; empty when nothing was repaired. */
  readonly repaired: readonly AppliedChange[];
}

function problemKey(report: RealServerReport): string {
  return report.vips
    .flatMap((v) => v.problems.map((p) => `${p.vip} ${p.reason} ${p.interface ?? ''}`))
    .sort()
    .join('\n');
}

export class RealServerWatcher {
  private readonly clock: Clock;
  private timer: TimerHandle | null = null;
  /** The check in progress and the scheduling of the next one. */
  private running: Promise<void> | null = null;
  private stopped = true;
  private lastProblems: string | null = null;
  private last: RealServerReport | null = null;

  constructor(private readonly options: RealServerWatcherOptions) {
    this.clock = options.clock ?? systemClock;
  }

  get lastReport(): RealServerReport | null {
    return this.last;
  }

  /** Checks at once, then every check_interval after each check ends (never overlapping). */
  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the timer and waits for a check in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  /**
   * Resolves once no check is in progress: the one the clock started has finished and the
   * next is scheduled. Lets a test on a manual clock wait for a cycle without sleeping.
   */
  async whenIdle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  /** One cycle: check, repair if configured and useful, report. Never throws. */
  async runCycle(): Promise<WatchCycle | null> {
    const { config, deps, sink, log } = this.options;
    try {
      let report = await checkRealServer(config, deps);
      let repaired: readonly AppliedChange[] = [];
      const repairable = report.vips.some((v) => v.problems.some((p) => p.repairable));
      if (config.repair && repairable) {
        const result = await applyRealServer(config, deps);
        if (result.stateRepair !== null)
          log?.error(
            { corruptCopy: result.stateRepair.corruptCopy, code: 'REALSERVER_STATE_INVALID' },
            result.stateRepair.message,
          );
        repaired = result.changes;
        report = result.report;
        if (repaired.length > 0) {
          sink?.observeRepair(repaired);
          log?.warn({ changes: repaired }, 'realserver: repaired drift');
        }
      }
      sink?.observeReport(report);
      this.logTransition(report);
      this.last = report;
      return { report, repaired };
    } catch (error) {
      sink?.observeCheckError(error);
      log?.error({ err: error }, 'realserver: check failed');
      return null;
    }
  }

  private logTransition(report: RealServerReport): void {
    const key = problemKey(report);
    if (key === this.lastProblems) return;
    this.lastProblems = key;
    if (report.ok) {
      this.options.log?.info(
        { vips: report.vips.map((v) => v.vip) },
        'realserver: all VIPs hidden',
      );
    } else {
      const problems = report.vips.flatMap((v) => v.problems);
      this.options.log?.warn({ problems }, 'realserver: VIPs not correctly hidden');
    }
  }

  private schedule(delayMs: number): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.running = this.runCycle().then(() => {
        this.running = null;
        if (!this.stopped) this.schedule(this.options.config.checkIntervalMs);
      });
    }, delayMs);
  }
}
