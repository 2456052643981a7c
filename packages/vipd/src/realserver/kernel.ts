// How Linux decides whether to answer ARP for an address, which source it puts in its own
// ARP requests, and whether reverse-path filtering drops a packet — modelled on
// net/ipv4/arp.c (arp_ignore, arp_solicit) and net/ipv4/fib_frontend.c (fib_validate_source),
// and checked against the running kernel by test/realserver-kernel-model.test.ts.

import type { EffectiveSysctl } from './types.js';

/** The kernel reads arp_ignore, arp_announce and rp_filter as max(all, interface). */
export function effectiveSysctl(all: number | null, iface: number | null): EffectiveSysctl {
  const effective = all === null && iface === null ? null : Math.max(all ?? 0, iface ?? 0);
  return { all, iface, effective };
}

export type ArpIgnoreVerdict =
  /** The interface answers ARP for the VIP: the VIP is not hidden. */
  | 'answers'
  /** The VIP is hidden and the interface still answers for its own addresses. */
  | 'hidden'
  /** 8: the interface answers no ARP at all, its own address included. */
  | 'answers_nothing';

/**
 * arp_ignore() in net/ipv4/arp.c, for a VIP that is NOT on the receiving interface:
 * 0 replies for any local address; 1 and 2 only for addresses on the receiving interface;
 * 3 only for addresses of scope link or global on any interface; 4–7 are reserved and act
 * like 0; 8 never replies; anything above 8 falls to the switch's default, which replies.
 */
export function arpIgnoreVerdict(effective: number, vipScopeIsHost: boolean): ArpIgnoreVerdict {
  if (effective === 1 || effective === 2) return 'hidden';
  if (effective === 3) return vipScopeIsHost ? 'hidden' : 'answers';
  if (effective === 8) return 'answers_nothing';
  return 'answers';
}

/**
 * arp_solicit(): only 2 always takes the sender address from the outgoing interface. 0, 1
 * (whenever the VIP is in the target's subnet) and every value above 2 (the switch's default
 * is case 0) may put the VIP in the ARP request, which rewrites the neighbours' entry for it.
 */
export function arpAnnounceHidesVip(effective: number): boolean {
  return effective === 2;
}

export type RpFilterMode = 'off' | 'strict' | 'loose';

/** fib_validate_source(): 0 checks nothing, 1 is strict, any other value is loose. */
export function rpFilterMode(effective: number): RpFilterMode {
  if (effective === 0) return 'off';
  return effective === 1 ? 'strict' : 'loose';
}

/** arp_ignore values apply accepts as already hiding a VIP it adds with scope host. */
export function arpIgnoreHides(value: number): boolean {
  return value === 1 || value === 2 || value === 3;
}

export function ipv4ConfKey(iface: string, name: string): string {
  return `net/ipv4/conf/${iface}/${name}`;
}

export function ipv6ConfKey(iface: string, name: string): string {
  return `net/ipv6/conf/${iface}/${name}`;
}
