// The setsockopt numbers and structs the transport needs (Linux). raw-socket exports none of
// the multicast ones, so they are spelled out here with the header they come from.
import { addressBytes } from './address-text.js';

export const SOL_SOCKET = 1;
export const SO_BINDTODEVICE = 25;

// <linux/in.h>
export const IPPROTO_IP = 0;
export const IP_HDRINCL = 3;
export const IP_MULTICAST_IF = 32;
/** The TTL of multicast sends when the kernel builds the header (IP_TTL does not apply). */
export const IP_MULTICAST_TTL = 33;
export const IP_MULTICAST_LOOP = 34;
export const IP_ADD_MEMBERSHIP = 35;

// <linux/in6.h>
export const IPPROTO_IPV6 = 41;
export const IPV6_MULTICAST_IF = 17;
export const IPV6_MULTICAST_LOOP = 19;
export const IPV6_ADD_MEMBERSHIP = 20;
export const IPV6_HDRINCL = 36;

/** The NUL-terminated name SO_BINDTODEVICE takes. */
export function deviceName(interfaceName: string): Buffer {
  return Buffer.from(`${interfaceName}\0`, 'latin1');
}

/** struct ip_mreq { in_addr imr_multiaddr; in_addr imr_interface; }: joins on the interface that has `localAddress`. */
export function ipMembership(group: string, localAddress: string): Buffer {
  return Buffer.concat([addressBytes(group), addressBytes(localAddress)]);
}

/** struct ipv6_mreq { in6_addr ipv6mr_multiaddr; int ipv6mr_interface; }. */
export function ipv6Membership(group: string, interfaceIndex: number): Buffer {
  const index = Buffer.alloc(4);
  index.writeInt32LE(interfaceIndex); // native byte order, as the kernel reads it
  return Buffer.concat([addressBytes(group), index]);
}
