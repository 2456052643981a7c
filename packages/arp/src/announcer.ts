// Floods gratuitous ARP / unsolicited NA for a group's VIPs after a takeover, on the schedule
// in announce-schedule.ts, through one packet socket per interface. The first round goes out
// inside announce() itself, so nothing (no timer, no event-loop turn) sits between "become
// master" and the first frame; stop() cancels everything still pending, at once.
import {
  gratuitousArpReply,
  gratuitousArpRequest,
  unsolicitedNeighborAdvertisement,
} from './codec/announcements.js';
import { encode } from './codec/frame.js';
import { ArpError } from './errors.js';
import {
  announcementOffsets,
  refreshOffsets,
  resolveSchedule,
  type ResolvedSchedule,
} from './announce-schedule.js';
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';
import { openPacketSocket } from './sys/packet-socket.js';
import type { AnnounceMode, AnnounceSchedule, Announcer, MacAddress, Vip } from './types.js';
import { checkVip, type CheckedVip } from './vip.js';

/** What the announcer needs from a packet socket (a recording fake in tests). */
export interface FrameSender {
  macAddress(): MacAddress;
  /** false: send buffer full, try again later. */
  send(frame: Uint8Array): boolean;
  close(): void;
}

export interface AnnounceErrorContext {
  readonly group: string;
  readonly interface: string;
}

export interface AnnouncerOptions {
  /** Defaults for every group; see DEFAULT_SCHEDULE. */
  readonly schedule?: Partial<AnnounceSchedule>;
  readonly clock?: Clock;
  /** Named network namespace of the interfaces (ignored when openSender is given). */
  readonly netns?: string;
  /** Opens the sender for an interface; default: an AF_PACKET socket. */
  readonly openSender?: (interfaceName: string) => FrameSender;
  /** Set R in NAs when this node routes IPv6 (keepalived: the interface's forwarding sysctl). */
  readonly ipv6Router?: boolean;
  /** Failures after announce() returned (a send failing on a later round). */
  readonly onError?: (error: ArpError, context: AnnounceErrorContext) => void;
}

export interface AnnouncerStats {
  readonly framesSent: number;
  readonly sendFailures: number;
}

export interface FrameAnnouncer extends Announcer {
  /**
   * Starts (or restarts) a group's announcements, sending the first round before returning.
   * Throws a typed error if a VIP is invalid or an interface cannot be opened (for example
   * PrivilegeError naming CAP_NET_RAW); nothing is scheduled then.
   */
  announce(group: string, vips: readonly Vip[], schedule?: Partial<AnnounceSchedule>): void;
  /**
   * Drops the group's bursts still to come (the second burst); refresh rounds go on. For a
   * master that invited a backup to take over: a burst of its own landing after the new
   * master's announcement would point the LAN back at it.
   */
  quiet(group: string): void;
  activeGroups(): string[];
  stats(): AnnouncerStats;
}

/** Retries after a full send buffer: soon, and not forever. */
const BACKLOG_RETRY_MS = 1;
const BACKLOG_MAX_RETRIES = 50;

interface InterfaceRound {
  readonly interface: string;
  readonly vips: readonly CheckedVip[];
  /** Frames encoded for `mac`; rebuilt when the interface's MAC changes. */
  mac: MacAddress | undefined;
  frames: Buffer[];
}

interface GroupState {
  readonly name: string;
  readonly startedAtMs: number;
  readonly schedule: ResolvedSchedule;
  offsets: Generator<number, void, undefined>;
  readonly interfaces: InterfaceRound[];
  readonly mode: AnnounceMode;
  timer: TimerHandle | undefined;
  /** Frames a full send buffer pushed back, per interface. */
  backlog: Map<string, Buffer[]>;
  backlogTimer: TimerHandle | undefined;
  backlogRetries: number;
}

export function createAnnouncer(options: AnnouncerOptions = {}): FrameAnnouncer {
  return new ScheduledAnnouncer(options);
}

class ScheduledAnnouncer implements FrameAnnouncer {
  private readonly defaults: ResolvedSchedule;
  private readonly clock: Clock;
  private readonly groups = new Map<string, GroupState>();
  private readonly senders = new Map<string, FrameSender>();
  private framesSent = 0;
  private sendFailures = 0;
  private closed = false;

  constructor(private readonly options: AnnouncerOptions) {
    this.defaults = resolveSchedule(options.schedule);
    this.clock = options.clock ?? systemClock;
  }

  announce(group: string, vips: readonly Vip[], overrides?: Partial<AnnounceSchedule>): void {
    if (this.closed) throw new ArpError('SOCKET_CLOSED', 'announcer is closed');
    if (vips.length === 0) {
      this.stop(group);
      return;
    }
    const schedule =
      overrides === undefined ? this.defaults : resolveSchedule({ ...this.defaults, ...overrides });
    const byInterface = new Map<string, CheckedVip[]>();
    for (const vip of vips) {
      const checked = checkVip(vip);
      byInterface.set(checked.interface, [...(byInterface.get(checked.interface) ?? []), checked]);
    }
    // Open every socket before touching the running schedule, so a failure changes nothing.
    for (const name of byInterface.keys()) this.sender(name);
    this.stop(group);
    const state: GroupState = {
      name: group,
      startedAtMs: this.clock.now(),
      schedule,
      offsets: announcementOffsets(schedule),
      interfaces: [...byInterface].map(([name, list]) => ({
        interface: name,
        vips: list,
        mac: undefined,
        frames: [],
      })),
      mode: schedule.mode,
      timer: undefined,
      backlog: new Map(),
      backlogTimer: undefined,
      backlogRetries: 0,
    };
    this.groups.set(group, state);
    state.offsets.next(); // offset 0: this round, now
    this.sendRound(state);
    this.scheduleNext(state);
  }

