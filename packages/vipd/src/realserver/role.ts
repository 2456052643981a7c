// The real-server role as the daemon runs it: apply at start, apply again on every reload
// whose `realserver:` section changed (VIPs and interfaces added or removed), undo it when a
// reload drops the section, and a watcher that keeps checking in between. Start-up and
// reload go through the same apply, so a SIGHUP leaves the host as a restart would.

import { isDeepStrictEqual } from 'node:util';
import type { Clock } from '@vipd/clock';
import { applyRealServer, removeRealServer } from './apply.js';
import type { RealServerMetricsSink } from './metrics.js';
import type { RealServerConfig, RealServerDeps } from './types.js';
import { RealServerWatcher, type RealServerLog } from './watcher.js';

export interface RealServerRoleOptions {
  readonly deps: RealServerDeps;
  readonly sink: RealServerMetricsSink;
  readonly log: RealServerLog;
  /** Times the watcher's checks; default: the system clock. */
  readonly clock?: Clock;
}

/**
 * The daemon never writes realserver.sysctl_file: its unit keeps /etc read-only, and it needs
 * none — it sets the sysctls itself at every start, before it adds a VIP. Only
 * `vipd realserver apply`, run by an administrator, writes that file.
 */
export function daemonRealServerConfig(config: RealServerConfig): RealServerConfig {
  if (config.sysctlFile === undefined) return config;
  const rest: { -readonly [K in keyof RealServerConfig]?: RealServerConfig[K] } = { ...config };
  delete rest.sysctlFile;
  return rest as RealServerConfig;
}

export class RealServerRole {
  #config: RealServerConfig | null = null;
  #watcher: RealServerWatcher | null = null;
  /** Start, reloads and stop run one after another, never interleaved. */
  #queue: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(private readonly options: RealServerRoleOptions) {}

  /** The config in force (without sysctl_file), or null when the role is off. */
  get config(): RealServerConfig | null {
    return this.#config;
  }

  /** Applies `next` (null: the section is gone, undo what was applied). Never rejects. */
  configure(next: RealServerConfig | null): Promise<void> {
    const run = this.#queue.then(() => this.#configure(next && daemonRealServerConfig(next)));
    this.#queue = run;
    return run;
  }

  /** Stops checking; the VIPs and sysctls stay, so a restart hides them without a gap. */
  stop(): Promise<void> {
    // A reload that arrives during shutdown must not start a new watcher.
    this.#stopped = true;
    const run = this.#queue.then(async () => {
      await this.#watcher?.stop();
      this.#watcher = null;
    });
    this.#queue = run;
    return run;
  }

  async #configure(next: RealServerConfig | null): Promise<void> {
    if (this.#stopped) return;
    const { deps, sink, log } = this.options;
    const current = this.#config;
    if (current !== null && next !== null && isDeepStrictEqual(current, next)) return;
    await this.#watcher?.stop();
    this.#watcher = null;
    try {
      // A new state file would not know what the old one recorded: undo with the old first.
      if (current !== null && (next === null || next.stateFile !== current.stateFile)) {
        const removed = await removeRealServer(current, deps);
        if (removed.stateRepair !== null)
          log.error({ code: 'REALSERVER_STATE_INVALID' }, removed.stateRepair.message);
        log.info(
          { changes: removed.changes, left: removed.left },
          `real-server role removed: ${String(removed.changes.length)} change(s) undone`,
        );
      }
      if (next !== null) {
        const result = await applyRealServer(next, deps);
        if (result.stateRepair !== null)
          log.error({ code: 'REALSERVER_STATE_INVALID' }, result.stateRepair.message);
        log.info(
          { changes: result.changes, vips: next.vips, interfaces: next.interfaces },
          `real-server role ${current === null ? 'applied' : 're-applied'}: ${String(result.changes.length)} change(s)`,
        );
      }
    } catch (error) {
      sink.observeCheckError(error);
      log.error(
        { err: error, code: (error as { code?: unknown }).code },
        `real-server role could not be applied: ${(error as Error).message}`,
      );
    }
    this.#config = next;
    if (next === null) return;
    // The watcher checks (and, with repair, retries) even after a failed apply.
    this.#watcher = new RealServerWatcher({
      config: next,
      deps,
      sink,
      log,
      ...(this.options.clock === undefined ? {} : { clock: this.options.clock }),
    });
    this.#watcher.start();
  }
}
