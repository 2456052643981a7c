// While master, listens on each VIP's interface for frames in which another MAC claims one
// of our VIPs (RFC 5227 §2.4 ongoing conflict detection; RFC 4861 NAs for IPv6) and reports
// them. The daemon decides what to do (count, log, re-announce). Optionally it also probes
// each VIP now and then — an ARP probe or a DAD solicitation — because on a switched LAN
// another holder's unicast replies never reach us unless we are the one asking.
import { arpProbe, duplicateAddressProbe } from './codec/announcements.js';
import { decode, encode } from './codec/frame.js';
import { ArpError, FrameDecodeError, type ArpErrorCode } from './errors.js';
import { claimIn } from './claims.js';
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import { openPacketSocket } from './sys/packet-socket.js';
import type { ConflictEvent, Vip } from './types.js';
import { checkVip, type CheckedVip } from './vip.js';
import type { FrameSender } from './announcer.js';

export interface ConflictWatchOptions {
  readonly onConflict: (event: ConflictEvent) => void;
  /** Receive failures; the watch keeps running. */
  readonly onError?: (error: ArpError) => void;
  /** Named network namespace of the interfaces (ignored when openReceiver is given). */
  readonly netns?: string;
  /** Probe every watched VIP this often; 0 (default) = listen only. */
  readonly probeIntervalMs?: number;
  /** The same VIP, MAC and kind are reported at most once per this long. Default 1000. */
  readonly repeatEventAfterMs?: number;
  readonly clock?: Clock;
  /** Opens a receiving socket on an interface; default: an AF_PACKET socket. */
  readonly openReceiver?: (
    interfaceName: string,
    onFrame: (bytes: Buffer) => void,
    onError: (error: ArpError) => void,
  ) => FrameSender;
}

export interface ConflictWatchStats {
  readonly framesSeen: number;
  readonly conflicts: number;
  /** Frames that failed to decode, by error code (they are counted, never fatal). */
  readonly malformedFrames: Readonly<Partial<Record<ArpErrorCode, number>>>;
  /** (VIP, MAC, kind) keys remembered for repeatEventAfterMs; never above CONFLICT_DEDUPE_KEYS. */
  readonly dedupeKeys: number;
  /** Table entries looked at or evicted, in total: the per-frame work, which stays O(1). */
  readonly dedupeEntriesVisited: number;
}

export interface ConflictWatch {
  /** Watches a group's VIPs (call on becoming master; again to replace the list). */
  watch(group: string, vips: readonly Vip[]): void;
  unwatch(group: string): void;
  stats(): ConflictWatchStats;
  close(): void;
}

interface WatchedInterface {
  readonly socket: FrameSender;
  /** VIP address -> groups watching it. */
  readonly vips: Map<string, Set<string>>;
}

/**
 * Keys the repeat filter remembers. A flood of frames with random MACs claiming a VIP makes a
 * new key per frame; the oldest goes when the table is full, so memory and work per frame stay
 * bounded, at the price of reporting a forgotten key again inside its window.
 */
export const CONFLICT_DEDUPE_KEYS = 1024;
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

export function createConflictWatch(options: ConflictWatchOptions): ConflictWatch {
  return new FrameConflictWatch(options);
}

class FrameConflictWatch implements ConflictWatch {
  private readonly clock: Clock;
  private readonly groups = new Map<string, CheckedVip[]>();
  private readonly interfaces = new Map<string, WatchedInterface>();
  /** key -> when it was last reported; insertion order is report order (oldest first). */
  private readonly lastReportMs = new Map<string, number>();
  private dedupeEntriesVisited = 0;
  private readonly malformed: Partial<Record<ArpErrorCode, number>> = {};
  private framesSeen = 0;
  private conflicts = 0;
  private probeTimer: TimerHandle | undefined;
  private closed = false;

  constructor(private readonly options: ConflictWatchOptions) {
    this.clock = options.clock ?? systemClock;
    const probeIntervalMs = options.probeIntervalMs ?? 0;
    if (!Number.isInteger(probeIntervalMs) || probeIntervalMs < 0) {
      throw new ArpError(
        'INVALID_SCHEDULE',
        `probeIntervalMs ${probeIntervalMs} must be a non-negative integer`,
      );
    }
  }

  watch(group: string, vips: readonly Vip[]): void {
    if (this.closed) throw new ArpError('SOCKET_CLOSED', 'conflict watch is closed');
    const checked = vips.map(checkVip);
    for (const name of new Set(checked.map((v) => v.interface))) this.receiver(name);
    this.groups.set(group, checked);
    this.rebuild();
  }

  unwatch(group: string): void {
    if (!this.groups.delete(group)) return;
    this.rebuild();
  }

  stats(): ConflictWatchStats {
    return {
      framesSeen: this.framesSeen,
      conflicts: this.conflicts,
      malformedFrames: { ...this.malformed },
      dedupeKeys: this.lastReportMs.size,
      dedupeEntriesVisited: this.dedupeEntriesVisited,
    };
  }

