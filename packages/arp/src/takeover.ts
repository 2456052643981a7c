// The two moves a node makes for a group: claim its VIPs on becoming master, let go of them
// on demotion — in the order that is fast and never advertises what is not there.
//
// Default (add first): each address goes on the interface (netlink, ~0.1 ms) and only then
// is announced, as keepalived does; no host is ever pointed at us before we would accept its
// traffic. announceFirst sends the first round before the adds: the first frame no longer
// waits for the kernel's rtnl lock (which other netlink users can hold for milliseconds), at
// the price of dropping, for those microseconds, packets that would otherwise have gone to
// the old master. That is free after a crash (the old master drops them anyway) and wrong for
// a planned handover, when the old master is still serving.
import type { AddOutcome, RemoveOutcome } from './address-manager.js';
import type { Announcer, Vip } from './types.js';

export interface VipHolder {
  addNow(vip: Vip): AddOutcome;
  removeNow(vip: Vip): RemoveOutcome;
}

export interface TakeoverParts {
  readonly addresses: VipHolder;
  readonly announcer: Announcer;
}

export type VipResult<T> =
  { readonly vip: Vip; readonly outcome: T } | { readonly vip: Vip; readonly error: Error };

export interface TakeOverOptions {
  /** Send the first announcement round before adding the addresses (crash failover only). */
  readonly announceFirst?: boolean;
}

/**
 * Adds every VIP and announces the ones now on the interface. One VIP failing (say its
 * interface is gone) does not hold back the others; its error is in the result. Errors from
 * announce() itself (no CAP_NET_RAW) propagate after the adds.
 */
export function takeOver(
  parts: TakeoverParts,
  group: string,
  vips: readonly Vip[],
  options: TakeOverOptions = {},
): VipResult<AddOutcome>[] {
  if (options.announceFirst === true) parts.announcer.announce(group, vips);
  const results = vips.map((vip): VipResult<AddOutcome> => {
    try {
      return { vip, outcome: parts.addresses.addNow(vip) };
    } catch (error) {
      return { vip, error: error instanceof Error ? error : new Error(String(error)) };
    }
  });
  const present = results.flatMap((result) => ('outcome' in result ? [result.vip] : []));
  if (options.announceFirst !== true) parts.announcer.announce(group, present);
  else if (present.length < vips.length) parts.announcer.announce(group, present); // drop the failed ones
  return results;
}

/** Stops announcing first (never advertise an address about to go), then removes. */
export function giveUp(
  parts: TakeoverParts,
  group: string,
  vips: readonly Vip[],
): VipResult<RemoveOutcome>[] {
  parts.announcer.stop(group);
  return vips.map((vip): VipResult<RemoveOutcome> => {
    try {
      return { vip, outcome: parts.addresses.removeNow(vip) };
    } catch (error) {
      return { vip, error: error instanceof Error ? error : new Error(String(error)) };
    }
  });
}