  quiet(group: string): void {
    const state = this.groups.get(group);
    if (state === undefined) return;
    if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
    state.timer = undefined;
    state.offsets = refreshOffsets(state.schedule, this.clock.now() - state.startedAtMs);
    this.scheduleNext(state);
  }

  stop(group: string): void {
    const state = this.groups.get(group);
    if (state === undefined) return;
    if (state.timer !== undefined) this.clock.clearTimeout(state.timer);
    if (state.backlogTimer !== undefined) this.clock.clearTimeout(state.backlogTimer);
    this.groups.delete(group);
  }

  close(): void {
    for (const group of [...this.groups.keys()]) this.stop(group);
    for (const sender of this.senders.values()) sender.close();
    this.senders.clear();
    this.closed = true;
  }

  activeGroups(): string[] {
    return [...this.groups.keys()];
  }

  stats(): AnnouncerStats {
    return { framesSent: this.framesSent, sendFailures: this.sendFailures };
  }

  private scheduleNext(state: GroupState): void {
    const next = state.offsets.next();
    if (next.done === true) {
      state.timer = undefined;
      this.forgetIfFinished(state);
      return;
    }
    const delayMs = state.startedAtMs + next.value - this.clock.now();
    state.timer = this.clock.setTimeout(() => {
      if (this.groups.get(state.name) !== state) return;
      this.sendRound(state);
      this.scheduleNext(state);
    }, delayMs);
  }

  private sendRound(state: GroupState): void {
    // A new round supersedes frames still waiting from the last one.
    state.backlog.clear();
    for (const round of state.interfaces) {
      try {
        const sender = this.sender(round.interface);
        const mac = sender.macAddress();
        if (mac !== round.mac) {
          round.frames = round.vips.flatMap((vip) => this.framesFor(mac, vip, state.mode));
          round.mac = mac;
        }
        this.sendFrames(state, round.interface, sender, round.frames);
      } catch (error) {
        this.fail(state, round.interface, error);
      }
    }
  }

  private sendFrames(
    state: GroupState,
    interfaceName: string,
    sender: FrameSender,
    frames: readonly Buffer[],
  ): void {
    for (let i = 0; i < frames.length; i++) {
      const frame = frames[i];
      if (frame === undefined) continue;
      if (!sender.send(frame)) {
        state.backlog.set(interfaceName, frames.slice(i));
        this.retryBacklogSoon(state);
        return;
      }
      this.framesSent++;
    }
  }

  private retryBacklogSoon(state: GroupState): void {
    if (state.backlogTimer !== undefined) return;
    state.backlogTimer = this.clock.setTimeout(() => {
      state.backlogTimer = undefined;
      if (this.groups.get(state.name) !== state) return;
      const pending = [...state.backlog];
      state.backlog.clear();
      state.backlogRetries++;
      for (const [interfaceName, frames] of pending) {
        if (state.backlogRetries > BACKLOG_MAX_RETRIES) {
          this.sendFailures += frames.length;
          this.report(
            state,
            interfaceName,
            new ArpError(
              'SYSCALL_FAILED',
              `send buffer of ${interfaceName} stayed full; dropped ${frames.length} frames`,
              'ENOBUFS',
            ),
          );
          continue;
        }
        try {
          this.sendFrames(state, interfaceName, this.sender(interfaceName), frames);
        } catch (error) {
          this.fail(state, interfaceName, error);
        }
      }
      if (state.backlog.size === 0) state.backlogRetries = 0;
      this.forgetIfFinished(state);
    }, BACKLOG_RETRY_MS);
  }

  /** A group with no round and no retry left to send is done. */
  private forgetIfFinished(state: GroupState): void {
    if (state.timer === undefined && state.backlogTimer === undefined)
      this.groups.delete(state.name);
  }

  private framesFor(mac: MacAddress, vip: CheckedVip, mode: AnnounceMode): Buffer[] {
    if (vip.family === 6) {
      return [
        encode(
          unsolicitedNeighborAdvertisement(mac, vip.address, {
            router: this.options.ipv6Router ?? false,
          }),
        ),
      ];
    }
    switch (mode) {
      case 'request':
        return [encode(gratuitousArpRequest(mac, vip.address))];
      case 'reply':
        return [encode(gratuitousArpReply(mac, vip.address))];
      case 'both':
        return [
          encode(gratuitousArpRequest(mac, vip.address)),
          encode(gratuitousArpReply(mac, vip.address)),
        ];
    }
  }

  private sender(interfaceName: string): FrameSender {
    let sender = this.senders.get(interfaceName);
    if (sender === undefined) {
      sender =
        this.options.openSender?.(interfaceName) ??
        openPacketSocket(
          interfaceName,
          this.options.netns === undefined ? {} : { netns: this.options.netns },
        );
      this.senders.set(interfaceName, sender);
    }
    return sender;
  }

  private fail(state: GroupState, interfaceName: string, error: unknown): void {
    this.sendFailures++;
    const typed = error instanceof ArpError ? error : new ArpError('SYSCALL_FAILED', String(error));
    // The interface was deleted (and maybe re-created): reopen by name next round.
    if (
      typed.errno === 'ENXIO' ||
      typed.errno === 'ENODEV' ||
      typed.code === 'INTERFACE_NOT_FOUND'
    ) {
      this.senders.get(interfaceName)?.close();
      this.senders.delete(interfaceName);
    }
    this.report(state, interfaceName, typed);
  }

  private report(state: GroupState, interfaceName: string, error: ArpError): void {
    this.options.onError?.(error, { group: state.name, interface: interfaceName });
  }
}
