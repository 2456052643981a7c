// The VRRPv3 advertisement on the wire, RFC 5798 §5.1, after the IPv4 or IPv6 header:
//
//   0  version (4 bits, 3) | type (4 bits, 1 = advertisement)   1
//   1  virtual router id                                        1
//   2  priority                                                 1
//   3  count of IPvX addresses                                  1
//   4  reserved (4 bits, 0) | max advert interval (12 bits, cs) 2
//   6  checksum over the pseudo-header and this message         2
//   8  IPvX addresses, 4 or 16 bytes each
//
// VRRPv2, RFC 3768 §5.1, IPv4 only, differs after byte 3 and at the end:
//
//   4  authentication type                                      1
//   5  advertisement interval (seconds)                         1
//   6  checksum over this message alone (no pseudo-header)      2
//   8  IPv4 addresses, 4 bytes each
//   8 + 4n  authentication data                                 8
import type { IpFamily } from './types.js';

export const HEADER_BYTES = 8;
export const OFFSET_VERSION_TYPE = 0;
export const OFFSET_VRID = 1;
export const OFFSET_PRIORITY = 2;
export const OFFSET_ADDRESS_COUNT = 3;
export const OFFSET_INTERVAL = 4;
export const OFFSET_CHECKSUM = 6;
export const OFFSET_ADDRESSES = HEADER_BYTES;

export const VRRP_VERSION_3 = 3;
export const VRRP_VERSION_2 = 2;
/** RFC 5798 §5.2.2: the only type defined. */
export const TYPE_ADVERTISEMENT = 1;
/** The 12-bit Max Adver Int; the top 4 bits of its 16-bit word are reserved. */
export const INTERVAL_MASK = 0x0fff;
export const MAX_INTERVAL_CS = INTERVAL_MASK;
export const MAX_ADDRESSES = 255;
export const MAX_VRID = 255;
export const MAX_PRIORITY = 255;
/** RFC 5798 §5.2.4: priority 255 is reserved for the router that owns the addresses. */
export const OWNER_PRIORITY = 255;

export const V2_OFFSET_AUTH_TYPE = 4;
export const V2_OFFSET_ADVERT_INTERVAL = 5;
export const V2_AUTH_DATA_BYTES = 8;

export function addressBytesOf(family: IpFamily): number {
  return family === 4 ? 4 : 16;
}

/** Bytes a v3 advert with `count` addresses of `family` occupies. */
export function advertBytes(family: IpFamily, count: number): number {
  return HEADER_BYTES + count * addressBytesOf(family);
}
