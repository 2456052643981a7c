// Who may hold an unauthenticated connection to the heartbeat port. Anyone on the network
// can open one without the key, so the slots are rationed before a byte is parsed:
//
// - each configured peer's address has SLOTS_PER_PEER slots of its own, which no other
//   address can take — a flood from elsewhere never locks a peer out of its link;
// - every other connection (and a peer beyond its own slots) shares `sharedSlots`, at most
//   SLOTS_PER_SOURCE of them per source: one IPv4 address, or one IPv6 /64 (a host is
//   usually handed a whole /64, so counting single IPv6 addresses would count nothing).
//
// A slot is held from TCP accept until the connection authenticates or closes. Pure
// bookkeeping: the transport takes a slot per accepted socket and owns the sockets.

import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';
import type { ConnectionDropReason } from './types.js';

/** Each configured peer dials at most one connection at a time; room for a few redials. */
export const SLOTS_PER_PEER = 4;
/** A source that is not a peer's address has no business here; a multi-homed peer might. */
export const SLOTS_PER_SOURCE = 4;

export type AdmissionRefusal = Exclude<ConnectionDropReason, 'preauth-timeout'>;

export interface AdmissionLimits {
  /** Unauthenticated connections from all addresses together, peers' own slots aside. */
  readonly sharedSlots: number;
  readonly slotsPerSource: number;
  readonly slotsPerPeer: number;
}

export interface AdmissionSlot {
  /** Give the slot back (authenticated, or closed). Idempotent. */
  release(): void;
}

export class AdmissionControl {
  /** Canonical peer address → slots reserved for it (several peers may share a host). */
  private readonly reserved = new Map<string, number>();
  private readonly heldReserved = new Map<string, number>();
  /** Shared slots held, per source (IPv4 address or IPv6 /64). */
  private readonly heldShared = new Map<string, number>();
  private heldSharedTotal = 0;

  constructor(
    private readonly limits: AdmissionLimits,
    peerAddresses: readonly string[],
  ) {
    for (const address of peerAddresses) {
      const canonical = canonicalAddress(address);
      if (canonical === null) continue;
      this.reserved.set(canonical, (this.reserved.get(canonical) ?? 0) + limits.slotsPerPeer);
    }
  }

  /** A slot for a connection from `remoteAddress`, or why there is none. */
  admit(remoteAddress: string | undefined): AdmissionSlot | AdmissionRefusal {
    // undefined: the socket closed before it could be asked; it shares the "?" source.
    const address = canonicalAddress(remoteAddress ?? '') ?? '?';
    if ((this.heldReserved.get(address) ?? 0) < (this.reserved.get(address) ?? 0)) {
      return this.take(this.heldReserved, address, false);
    }
    const source = sourceOf(address);
    if ((this.heldShared.get(source) ?? 0) >= this.limits.slotsPerSource) {
      return 'admission-per-source';
    }
    if (this.heldSharedTotal >= this.limits.sharedSlots) return 'admission-total';
    return this.take(this.heldShared, source, true);
  }

  /** Slots held now, reserved and shared. */
  held(): number {
    let total = this.heldSharedTotal;
    for (const count of this.heldReserved.values()) total += count;
    return total;
  }

  private take(held: Map<string, number>, key: string, shared: boolean): AdmissionSlot {
    held.set(key, (held.get(key) ?? 0) + 1);
    if (shared) this.heldSharedTotal++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        const left = (held.get(key) ?? 1) - 1;
        if (left === 0) held.delete(key);
        else held.set(key, left);
        if (shared) this.heldSharedTotal--;
      },
    };
  }
}

/**
 * The addresses the peers' hosts stand for, as their connections will arrive: IP literals
 * as they are, names looked up once (all addresses). A name that does not resolve gets no
 * reserved slots; it is reported, not fatal — the peer still connects through the shared
 * ones, and our own dial to it does not go through admission at all.
 */
export async function resolvePeerAddresses(
  hosts: readonly string[],
): Promise<{ addresses: string[]; unresolved: { host: string; reason: string }[] }> {
  const addresses: string[] = [];
  const unresolved: { host: string; reason: string }[] = [];
  for (const host of hosts) {
    if (canonicalAddress(host) !== null) {
      addresses.push(host);
      continue;
    }
    try {
      for (const found of await lookup(host, { all: true })) addresses.push(found.address);
    } catch (error) {
      unresolved.push({ host, reason: error instanceof Error ? error.message : String(error) });
    }
  }
  return { addresses, unresolved };
}

/**
 * One spelling per address, so a configured peer matches the socket's remoteAddress: IPv4
 * dotted (also an IPv4-mapped IPv6 address, as a dual-stack listener reports IPv4 peers),
 * IPv6 as eight 4-digit groups without a zone. null for anything that is not an address.
 */
export function canonicalAddress(text: string): string | null {
  const address = text.split('%')[0] ?? '';
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return null;
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff;
  if (mapped) {
    const [high = 0, low = 0] = groups.slice(6);
    return [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  }
  return groups.map((group) => group.toString(16).padStart(4, '0')).join(':');
}

/** The unit the per-source limit counts: an IPv4 address or an IPv6 /64. */
export function sourceOf(canonical: string): string {
  if (!canonical.includes(':')) return canonical;
  return `${canonical.split(':').slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an address isIPv6 accepted (one "::" at most, dotted tail). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const hextets = (part: string): number[] =>
    part === '' ? [] : part.split(':').map((hex) => parseInt(hex, 16));
  const [head = '', tail] = text.split('::');
  if (tail === undefined) return hextets(head);
  const front = hextets(head);
  const back = hextets(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}
