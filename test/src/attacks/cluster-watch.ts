// What the harness watches while a cluster is under attack: every peer-down, peer-up and
// state transition the daemons log (JSON lines on their stdout), every warning they log,
// and every add or removal of the VIP on each node's interface (`ip monitor address` in the
// node's namespace, so even a VIP held for a few milliseconds is seen).
import type { LabHost, Lab } from '../lab.js';
import type { LabProcess } from '../lab-process.js';
import { LabError } from '../errors.js';
import type { VipdCluster } from '../vipd-cluster.js';

export type WatchedKind = 'peer-down' | 'peer-up' | 'transition' | 'vip-added' | 'vip-removed';

export interface WatchedEvent {
  readonly node: string;
  /** Wall-clock epoch ms when the harness saw it. */
  readonly atMs: number;
  readonly kind: WatchedKind;
  readonly detail: string;
}

export interface LoggedWarning {
  readonly node: string;
  readonly atMs: number;
  readonly level: string;
  readonly msg: string;
}

/** vipd logs the level as a word (pino's label); numbers are pino's default, 40 = warn. */
const WARNING_LEVELS: ReadonlySet<unknown> = new Set(['warn', 'error', 'fatal', 40, 50, 60]);
const MAX_KEPT_WARNINGS = 50_000;

function describeTransition(line: Record<string, unknown>): string {
  return `${String(line['group'])}: ${String(line['from'])} -> ${String(line['to'])} (${String(line['reason'])})`;
}

export class ClusterWatch {
  private readonly seen: WatchedEvent[] = [];
  private readonly warned: LoggedWarning[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly monitors: LabProcess[] = [];

  private constructor(private readonly vip: string) {}

  /** Starts watching the running daemons of `nodes` and their interfaces for `vip`. */
  static async start(
    lab: Lab,
    cluster: VipdCluster,
    nodes: readonly LabHost[],
    vip: string,
  ): Promise<ClusterWatch> {
    const watch = new ClusterWatch(vip);
    for (const node of nodes) {
      const daemon = cluster.process(node);
      if (daemon?.running !== true) {
        throw new LabError('LAB_PROCESS_EXITED', `vipd is not running on ${node.name}`);
      }
      watch.unsubscribe.push(
        daemon.onLine((line) => {
          watch.onDaemonLine(node, line);
        }),
      );
      const monitor = lab.spawn(node, ['ip', '-o', 'monitor', 'address'], {
        name: `ip-monitor-${node.name}-${Date.now()}`,
      });
      monitor.onLine((line) => {
        watch.onAddressLine(node, line);
      });
      watch.monitors.push(monitor);
    }
    // `ip monitor` prints nothing when it is ready; give it a moment to subscribe.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return watch;
  }

  private onDaemonLine(node: LabHost, text: string): void {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    const atMs = Date.now();
    const msg = typeof line['msg'] === 'string' ? line['msg'] : '';
    if (WARNING_LEVELS.has(line['level']) && this.warned.length < MAX_KEPT_WARNINGS) {
      this.warned.push({ node: node.name, atMs, level: String(line['level']), msg });
    }
    if (msg === 'peer down') {
      this.record(node, atMs, 'peer-down', `${String(line['peer'])} (${String(line['reason'])})`);
    } else if (msg === 'peer up') {
      this.record(node, atMs, 'peer-up', String(line['peer']));
    } else if (typeof line['from'] === 'string' && typeof line['to'] === 'string') {
      this.record(node, atMs, 'transition', describeTransition(line));
    }
  }

  private onAddressLine(node: LabHost, line: string): void {
    const family = this.vip.includes(':') ? 'inet6' : 'inet';
    if (!line.includes(` ${family} ${this.vip}/`)) return;
    const kind = line.startsWith('Deleted') ? 'vip-removed' : 'vip-added';
    this.record(node, Date.now(), kind, this.vip);
  }

  private record(node: LabHost, atMs: number, kind: WatchedKind, detail: string): void {
    this.seen.push({ node: node.name, atMs, kind, detail });
  }

  /** Everything seen so far, optionally only of some kinds and from some instant on. */
  events(kinds?: readonly WatchedKind[], sinceMs = 0): WatchedEvent[] {
    return this.seen.filter(
      (e) => e.atMs >= sinceMs && (kinds === undefined || kinds.includes(e.kind)),
    );
  }

  warnings(sinceMs = 0): LoggedWarning[] {
    return this.warned.filter((w) => w.atMs >= sinceMs);
  }

  /** The events that must not happen while a healthy cluster is merely attacked. */
  disturbances(sinceMs = 0): WatchedEvent[] {
    return this.events(['peer-down', 'transition', 'vip-added', 'vip-removed'], sinceMs);
  }

  /** Resolves with the first event (seen already or later) that matches; LAB_TIMEOUT otherwise. */
  async waitFor(matches: (e: WatchedEvent) => boolean, timeoutMs: number): Promise<WatchedEvent> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.seen.find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new LabError('LAB_TIMEOUT', `no matching cluster event within ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    await Promise.all(this.monitors.map((m) => m.stop(1_000)));
  }
}

/** One event per line, times relative to `originMs`, for assertion messages and logs. */
export function formatEvents(events: readonly WatchedEvent[], originMs: number): string {
  if (events.length === 0) return '(none)';
  return events
    .map((e) => `  +${Math.round(e.atMs - originMs)} ms ${e.node} ${e.kind} ${e.detail}`)
    .join('\n');
}
