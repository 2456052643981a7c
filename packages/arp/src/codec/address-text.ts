// Text <-> wire bytes for the three address kinds the frames carry. ipaddr.js does the IP
// grammar (IPv6 "::" compression, embedded IPv4); this file only adds the typed errors and
// the strictness the wire needs (no zone ids, no short or octal IPv4 forms).
import ipaddr from 'ipaddr.js';
import { ArpError } from '../errors.js';
import type { MacAddress } from '../types.js';

const MAC_PATTERN = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export const MAC_LENGTH = 6;
export const IPV4_LENGTH = 4;
export const IPV6_LENGTH = 16;

export function isMacAddress(text: string): boolean {
  return MAC_PATTERN.test(text);
}

/** Writes "aa:bb:cc:dd:ee:ff" as 6 bytes at `offset`. */
export function writeMac(target: Uint8Array, offset: number, mac: MacAddress): void {
  if (!MAC_PATTERN.test(mac)) {
    throw new ArpError('INVALID_MAC', `"${mac}" is not a MAC address like aa:bb:cc:dd:ee:ff`);
  }
  for (let i = 0; i < MAC_LENGTH; i++) {
    target[offset + i] = Number.parseInt(mac.slice(i * 3, i * 3 + 2), 16);
  }
}

export function readMac(source: Uint8Array, offset: number): MacAddress {
  let text = '';
  for (let i = 0; i < MAC_LENGTH; i++) {
    const octet = source[offset + i] ?? 0;
    text += (i === 0 ? '' : ':') + octet.toString(16).padStart(2, '0');
  }
  return text;
}

/** Lower-case canonical form, so MACs from the kernel and from config compare equal. */
export function normalizeMac(mac: MacAddress): MacAddress {
  const bytes = new Uint8Array(MAC_LENGTH);
  writeMac(bytes, 0, mac);
  return readMac(bytes, 0);
}

export function isIpv4(text: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(text);
}

export function isIpv6(text: string): boolean {
  return !text.includes('%') && ipaddr.IPv6.isValid(text);
}

export function ipv4Bytes(text: string): number[] {
  if (!isIpv4(text)) {
    throw new ArpError('INVALID_IPV4', `"${text}" is not an IPv4 address like 10.0.0.1`);
  }
  return ipaddr.IPv4.parse(text).toByteArray();
}

export function ipv6Bytes(text: string): number[] {
  if (!isIpv6(text)) {
    throw new ArpError('INVALID_IPV6', `"${text}" is not an IPv6 address like fd00::1`);
  }
  return ipaddr.IPv6.parse(text).toByteArray();
}

export function writeIpv4(target: Uint8Array, offset: number, text: string): void {
  target.set(ipv4Bytes(text), offset);
}

export function writeIpv6(target: Uint8Array, offset: number, text: string): void {
  target.set(ipv6Bytes(text), offset);
}

export function readIpv4(source: Uint8Array, offset: number): string {
  return `${source[offset] ?? 0}.${source[offset + 1] ?? 0}.${source[offset + 2] ?? 0}.${source[offset + 3] ?? 0}`;
}

/** RFC 5952 text ("fd00::1"), the form `ip` prints and config is normalized to. */
export function readIpv6(source: Uint8Array, offset: number): string {
  return ipaddr.fromByteArray(Array.from(source.subarray(offset, offset + IPV6_LENGTH))).toString();
}

/** One spelling per address, so "FD00:0::1" in config matches "fd00::1" from the wire. */
export function normalizeIp(text: string): string {
  if (isIpv4(text)) return text;
  return readIpv6(Uint8Array.from(ipv6Bytes(text)), 0);
}

export function ipFamily(text: string): 4 | 6 {
  if (isIpv4(text)) return 4;
  if (isIpv6(text)) return 6;
  throw new ArpError('INVALID_VIP', `"${text}" is neither an IPv4 nor an IPv6 address`);
}

export function isIpv6Multicast(bytes: Uint8Array, offset: number): boolean {
  return bytes[offset] === 0xff;
}
