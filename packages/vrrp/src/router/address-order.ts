// RFC 5798 §6.4.3: at equal priority "the primary IP address of the sender is greater than
// the local primary IP address" wins, which is an unsigned comparison of the address bytes,
// not of their text ("10.0.0.9" > "10.0.0.10" as text; "fd00::a" and "FD00:0::A" are equal).
// ipaddr.js does the IPv6 grammar; a small bounded cache keeps the per-advert cost to a
// lookup, since a link carries adverts from a handful of senders.
import ipaddr from 'ipaddr.js';
import type { IpFamily } from '../codec/types.js';

const KEY_CACHE_LIMIT = 1024;
const keyCache = new Map<string, string>();

/** A text key that sorts like the address bytes, or null when `text` is not of `family`. */
export function addressKey(text: string, family: IpFamily): string | null {
  const cacheKey = `${family}/${text}`;
  const cached = keyCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const bytes = parseBytes(text, family);
  if (bytes === null) return null;
  const key = bytes.map((b) => b.toString(16).padStart(2, '0')).join('');
  if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.clear();
  keyCache.set(cacheKey, key);
  return key;
}

function parseBytes(text: string, family: IpFamily): number[] | null {
  if (family === 4)
    return ipaddr.IPv4.isValidFourPartDecimal(text) ? ipaddr.IPv4.parse(text).toByteArray() : null;
  // A zone id (fe80::1%eth0) names an interface, not part of the address compared.
  if (text.includes('%') || !ipaddr.IPv6.isValid(text)) return null;
  return ipaddr.IPv6.parse(text).toByteArray();
}

/** Negative, 0 or positive as address a is below, equal to or above b (same family). */
export function compareAddressKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
