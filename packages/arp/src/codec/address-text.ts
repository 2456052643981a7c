// Text <-> wire bytes for the three address kinds the frames carry. node:net decides what is
// a valid address, ipaddr.js does the IPv6 grammar ("::" compression, embedded IPv4) and
// RFC 5952 output; this file adds the typed errors and the strictness the wire needs (no
// zone ids, no short or octal IPv4 forms).
import { isIP } from 'node:net';
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
    target[offset + i] =
      (hexDigit(mac.charCodeAt(i * 3)) << 4) | hexDigit(mac.charCodeAt(i * 3 + 1));
  }
}

/** Value of one hex digit already checked by MAC_PATTERN. */
function hexDigit(code: number): number {
  return code <= 0x39 ? code - 0x30 : (code | 0x20) - 0x57;
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

/** Strict dotted quad (node:net: no leading zeros, no shorthand forms). */
export function isIpv4(text: string): boolean {
  return isIP(text) === 4;
}

export function isIpv6(text: string): boolean {
  return isIP(text) === 6 && !text.includes('%');
}

export function ipv4Bytes(text: string): readonly number[] {
  if (!isIpv4(text)) {
    throw new ArpError('INVALID_IPV4', `"${text}" is not an IPv4 address like 10.0.0.1`);
  }
  // Validated above, so four decimal octets 0..255. (ipaddr.js parses it several times
  // slower, which shows when a takeover encodes 1,000 frames.)
  return text.split('.').map(Number);
}

// IPv6 parsing costs microseconds and every NA carries its VIP twice plus ff02::1, while a
// node only ever announces a few distinct addresses: remember them (bounded).
const IPV6_CACHE_LIMIT = 4096;
const ipv6Cache = new Map<string, readonly number[]>();

export function ipv6Bytes(text: string): readonly number[] {
  const cached = ipv6Cache.get(text);
  if (cached !== undefined) return cached;
  if (!isIpv6(text)) {
    throw new ArpError('INVALID_IPV6', `"${text}" is not an IPv6 address like fd00::1`);
  }
  const bytes = ipaddr.IPv6.parse(text).toByteArray();
  if (ipv6Cache.size >= IPV6_CACHE_LIMIT) ipv6Cache.clear();
  ipv6Cache.set(text, bytes);
  return bytes;
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
