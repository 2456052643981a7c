// decodeAdvert: the packet-level receive checks of RFC 5798 §7.1, in the order a reader would
// want them reported: is it ours to read (family, length, version, type), did it stay on the
// link (TTL / hop limit 255), is it whole and intact (address count, checksum), and are its
// values possible (VRID, interval). The first failing check is the reason. Never throws:
// whatever arrives on the wire gets a result. The VRID and address list against a configured
// instance are matchInstance's (match.ts).
import { addressToBytes, familyOfText } from './address-bytes.js';
import { vrrpChecksum } from './checksum.js';
import { readAddresses, readCommonHeader, type CommonHeader } from './header.js';
import {
  HEADER_BYTES,
  INTERVAL_MASK,
  OFFSET_CHECKSUM,
  OFFSET_INTERVAL,
  TYPE_ADVERTISEMENT,
  VRRP_VERSION_2,
  VRRP_VERSION_3,
  advertBytes,
} from './layout.js';
import { hex16, reject, type Rejection } from './reject.js';
import { VRRP_TTL, type DecodeResult, type PacketContext } from './types.js';
import { refuseVrrpv2 } from './vrrpv2.js';

function checkFamily(context: PacketContext): Rejection | undefined {
  const family: unknown = context.family;
  if (family !== 4 && family !== 6) {
    return reject('family', `packet family ${String(family)} is neither 4 nor 6`);
  }
  for (const [role, address] of [
    ['source', context.sourceAddress],
    ['destination', context.destinationAddress],
  ] as const) {
    if (familyOfText(address) !== family) {
      return reject('family', `IPv${family} packet with ${role} address "${address}"`);
    }
  }
  return undefined;
}

/** Version, type and hop count: whether this is a VRRPv3 advert that stayed on the link. */
function checkKind(
  payload: Buffer,
  { version, type }: CommonHeader,
  context: PacketContext,
): Rejection | undefined {
  if (version === VRRP_VERSION_2 && context.family === 4) {
    return refuseVrrpv2(payload, context.sourceAddress);
  }
  if (version !== VRRP_VERSION_3) {
    return reject(
      'version',
      `VRRP version ${version} from ${context.sourceAddress}; vipd speaks 3`,
    );
  }
  if (type !== TYPE_ADVERTISEMENT) {
    return reject('type', `VRRPv3 packet of type ${type}; only 1 (advertisement) exists`);
  }
  if (context.ttl !== VRRP_TTL) {
    const field = context.family === 4 ? 'TTL' : 'hop limit';
    return reject(
      'ttl',
      `${field} ${context.ttl} from ${context.sourceAddress}; only ${VRRP_TTL} proves the advert ` +
        'was not routed (RFC 5798 §7.1)',
    );
  }
  return undefined;
}

/** Address count against length, then the checksum over pseudo-header and message. */
function checkIntegrity(
  payload: Buffer,
  { addressCount: count }: CommonHeader,
  context: PacketContext,
): Rejection | undefined {
  const expected = advertBytes(context.family, count);
  if (payload.length !== expected) {
    return reject(
      'address-count',
      `count ${count} of IPv${context.family} addresses makes ${expected} bytes, ` +
        `the packet has ${payload.length}`,
    );
  }
  const stored = payload.readUInt16BE(OFFSET_CHECKSUM);
  const computed = vrrpChecksum(payload, {
    source: addressToBytes(context.sourceAddress),
    destination: addressToBytes(context.destinationAddress),
  });
  if (stored !== computed) {
    return reject(
      'checksum',
      `checksum ${hex16(stored)}, computed ${hex16(computed)} over the ` +
        `${context.sourceAddress} -> ${context.destinationAddress} pseudo-header`,
    );
  }
  return undefined;
}

/** The VRRPv3 advert in `payload` (the bytes after the IP header), or why it is refused. */
export function decodeAdvert(payload: Buffer, context: PacketContext): DecodeResult {
  const familyProblem = checkFamily(context);
  if (familyProblem !== undefined) return familyProblem;
  if (payload.length < HEADER_BYTES)
    return reject('truncated', `${payload.length} bytes; the VRRP header alone is ${HEADER_BYTES}`);
  const header = readCommonHeader(payload);
  const problem = checkKind(payload, header, context) ?? checkIntegrity(payload, header, context);
  if (problem !== undefined) return problem;

  const { vrid, priority, addressCount } = header;
  if (vrid === 0) return reject('vrid', 'VRID 0; virtual router ids are 1-255 (RFC 5798 §5.2.3)');
  // Reserved bits: ignored on receive (RFC 5798 §5.2.6).
  const maxAdvertIntervalCs = payload.readUInt16BE(OFFSET_INTERVAL) & INTERVAL_MASK;
  if (maxAdvertIntervalCs === 0) {
    return reject('interval', `VRID ${vrid}: max advert interval 0 cs; a master must send 1-4095`);
  }
  return {
    ok: true,
    advert: {
      version: 3,
      vrid,
      priority,
      maxAdvertIntervalCs,
      addresses: readAddresses(payload, context.family, addressCount),
    },
  };
}
