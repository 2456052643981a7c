// What the harness watches while a cluster is under attack: every peer-down, peer-up and
// state transition the daemons log (JSON lines on their stdout), every warning they log,
// and every add or removal of the VIP on each node's interface (`ip monitor address` in the
// node's namespace, so even a VIP held for a few milliseconds is seen). The chaos campaign
// (test/chaos) reads its history from the same watch: many VIPs, daemons restarted mid-run.
import type { LabHost, Lab } from '../lab.js';
import type { LabProcess } from '../lab-process.js';
import { LabError } from '../errors.js';
import type { VipdCluster } from '../vipd-cluster.js';

export type WatchedKind =
  | 'peer-down'
  | 'peer-up'
  /** A peer that stayed up (its datagrams arrived) has a heartbeat connection again. */
  | 'connection-back'
  | 'transition'
  | 'vip-added'
  | 'vip-removed';

/** A state transition as the daemon logged it. */
export interface LoggedTransition {
  readonly group: string;
  readonly from: string;
  readonly to: string;
  readonly reason: string;
}

export interface WatchedEvent {
  readonly node: string;
  /**
   * Wall-clock epoch ms: the daemon's own log time (pino `time`) for log lines, the kernel
   * event's time (`ip -ts monitor`) for addresses; when the harness saw it otherwise.
   */
  readonly atMs: number;
  readonly kind: WatchedKind;
  readonly detail: string;
  /** For 'transition'. */
  readonly transition?: LoggedTransition;
  /** For 'vip-added' / 'vip-removed': the address without prefix length. */
  readonly address?: string;
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

function describeTransition(t: LoggedTransition): string {
  return `${t.group}: ${t.from} -> ${t.to} (${t.reason})`;
}

/** `ip -ts` prefixes "[2026-12-07T15:14:48.817820]" in local time, microseconds. */
const MONITOR_TIME = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?\]\s*/;

/** The event time of an `ip -o -ts monitor` line and the rest of it. */
export function parseMonitorLine(line: string): { atMs: number | undefined; rest: string } {
  const match = MONITOR_TIME.exec(line);
  if (match === null) return { atMs: undefined, rest: line };
  const seconds = new Date(match[1]!).getTime();
  const fraction = match[2] === undefined ? 0 : Number(match[2]) * 1000;
  return { atMs: seconds + fraction, rest: line.slice(match[0].length) };
}

export class ClusterWatch {
  private readonly seen: WatchedEvent[] = [];
  private readonly warned: LoggedWarning[] = [];
  private readonly unsubscribe: (() => void)[] = [];
  private readonly monitors: LabProcess[] = [];

  private readonly vips: readonly string[];

  private constructor(vips: string | readonly string[]) {
    this.vips = typeof vips === 'string' ? [vips] : vips;
  }

  /** Starts watching the running daemons of `nodes` and their interfaces for `vips`. */
  static async start(
    lab: Lab,
    cluster: VipdCluster,
    nodes: readonly LabHost[],
    vips: string | readonly string[],
  ): Promise<ClusterWatch> {
    const watch = new ClusterWatch(vips);
    for (const node of nodes) {
      const daemon = cluster.process(node);
      if (daemon?.running !== true) {
        throw new LabError('LAB_PROCESS_EXITED', `vipd is not running on ${node.name}`);
      }
      watch.follow(node, daemon);
      const monitor = lab.spawn(node, ['ip', '-o', '-ts', 'monitor', 'address'], {
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

  /** Reads the log of a daemon (again, after a restart) on `node`. */
  follow(node: LabHost, daemon: LabProcess): void {
    this.unsubscribe.push(
      daemon.onLine((line) => {
        this.onDaemonLine(node, line);
      }),
    );
  }

  private onDaemonLine(node: LabHost, text: string): void {
    let line: Record<string, unknown>;
    try {
      line = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return;
    }
    // vipd logs pino's time as ISO text; pino's default is epoch ms.
    const time = line['time'];
    const logged =
      typeof time === 'string' ? Date.parse(time) : typeof time === 'number' ? time : NaN;
    const atMs = Number.isFinite(logged) ? logged : Date.now();
    const msg = typeof line['msg'] === 'string' ? line['msg'] : '';
    if (WARNING_LEVELS.has(line['level']) && this.warned.length < MAX_KEPT_WARNINGS) {
      this.warned.push({ node: node.name, atMs, level: String(line['level']), msg });
    }
    if (msg === 'peer down') {
      this.record(node, atMs, 'peer-down', `${String(line['peer'])} (${String(line['reason'])})`);
    } else if (msg === 'peer up') {
      this.record(node, atMs, 'peer-up', String(line['peer']));
    } else if (msg === 'heartbeat connection back') {
      this.record(node, atMs, 'connection-back', String(line['peer']));
    } else if (typeof line['from'] === 'string' && typeof line['to'] === 'string') {
      const transition = {
        group: String(line['group']),
        from: line['from'],
        to: line['to'],
        reason: String(line['reason']),
      };
      this.seen.push({
        node: node.name,
        atMs,
        kind: 'transition',
        detail: describeTransition(transition),
        transition,
      });
    }
  }

  private onAddressLine(node: LabHost, text: string): void {
    const { atMs, rest } = parseMonitorLine(text);
    for (const vip of this.vips) {
      const family = vip.includes(':') ? 'inet6' : 'inet';
      if (!rest.includes(` ${family} ${vip}/`)) continue;
      const kind = rest.startsWith('Deleted') ? 'vip-removed' : 'vip-added';
      this.seen.push({
        node: node.name,
        atMs: atMs ?? Date.now(),
        kind,
        detail: vip,
        address: vip,
      });
    }
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
