// What an IP address is, as far as a VIP or a listen address cares: the special ranges
// (RFC 6890 and RFC 4291, as ipaddr.js knows them) and where a prefix puts its network and
// broadcast addresses.

import ipaddr from 'ipaddr.js';
import type { ParsedVip } from './addresses.js';
import type { Severity } from './problems.js';

export interface VipVerdict {
  readonly severity: Severity;
  readonly reason: string;
}

const RESERVED_V4 = ipaddr.IPv4.parseCIDR('240.0.0.0/4');

/** 0.0.0.0 or :: exactly: "every address of this host" when listening. */
export function isWildcard(address: string): boolean {
  return ipaddr
    .parse(address)
    .toByteArray()
    .every((byte) => byte === 0);
}

/**
 * Reachable from the internet, as far as the address tells: not private (RFC 1918, fc00::/7,
 * 100.64.0.0/10), documentation, link-local or otherwise special.
 */
export function isPublicUnicast(address: string): boolean {
  return ipaddr.parse(address).range() === 'unicast';
}

/**
 * Why no host could use `vip` as a VIP (an error), or why it may not work as meant (a
 * warning); undefined for an ordinary unicast address.
 */
export function vipVerdict(vip: ParsedVip, linkLocalV6Expected: boolean): VipVerdict | undefined {
  const ip = ipaddr.parse(vip.address);
  const range = ip.range();
  if (range === 'linkLocal') {
    if (ip.kind() === 'ipv6' && linkLocalV6Expected) return undefined;
    return {
      severity: 'warning',
      reason: `${vip.address} is link-local: only hosts on the same link can reach it, and routers never forward to it`,
    };
  }
  const special = SPECIAL_RANGES[range];
  if (special !== undefined) return { severity: 'error', reason: `${vip.address} ${special}` };
  if (ip.kind() === 'ipv4' && ip.match(RESERVED_V4)) {
    return {
      severity: 'error',
      reason: `${vip.address} is in 240.0.0.0/4, reserved: hosts will not send to it`,
    };
  }
  return subnetVerdict(vip);
}

/** ipaddr.js's ranges that can never be a VIP, and why. */
const SPECIAL_RANGES: Partial<Record<string, string>> = {
  unspecified: 'is an unspecified address: nothing can be reached at it',
  broadcast: 'is the limited broadcast address',
  multicast:
    "is a multicast address; a VIP must be unicast (ARP and neighbour discovery announce one host's address)",
  loopback:
    "is a loopback address, never reachable from another host (a real server's VIP on lo goes under realserver.vips)",
};

/** The network and broadcast addresses of the VIP's own prefix (RFC 3021: not for /31, /32). */
function subnetVerdict(vip: ParsedVip): VipVerdict | undefined {
  const cidr = `${vip.address}/${vip.prefixLength}`;
  if (vip.family === 4) {
    if (vip.prefixLength > 30) return undefined;
    const network = ipaddr.IPv4.networkAddressFromCIDR(cidr).toString();
    const subnet = `${network}/${vip.prefixLength}`;
    if (vip.address === network)
      return {
        severity: 'error',
        reason: `${vip.address} is the network address of ${subnet}; use a host address inside it`,
      };
    if (vip.address === ipaddr.IPv4.broadcastAddressFromCIDR(cidr).toString())
      return {
        severity: 'error',
        reason: `${vip.address} is the broadcast address of ${subnet}; use a host address inside it`,
      };
    return undefined;
  }
  // RFC 6164: a /127 has no subnet-router anycast address.
  if (vip.prefixLength > 126) return undefined;
  const network = ipaddr.IPv6.networkAddressFromCIDR(cidr).toRFC5952String();
  if (vip.address !== network) return undefined;
  return {
    severity: 'error',
    reason: `${vip.address} is the subnet-router anycast address of ${network}/${vip.prefixLength} (RFC 4291 §2.6.1), which routers on the link answer; use a host address inside it`,
  };
}
