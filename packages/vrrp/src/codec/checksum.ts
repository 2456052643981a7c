// The Internet checksum (RFC 1071) as VRRP uses it. VRRPv3 (RFC 5798 §5.2.8) sums a
// pseudo-header first: for IPv4 the one of UDP/TCP (source, destination, zero, protocol 112,
// VRRP length), for IPv6 the one of RFC 2460 §8.1 (source, destination, 32-bit length, three
// zero bytes, next header 112). Both add the same 16-bit words: the addresses, the length and
// the protocol. VRRPv2 (RFC 3768 §5.3.8) sums the message alone.
import { OFFSET_CHECKSUM } from './layout.js';
import { VRRP_PROTOCOL } from './types.js';

export interface PseudoHeader {
  readonly source: readonly number[];
  readonly destination: readonly number[];
}

function sumWords(bytes: ArrayLike<number>, skipOffset = -1): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    if (i === skipOffset) continue;
    sum += ((bytes[i] ?? 0) << 8) | (i + 1 < bytes.length ? (bytes[i + 1] ?? 0) : 0);
  }
  return sum;
}

function fold(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + (folded >>> 16);
  return ~folded & 0xffff;
}

/**
 * The checksum of a VRRP message, its own checksum field counted as zero, so encode can write
 * the result and decode can compare it with the stored value. Without `pseudo`, VRRPv2's.
 */
export function vrrpChecksum(message: Uint8Array, pseudo?: PseudoHeader): number {
  let sum = sumWords(message, OFFSET_CHECKSUM);
  if (pseudo !== undefined) {
    sum += sumWords(pseudo.source) + sumWords(pseudo.destination);
    sum += message.length + VRRP_PROTOCOL;
  }
  return fold(sum);
}
