// `vipd run` from its first signal to its exit. Signals are caught from before start-up on:
// left to Node's defaults, a SIGHUP during start-up would kill the node (and systemd does
// not restart a death by SIGHUP) and a SIGTERM would leave what start-up added. So a signal
// during start-up is queued and applied once the node runs; one while stopping is ignored
// with a log line. An uncaught exception or unhandled rejection takes the VIPs off (bounded
// in time) and exits non-zero: a dying node must not leave addresses answering ARP.

import type { Logger } from 'pino';
import type { VipdConfig } from '../config/types.js';
import type { ServiceNotifier } from '../daemon/service-notify.js';
import { stopBudget, stopTiming } from '../daemon/stop-budget.js';
import { EXIT } from './exit-codes.js';

export type RunSignal = 'SIGTERM' | 'SIGINT' | 'SIGHUP';
export type FailureOrigin = 'uncaughtException' | 'unhandledRejection' | 'election' | 'shutdown';

/** The part of the Daemon the lifecycle drives. */
export interface LifecycleDaemon {
  /** The configuration in force (for the stop budget systemd is told). */
  readonly config: VipdConfig;
  reload(): Promise<boolean>;
  shutdown(): Promise<void>;
  abandon(): void;
}

export interface RunLifecycleDeps {
  readonly logger: Logger;
  /** For the status line systemd shows. */
  readonly nodeId: string;
  /** For the log line of a reload. */
  readonly configFile: string;
  /** Under a Type=notify unit: tells systemd about readiness, reloads and the stop. */
  readonly notifier: ServiceNotifier | null;
  readonly setExitCode: (code: number) => void;
  /** Ends the process at once (main: process.exit). */
  readonly exit: (code: number) => void;
}

type Phase = 'starting' | 'running' | 'stopping';

export class RunLifecycle {
  readonly #deps: RunLifecycleDeps;
  readonly #log: Logger;
  #phase: Phase = 'starting';
  #daemon: LifecycleDaemon | null = null;
  /** The first SIGTERM/SIGINT received during start-up. */
  #stopQueued: RunSignal | null = null;
  #reloadQueued = false;
  #dying = false;
  readonly #stopped: Promise<void>;
  #resolveStopped: () => void = () => undefined;

  constructor(deps: RunLifecycleDeps) {
    this.#deps = deps;
    this.#log = deps.logger;
    this.#stopped = new Promise((resolve) => {
      this.#resolveStopped = resolve;
    });
  }

  /** The daemon exists (built, not started yet): a crash from now on takes its VIPs off. */
  attach(daemon: LifecycleDaemon): void {
    this.#daemon = daemon;
  }

  signal(signal: RunSignal): void {
    switch (this.#phase) {
      case 'starting':
        if (signal === 'SIGHUP') {
          if (!this.#reloadQueued) {
            this.#log.info(
              { signal },
              'SIGHUP during start-up: the configuration is re-read once the node is running',
            );
          }
          this.#reloadQueued = true;
        } else if (this.#stopQueued === null) {
          this.#log.info({ signal }, `${signal} during start-up: stopping once start-up is done`);
          this.#stopQueued = signal;
        }
        return;
      case 'running':
        if (signal === 'SIGHUP') this.#reload();
        else this.#stop(signal);
        return;
      case 'stopping':
        this.#log.info({ signal }, `${signal} while stopping: ignored`);
        return;
    }
  }

  /**
   * Start-up is done: a stop that arrived during it goes first (a reload then is moot),
   * otherwise a queued reload re-reads the file once. Resolves when the node has stopped.
   */
  running(): Promise<void> {
    this.#phase = 'running';
    // Listeners are bound and the election runs: units ordered after vipd may start.
    void this.#deps.notifier?.send({ READY: '1', STATUS: `ready: node ${this.#deps.nodeId}` });
    if (this.#stopQueued !== null) this.#stop(this.#stopQueued);
    else if (this.#reloadQueued) this.#reload();
    return this.#stopped;
  }

  /** Start-up failed (the daemon tore itself down): later signals have nothing to act on. */
  startFailed(): void {
    this.#phase = 'stopping';
    this.#daemon = null;
  }

  /**
   * A bug escaped (or shutdown failed): log it, take the VIPs off within the driver's budget,
   * exit 1. Re-entered (the cleanup itself threw), it exits at once.
   */
  fatal(error: unknown, origin: FailureOrigin): void {
    if (this.#dying) {
      this.#deps.exit(EXIT.FAILURE);
      return;
    }
    this.#dying = true;
    this.#phase = 'stopping';
    try {
      const message = error instanceof Error ? error.message : String(error);
      this.#log.fatal(
        { code: 'INTERNAL', origin, err: error },
        `vipd failed (${origin}): ${message}; removing its VIPs and exiting`,
      );
      this.#daemon?.abandon();
    } finally {
      this.#deps.exit(EXIT.FAILURE);
    }
  }

  #reload(): void {
    void this.#reloadInOrder();
  }

  async #reloadInOrder(): Promise<void> {
    const { configFile, nodeId, notifier } = this.#deps;
    this.#log.info({ signal: 'SIGHUP' }, `SIGHUP: reloading ${configFile}`);
    void notifier?.send({ RELOADING: '1', STATUS: `reloading ${configFile}` });
    const reloaded = (await this.#daemon?.reload()) ?? false;
    void notifier?.send({
      READY: '1',
      STATUS: reloaded
        ? `ready: node ${nodeId}, configuration reloaded`
        : `ready: node ${nodeId}, reload rejected (see the log), previous configuration kept`,
    });
  }

  #stop(signal: RunSignal): void {
    this.#phase = 'stopping';
    this.#log.info({ signal }, `${signal}: shutting down`);
    const daemon = this.#daemon;
    if (daemon === null) {
      this.#resolveStopped();
      return;
    }
    // The stop may take longer than the unit's TimeoutStopSec with this config's timing.
    const told = this.#deps.notifier?.send({
      STOPPING: '1',
      EXTEND_TIMEOUT_USEC: String(stopBudget(stopTiming(daemon.config)).totalMs * 1000),
      STATUS: `stopping (${signal}): resigning every group`,
    });
    Promise.all([told, daemon.shutdown()]).then(
      () => {
        this.#deps.setExitCode(EXIT.OK);
        this.#resolveStopped();
      },
      (error: unknown) => {
        this.fatal(error, 'shutdown');
      },
    );
  }
}
