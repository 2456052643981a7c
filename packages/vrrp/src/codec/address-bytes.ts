// Address text <-> wire bytes. node:net decides what is valid address text (strict dotted quad,
// no shorthand IPv4), ipaddr.js does the IPv6 grammar and prints RFC 5952 text, the same
// spelling @vipd/arp's normalizeIp gives, so addresses from config and from the wire compare.
// (@vipd/arp itself is not imported: its index loads the koffi native binding, and the codec
// should stay a pure function of bytes.)
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
import type { IpFamily } from './types.js';

/** The address without a zone id ("fe80::1%eth0"): zones never reach the wire. */
function withoutZone(text: string): string {
  const zone = text.indexOf('%');
  return zone < 0 ? text : text.slice(0, zone);
}

/** 4 or 6 when `text` is an address of that family, undefined otherwise. */
export function familyOfText(text: string): IpFamily | undefined {
  const family = isIP(withoutZone(text));
  return family === 4 || family === 6 ? family : undefined;
}

/** The address's bytes; the caller has checked the family with familyOfText. */
export function addressToBytes(text: string): number[] {
  return ipaddr.parse(withoutZone(text)).toByteArray();
}

export function readAddress(bytes: Uint8Array, offset: number, family: IpFamily): string {
  if (family === 4) {
    return `${bytes[offset] ?? 0}.${bytes[offset + 1] ?? 0}.${bytes[offset + 2] ?? 0}.${bytes[offset + 3] ?? 0}`;
  }
  return ipaddr.fromByteArray(Array.from(bytes.subarray(offset, offset + 16))).toString();
}

/** One spelling per address: "FD13:0::100" and "fd13::100" both become "fd13::100". */
export function canonicalAddress(text: string): string | undefined {
  const family = familyOfText(text);
  if (family === undefined) return undefined;
  return readAddress(Uint8Array.from(addressToBytes(text)), 0, family);
}
