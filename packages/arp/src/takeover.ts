// The two moves a node makes for a group: claim its VIPs on becoming master, let go of them
// on demotion — in the order that is fast and never advertises what is not there. The daemon
// runs exactly these (vipd's VipHolder keeps the bookkeeping around them), and so does
// `npm run bench:arp`, so the benchmark measures the daemon's own takeover.
//
// Default (add first): each address goes on the interface (netlink, ~0.1 ms) and only then
// is announced, as keepalived does; no host is ever pointed at us before we would accept its
// traffic. announceFirst sends the first round before the adds: the first frame no longer
// waits for the kernel's rtnl lock (which other netlink users can hold for milliseconds), at
// the price of dropping, for those microseconds, packets that would otherwise have gone to
// the old master. That is free after a crash (the old master drops them anyway) and wrong for
// a planned handover, when the old master is still serving.
//
// A group moves as a whole: if one VIP cannot be added (its interface is gone, no
// CAP_NET_ADMIN), or the announcement cannot start, none of the group is left on the
// interface or announced, so the group can sit in FAULT here while a peer holds all of it.
import type { AddOutcome, RemoveOutcome } from './address-manager.js';
import type { FrameAnnouncer } from './announcer.js';
import type { AnnounceSchedule, Vip } from './types.js';

/** The address half of the netlink address manager that a takeover needs. */
export interface VipAddresses {
  addNow(vip: Vip): AddOutcome;
  removeNow(vip: Vip): RemoveOutcome;
}

export interface TakeoverParts {
  readonly addresses: VipAddresses;
  readonly announcer: Pick<FrameAnnouncer, 'announce' | 'stop'>;
}

export type VipResult<T> =
  { readonly vip: Vip; readonly outcome: T } | { readonly vip: Vip; readonly error: Error };

export interface TakeOverOptions {
  /** Send the first announcement round before adding the addresses (crash failover only). */
  readonly announceFirst?: boolean;
  /** The group's announcement schedule (the announcer's default otherwise). */
  readonly schedule?: Partial<AnnounceSchedule>;
}

export type TakeOverResult =
  | {
      readonly ok: true;
      /** One per VIP, in order: added, or already there ('present-unmanaged': not ours). */
      readonly added: readonly { readonly vip: Vip; readonly outcome: AddOutcome }[];
    }
  | {
      readonly ok: false;
      readonly error: Error;
      /** The VIP whose add failed; absent when the announcement failed. */
      readonly failedVip?: Vip;
      /** The adds that succeeded before the failure, in order. */
      readonly added: readonly { readonly vip: Vip; readonly outcome: AddOutcome }[];
      /** What taking each of them off again gave: an error means it may still be there. */
      readonly rolledBack: readonly VipResult<RemoveOutcome>[];
    };

/**
 * Adds every VIP and announces them, all or nothing. A failed add stops the announcement
 * (when it went first) and takes the VIPs added so far off again; a failed announcement
 * (add first) takes them all off. Nothing throws: the failure is in the result.
 */
export function takeOver(
  parts: TakeoverParts,
  group: string,
  vips: readonly Vip[],
  options: TakeOverOptions = {},
): TakeOverResult {
  const announceFirst = options.announceFirst === true;
  const announce = (): Error | null => {
    try {
      if (options.schedule === undefined) parts.announcer.announce(group, vips);
      else parts.announcer.announce(group, vips, options.schedule);
      return null;
    } catch (error) {
      return asError(error);
    }
  };
  if (announceFirst) {
    const error = announce();
    if (error !== null) return { ok: false, error, added: [], rolledBack: [] };
  }
  const added: { readonly vip: Vip; readonly outcome: AddOutcome }[] = [];
  for (const vip of vips) {
    try {
      added.push({ vip, outcome: parts.addresses.addNow(vip) });
    } catch (error) {
      if (announceFirst) parts.announcer.stop(group);
      return {
        ok: false,
        error: asError(error),
        failedVip: vip,
        added,
        rolledBack: removeVips(parts.addresses, vips.slice(0, added.length)),
      };
    }
  }
  if (!announceFirst) {
    const error = announce();
    if (error !== null) {
      return { ok: false, error, added, rolledBack: removeVips(parts.addresses, vips) };
    }
  }
  return { ok: true, added };
}

/** Stops announcing first (never advertise an address about to go), then removes. */
export function giveUp(
  parts: TakeoverParts,
  group: string,
  vips: readonly Vip[],
): VipResult<RemoveOutcome>[] {
  parts.announcer.stop(group);
  return removeVips(parts.addresses, vips);
}

/** Removes each VIP; one failing does not keep the others on the interface. */
export function removeVips(
  addresses: VipAddresses,
  vips: readonly Vip[],
): VipResult<RemoveOutcome>[] {
  return vips.map((vip): VipResult<RemoveOutcome> => {
    try {
      return { vip, outcome: addresses.removeNow(vip) };
    } catch (error) {
      return { vip, error: asError(error) };
    }
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
