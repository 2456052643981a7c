// In-memory doubles for the daemon's tests: they record every call and behave like the real
// thing where the daemon can observe it (idempotence, only-managed removal, stale leftovers,
// typed errors for bad VIPs). The address double passes the same contract tests as the
// netlink implementation (test/address-contract.ts).
import type {
  AddOutcome,
  NetlinkAddressManager,
  RemoveOutcome,
  RouteRequests,
} from './address-manager.js';
import type { AnnouncerStats, FrameAnnouncer, FrameSender } from './announcer.js';
import type { ConflictWatch, ConflictWatchStats } from './conflict-watch.js';
import type { MacWatch } from './mac-watch.js';
import { resolveSchedule } from './announce-schedule.js';
import type { AnnounceSchedule, ConflictEvent, MacAddress, MacChangeEvent, Vip } from './types.js';
import { checkVip, type CheckedVip } from './vip.js';
import { normalizeMac } from './codec/address-text.js';
import { IFA_PROTO, IFADDRMSG_BYTES, RTM_NEWADDR } from './netlink/address.js';
import { decodeAttributes, encodeAttributes } from './netlink/message.js';

export type AnnouncerCall =
  | {
      readonly kind: 'announce';
      readonly group: string;
      readonly vips: readonly Vip[];
      readonly schedule?: Partial<AnnounceSchedule>;
    }
  | { readonly kind: 'stop'; readonly group: string }
  | { readonly kind: 'close' };

export interface RecordingAnnouncer extends FrameAnnouncer {
  readonly calls: AnnouncerCall[];
  /** The VIPs a group is being announced for, or undefined once stopped. */
  announcing(group: string): readonly Vip[] | undefined;
}

/** Records announce/stop/close; validates VIPs and schedules like the real announcer. */
export function createRecordingAnnouncer(): RecordingAnnouncer {
  const calls: AnnouncerCall[] = [];
  const active = new Map<string, readonly Vip[]>();
  return {
    calls,
    announce(group, vips, schedule) {
      vips.forEach(checkVip);
      if (schedule !== undefined) resolveSchedule(schedule);
      calls.push(
        schedule === undefined
          ? { kind: 'announce', group, vips: [...vips] }
          : { kind: 'announce', group, vips: [...vips], schedule },
      );
      if (vips.length === 0) active.delete(group);
      else active.set(group, [...vips]);
    },
    stop(group) {
      calls.push({ kind: 'stop', group });
      active.delete(group);
    },
    close() {
      calls.push({ kind: 'close' });
      active.clear();
    },
    announcing: (group) => active.get(group),
    activeGroups: () => [...active.keys()],
    stats: (): AnnouncerStats => ({ framesSent: 0, sendFailures: 0 }),
  };
}

export type AddressCall =
  | { readonly kind: 'add'; readonly vip: Vip; readonly outcome: AddOutcome }
  | { readonly kind: 'remove'; readonly vip: Vip; readonly outcome: RemoveOutcome }
  | { readonly kind: 'listManaged' };

export interface MemoryAddressManager extends NetlinkAddressManager {
  readonly calls: AddressCall[];
  /** Every address on the fake host, managed or not. */
  present(): Vip[];
  /** An address someone else (an operator) configured: vipd must leave it alone. */
  addForeign(vip: Vip): void;
  /** A managed address left by a crashed predecessor (listManaged finds it). */
  addStale(vip: Vip): void;
  /** Makes the next add/remove fail with this error (then behave again). */
  failNext(error: Error): void;
}

interface MemoryAddress {
  readonly vip: CheckedVip;
  readonly managed: boolean;
}

export function createMemoryAddressManager(): MemoryAddressManager {
  const calls: AddressCall[] = [];
  const addresses = new Map<string, MemoryAddress>();
  let nextFailure: Error | undefined;
  const key = (vip: CheckedVip): string => `${vip.interface}|${vip.address}`;
  const toVip = (vip: CheckedVip): Vip => ({
    address: vip.address,
    prefixLength: vip.prefixLength,
    interface: vip.interface,
    ...(vip.label === undefined ? {} : { label: vip.label }),
    ...(vip.scope === 'global' ? {} : { scope: vip.scope }),
  });
  const takeFailure = (): void => {
    const failure = nextFailure;
    nextFailure = undefined;
    if (failure !== undefined) throw failure;
  };
  const addNow = (vip: Vip): AddOutcome => {
    const checked = checkVip(vip);
    takeFailure();
    const existing = addresses.get(key(checked));
    let outcome: AddOutcome;
    if (existing === undefined) {
      addresses.set(key(checked), { vip: checked, managed: true });
      outcome = 'added';
    } else {
      outcome = existing.managed ? 'already-managed' : 'present-unmanaged';
    }
    calls.push({ kind: 'add', vip, outcome });
    return outcome;
  };
  const removeNow = (vip: Vip): RemoveOutcome => {
    const checked = checkVip(vip);
    takeFailure();
    const existing = addresses.get(key(checked));
    let outcome: RemoveOutcome;
    if (existing === undefined) outcome = 'absent';
    else if (!existing.managed) outcome = 'left-unmanaged';
    else {
      addresses.delete(key(checked));
      outcome = 'removed';
    }
    calls.push({ kind: 'remove', vip, outcome });
    return outcome;
  };
  const listManagedNow = (): Vip[] => {
    calls.push({ kind: 'listManaged' });
    return [...addresses.values()].filter((a) => a.managed).map((a) => toVip(a.vip));
  };
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    calls,
    addNow,
    removeNow,
    listManagedNow,
    add: (vip) => settle(() => void addNow(vip)),
    remove: (vip) => settle(() => void removeNow(vip)),
    listManaged: () => settle(listManagedNow),
    // A kernel that keeps the mark (5.18+); withoutAddressProtocol() is the one that does not.
    checkMarking: () => undefined,
    close: () => undefined,
    present: () => [...addresses.values()].map((a) => toVip(a.vip)),
    addForeign: (vip) => {
      const checked = checkVip(vip);
      addresses.set(key(checked), { vip: checked, managed: false });
    },
    addStale: (vip) => {
      const checked = checkVip(vip);
      addresses.set(key(checked), { vip: checked, managed: true });
    },
    failNext: (error) => {
      nextFailure = error;
    },
  };
}

