// Addresses as the wire carries them (4 or 16 bytes) and as the codec and config write them
// (canonical text: dotted quad, RFC 5952 for IPv6), so a received source compares equal to a
// configured peer however the operator spelled it.
import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../codec/types.js';

/** Canonical text of `text` if it is an address of `family` (an IPv6 zone is dropped), else undefined. */
export function canonicalAddress(text: string, family: IpFamily): string | undefined {
  const unzoned = text.split('%')[0] ?? '';
  const valid =
    family === 4 ? ipaddr.IPv4.isValidFourPartDecimal(unzoned) : ipaddr.IPv6.isValid(unzoned);
  return valid ? ipaddr.parse(unzoned).toString() : undefined;
}

export function addressBytes(text: string): Buffer {
  return Buffer.from(ipaddr.parse(text).toByteArray());
}

/** Canonical text of the 4 (IPv4) or 16 (IPv6) bytes at `offset`. */
export function addressAt(bytes: Buffer, offset: number, family: IpFamily): string {
  const length = family === 4 ? 4 : 16;
  return ipaddr.fromByteArray([...bytes.subarray(offset, offset + length)]).toString();
}