  close(): void {
    this.groups.clear();
    this.rebuild();
    this.closed = true;
  }

  /** Recomputes which interface watches which address, closing sockets nobody needs. */
  private rebuild(): void {
    for (const watched of this.interfaces.values()) watched.vips.clear();
    for (const [group, vips] of this.groups) {
      for (const vip of vips) {
        const watched = this.receiver(vip.interface);
        let owners = watched.vips.get(vip.address);
        if (owners === undefined) watched.vips.set(vip.address, (owners = new Set()));
        owners.add(group);
      }
    }
    for (const [name, watched] of this.interfaces) {
      if (watched.vips.size > 0) continue;
      watched.socket.close();
      this.interfaces.delete(name);
    }
    this.scheduleProbes();
  }

  private receiver(interfaceName: string): WatchedInterface {
    let watched = this.interfaces.get(interfaceName);
    if (watched !== undefined) return watched;
    const onFrame = (bytes: Buffer): void => {
      this.handle(interfaceName, bytes);
    };
    const onError = (error: ArpError): void => this.options.onError?.(error);
    const socket =
      this.options.openReceiver?.(interfaceName, onFrame, onError) ??
      openPacketSocket(interfaceName, {
        ...(this.options.netns === undefined ? {} : { netns: this.options.netns }),
        onFrame: (frame) => {
          onFrame(frame.bytes);
        },
        onError,
        // Another node's 1,000-VIP announcement arrives as one burst; keep all of it.
        receiveBufferBytes: RECEIVE_BUFFER_BYTES,
      });
    watched = { socket, vips: new Map() };
    this.interfaces.set(interfaceName, watched);
    return watched;
  }

  private handle(interfaceName: string, bytes: Buffer): void {
    const watched = this.interfaces.get(interfaceName);
    if (watched === undefined) return;
    this.framesSeen++;
    let claim;
    try {
      claim = claimIn(decode(bytes));
    } catch (error) {
      if (!(error instanceof FrameDecodeError)) throw error;
      this.malformed[error.code] = (this.malformed[error.code] ?? 0) + 1;
      return;
    }
    // Probes only announce interest in an address; the kernel itself answers them.
    if (claim.kind === 'arp-probe' || claim.kind === 'duplicate-address-probe') return;
    if (!watched.vips.has(claim.address)) return;
    // Ask for the MAC now rather than caching it: after a MAC change our own new address
    // must not look foreign.
    if (claim.mac === watched.socket.macAddress()) return;
    if (!this.firstReportInWindow(`${claim.address}|${claim.mac}|${claim.kind}`)) return;
    this.conflicts++;
    this.options.onConflict({
      vip: claim.address,
      interface: interfaceName,
      foreignMac: claim.mac,
      kind: claim.kind,
    });
  }

  private firstReportInWindow(key: string): boolean {
    const windowMs = this.options.repeatEventAfterMs ?? 1000;
    const nowMs = this.clock.now();
    const last = this.lastReportMs.get(key);
    if (last !== undefined && nowMs - last < windowMs) return false;
    // Re-inserting moves the key to the end, so the first key is always the least recently
    // reported one: evicting it is O(1), unlike a scan for expired entries.
    this.lastReportMs.delete(key);
    if (this.lastReportMs.size >= CONFLICT_DEDUPE_KEYS) {
      const oldest = this.lastReportMs.keys().next();
      if (oldest.done !== true) {
        this.lastReportMs.delete(oldest.value);
        this.dedupeEntriesVisited++;
      }
    }
    this.lastReportMs.set(key, nowMs);
    return true;
  }

  private scheduleProbes(): void {
    const intervalMs = this.options.probeIntervalMs ?? 0;
    const wanted = intervalMs > 0 && this.interfaces.size > 0;
    if (!wanted && this.probeTimer !== undefined) {
      this.clock.clearTimeout(this.probeTimer);
      this.probeTimer = undefined;
    }
    if (!wanted || this.probeTimer !== undefined) return;
    this.probeTimer = this.clock.setTimeout(() => {
      this.probeTimer = undefined;
      this.probe();
      this.scheduleProbes();
    }, intervalMs);
  }

  /** One probe per watched VIP, from our MAC, that no cache learns from. */
  private probe(): void {
    for (const [name, watched] of this.interfaces) {
      try {
        const mac = watched.socket.macAddress();
        for (const address of watched.vips.keys()) {
          const frame = address.includes(':')
            ? duplicateAddressProbe(mac, address)
            : arpProbe(mac, address);
          watched.socket.send(encode(frame));
        }
      } catch (error) {
        this.options.onError?.(
          error instanceof ArpError
            ? error
            : new ArpError('SYSCALL_FAILED', `probing on ${name}: ${String(error)}`),
        );
      }
    }
  }
}