/**
 * A netlink socket that acts like a kernel older than Linux 5.18 on top of the real one:
 * such a kernel accepts RTM_NEWADDR with IFA_PROTO, ignores the attribute, and never reports
 * a protocol back. Dropping it from the request gives the kernel's answers exactly that.
 */
export function withoutAddressProtocol(socket: RouteRequests): RouteRequests {
  return {
    request: (type, flags, body, what) => {
      if (type !== RTM_NEWADDR) return socket.request(type, flags, body, what);
      const attributes = decodeAttributes(body.subarray(IFADDRMSG_BYTES));
      attributes.delete(IFA_PROTO);
      const kept = [...attributes].map(([attribute, value]) => ({ type: attribute, value }));
      return socket.request(
        type,
        flags,
        Buffer.concat([body.subarray(0, IFADDRMSG_BYTES), encodeAttributes(kept)]),
        what,
      );
    },
    close: () => {
      socket.close();
    },
  };
}

export interface RecordingSender extends FrameSender {
  /** Every frame sent, in order, as copies. */
  readonly frames: Buffer[];
  setMac(mac: MacAddress): void;
  /** The next `count` sends report a full send buffer. */
  refuseNext(count: number): void;
  readonly closed: boolean;
}

/** A FrameSender that keeps what it is given, for announcer tests without a network. */
export function createRecordingSender(mac: MacAddress): RecordingSender {
  let current = normalizeMac(mac);
  let refusals = 0;
  let closed = false;
  const frames: Buffer[] = [];
  return {
    frames,
    macAddress: () => current,
    send: (frame) => {
      if (refusals > 0) {
        refusals--;
        return false;
      }
      frames.push(Buffer.from(frame));
      return true;
    },
    close: () => {
      closed = true;
    },
    setMac: (next) => {
      current = normalizeMac(next);
    },
    refuseNext: (count) => {
      refusals = count;
    },
    get closed() {
      return closed;
    },
  };
}

export interface FakeConflictWatch extends ConflictWatch {
  /** group -> VIPs currently watched. */
  readonly watched: Map<string, readonly Vip[]>;
  /** Delivers a conflict as if a frame had shown one (only for a watched VIP, like the real one). */
  emit(event: ConflictEvent): boolean;
}

export function createFakeConflictWatch(
  onConflict: (event: ConflictEvent) => void,
): FakeConflictWatch {
  const watched = new Map<string, readonly Vip[]>();
  let conflicts = 0;
  return {
    watched,
    watch: (group, vips) => {
      vips.forEach(checkVip);
      watched.set(group, [...vips]);
    },
    unwatch: (group) => {
      watched.delete(group);
    },
    stats: (): ConflictWatchStats => ({
      framesSeen: conflicts,
      conflicts,
      malformedFrames: {},
      dedupeKeys: 0,
      dedupeEntriesVisited: 0,
    }),
    close: () => {
      watched.clear();
    },
    emit: (event) => {
      const isWatched = [...watched.values()].some((vips) =>
        vips.some(
          (vip) => vip.interface === event.interface && checkVip(vip).address === event.vip,
        ),
      );
      if (!isWatched) return false;
      conflicts++;
      onConflict(event);
      return true;
    },
  };
}

export interface FakeMacWatch extends MacWatch {
  /** Changes an interface's MAC, firing onChange if it is watched and the MAC differs. */
  setMac(interfaceName: string, mac: MacAddress): void;
}

export function createFakeMacWatch(
  onChange: (event: MacChangeEvent) => void,
  initial: Record<string, MacAddress> = {},
): FakeMacWatch {
  const links = new Map<string, MacAddress>(
    Object.entries(initial).map(([name, mac]) => [name, normalizeMac(mac)]),
  );
  const watched = new Set<string>();
  return {
    watch: (name) => {
      watched.add(name);
      return links.get(name);
    },
    unwatch: (name) => {
      watched.delete(name);
    },
    current: (name) => (watched.has(name) ? links.get(name) : undefined),
    close: () => {
      watched.clear();
    },
    setMac: (name, mac) => {
      const next = normalizeMac(mac);
      const old = links.get(name);
      links.set(name, next);
      if (watched.has(name) && old !== undefined && old !== next)
        onChange({ interface: name, oldMac: old, newMac: next });
    },
  };
}
