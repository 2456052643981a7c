// One spelling per address, so "fd00:0::100" in a config and "fd00::100" from the kernel
// compare equal.

import { isIPv4, isIPv6 } from 'node:net';
import { normalizeIp } from '@vipd/arp';
import type { IpFamily } from './types.js';

export function ipFamily(address: string): IpFamily | null {
  if (isIPv4(address)) return 4;
  if (isIPv6(address)) return 6;
  return null;
}

/** The kernel's spelling: IPv6 compressed and lower case (RFC 5952), IPv4 unchanged. */
export function canonicalIp(address: string): string {
  if (!isIPv6(address)) return address;
  return normalizeIp(address);
}

/** The only prefix that keeps a VIP on lo from making a whole subnet local. */
export function hostPrefixLength(family: IpFamily): number {
  return family === 4 ? 32 : 128;
}
