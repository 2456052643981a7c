// IPv6 neighbour discovery (RFC 4861) as it travels: an IPv6 header without extension headers,
// then an ICMPv6 Neighbor Solicitation or Advertisement with at most one link-layer option.
//
// IPv6 header, 40 bytes:             ICMPv6 NS / NA, 24 bytes + options:
//   0  version 6, class, flow  4       0  type (135 NS, 136 NA)   1
//   4  payload length          2       1  code = 0                1
//   6  next header = 58        1       2  checksum                2
//   7  hop limit = 255         1       4  NA: R S O flags + 29 reserved bits; NS: reserved   4
//   8  source                 16       8  target address         16
//  24  destination            16      24  options: type 1, length in 8-byte units 1, MAC 6
import { ArpError, FrameDecodeError } from '../errors.js';
import { isIpv6Multicast, readIpv6, readMac, writeIpv6, writeMac } from './address-text.js';
import type { Ipv6Header, NeighborAdvertisement, NeighborSolicitation } from './frame-types.js';

export const IPV6_HEADER_BYTES = 40;
export const NEXT_HEADER_ICMPV6 = 58;
export const NDP_HOP_LIMIT = 255;
export const ICMPV6_NEIGHBOR_SOLICITATION = 135;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const NDP_MESSAGE_BYTES = 24;
export const NDP_OPTION_SOURCE_LINK_LAYER = 1;
export const NDP_OPTION_TARGET_LINK_LAYER = 2;
const LINK_LAYER_OPTION_BYTES = 8;

const FLAG_ROUTER = 0x80;
const FLAG_SOLICITED = 0x40;
const FLAG_OVERRIDE = 0x20;

const OFFSET_VERSION = 0;
const OFFSET_PAYLOAD_LENGTH = 4;
const OFFSET_NEXT_HEADER = 6;
const OFFSET_HOP_LIMIT = 7;
const OFFSET_SOURCE = 8;
const OFFSET_DESTINATION = 24;

const OFFSET_TYPE = 0;
const OFFSET_CODE = 1;
const OFFSET_CHECKSUM = 2;
const OFFSET_FLAGS = 4;
const OFFSET_TARGET = 8;
const OFFSET_OPTIONS = 24;

export type NdpMessage = NeighborAdvertisement | NeighborSolicitation;

export function ndpBytes(message: NdpMessage): number {
  const hasOption =
    message.kind === 'neighbor-advertisement'
      ? message.targetMac !== undefined
      : message.sourceMac !== undefined;
  return IPV6_HEADER_BYTES + NDP_MESSAGE_BYTES + (hasOption ? LINK_LAYER_OPTION_BYTES : 0);
}

/** Writes IPv6 header + ICMPv6 message at `offset` (target must hold ndpBytes(message)). */
export function encodeNdp(target: Buffer, offset: number, message: NdpMessage): void {
  const icmpLength = ndpBytes(message) - IPV6_HEADER_BYTES;
  writeIpv6Header(target, offset, message.ipv6, icmpLength);

  const icmp = offset + IPV6_HEADER_BYTES;
  target.fill(0, icmp, icmp + icmpLength);
  writeIpv6(target, icmp + OFFSET_TARGET, message.target);
  if (message.kind === 'neighbor-advertisement') {
    target[icmp + OFFSET_TYPE] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
    target[icmp + OFFSET_FLAGS] =
      (message.router ? FLAG_ROUTER : 0) |
      (message.solicited ? FLAG_SOLICITED : 0) |
      (message.override ? FLAG_OVERRIDE : 0);
    if (message.targetMac !== undefined) {
      writeLinkLayerOption(
        target,
        icmp + OFFSET_OPTIONS,
        NDP_OPTION_TARGET_LINK_LAYER,
        message.targetMac,
      );
    }
  } else {
    target[icmp + OFFSET_TYPE] = ICMPV6_NEIGHBOR_SOLICITATION;
    if (message.sourceMac !== undefined) {
      writeLinkLayerOption(
        target,
        icmp + OFFSET_OPTIONS,
        NDP_OPTION_SOURCE_LINK_LAYER,
        message.sourceMac,
      );
    }
  }
  target.writeUInt16BE(icmpv6Checksum(target, offset, icmpLength), icmp + OFFSET_CHECKSUM);
}

function writeIpv6Header(
  target: Buffer,
  offset: number,
  header: Ipv6Header,
  payloadBytes: number,
): void {
  if (!Number.isInteger(header.hopLimit) || header.hopLimit < 0 || header.hopLimit > 255) {
    throw new ArpError('INVALID_FIELD', `IPv6 hop limit ${header.hopLimit} is not 0..255`);
  }
  target.writeUInt32BE(0x6000_0000, offset + OFFSET_VERSION);
  target.writeUInt16BE(payloadBytes, offset + OFFSET_PAYLOAD_LENGTH);
  target[offset + OFFSET_NEXT_HEADER] = NEXT_HEADER_ICMPV6;
  target[offset + OFFSET_HOP_LIMIT] = header.hopLimit;
  writeIpv6(target, offset + OFFSET_SOURCE, header.source);
  writeIpv6(target, offset + OFFSET_DESTINATION, header.destination);
}

function writeLinkLayerOption(target: Buffer, offset: number, type: number, mac: string): void {
  target[offset] = type;
  target[offset + 1] = LINK_LAYER_OPTION_BYTES / 8;
  writeMac(target, offset + 2, mac);
}

/**
 * RFC 4443 §2.3 checksum: one's-complement sum over the pseudo-header (source, destination,
 * upper-layer length, next header 58) and the ICMPv6 message. The checksum field itself is
 * skipped, so encode can write the result and decode can compare it with the stored value.
 */
export function icmpv6Checksum(bytes: Buffer, ipv6Offset: number, icmpLength: number): number {
  let sum = 0;
  for (let i = ipv6Offset + OFFSET_SOURCE; i < ipv6Offset + IPV6_HEADER_BYTES; i += 2) {
    sum += bytes.readUInt16BE(i);
  }
  sum += (icmpLength >>> 16) + (icmpLength & 0xffff) + NEXT_HEADER_ICMPV6;
  const icmp = ipv6Offset + IPV6_HEADER_BYTES;
  for (let i = 0; i < icmpLength; i += 2) {
    if (i === OFFSET_CHECKSUM) continue;
    const high = bytes[icmp + i] ?? 0;
    const low = i + 1 < icmpLength ? (bytes[icmp + i + 1] ?? 0) : 0;
    sum += (high << 8) | low;
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/** Decodes and validates (RFC 4861 §7.1) the IPv6 packet at `offset`; trailing padding is ignored. */
export function decodeNdp(bytes: Buffer, offset: number): NdpMessage {
  const available = bytes.length - offset;
  if (available < IPV6_HEADER_BYTES) {
    throw new FrameDecodeError(
      'IPV6_TRUNCATED',
      `IPv6 header has ${available} bytes, needs ${IPV6_HEADER_BYTES}`,
    );
  }
  const version = (bytes[offset + OFFSET_VERSION] ?? 0) >> 4;
  if (version !== 6) {
    throw new FrameDecodeError(
      'IPV6_BAD_VERSION',
      `IP version ${version} in an IPv6 EtherType frame`,
    );
  }
  const payloadBytes = bytes.readUInt16BE(offset + OFFSET_PAYLOAD_LENGTH);
  if (available - IPV6_HEADER_BYTES < payloadBytes) {
    throw new FrameDecodeError(
      'IPV6_TRUNCATED',
      `IPv6 payload length says ${payloadBytes} bytes, ${available - IPV6_HEADER_BYTES} present`,
    );
  }
  const nextHeader = bytes[offset + OFFSET_NEXT_HEADER] ?? 0;
  if (nextHeader !== NEXT_HEADER_ICMPV6) {
    throw new FrameDecodeError(
      'IPV6_NOT_ICMPV6',
      `IPv6 next header ${nextHeader} is not ICMPv6 (58)`,
    );
  }
  const icmp = offset + IPV6_HEADER_BYTES;
  if (payloadBytes < OFFSET_FLAGS) {
    throw new FrameDecodeError('NDP_TRUNCATED', `ICMPv6 message of ${payloadBytes} bytes`);
  }
  const type = bytes[icmp + OFFSET_TYPE] ?? 0;
  if (type !== ICMPV6_NEIGHBOR_ADVERTISEMENT && type !== ICMPV6_NEIGHBOR_SOLICITATION) {
    throw new FrameDecodeError(
      'ICMPV6_UNSUPPORTED_TYPE',
      `ICMPv6 type ${type} is neither neighbour solicitation (135) nor advertisement (136)`,
    );
  }
  const stored = bytes.readUInt16BE(icmp + OFFSET_CHECKSUM);
  const computed = icmpv6Checksum(bytes, offset, payloadBytes);
  if (stored !== computed) {
    throw new FrameDecodeError(
      'ICMPV6_BAD_CHECKSUM',
      `ICMPv6 checksum 0x${stored.toString(16)}, computed 0x${computed.toString(16)}`,
    );
  }
  const ipv6: Ipv6Header = {
    source: readIpv6(bytes, offset + OFFSET_SOURCE),
    destination: readIpv6(bytes, offset + OFFSET_DESTINATION),
    hopLimit: bytes[offset + OFFSET_HOP_LIMIT] ?? 0,
  };
  if (ipv6.hopLimit !== NDP_HOP_LIMIT) {
    throw new FrameDecodeError(
      'NDP_BAD_HOP_LIMIT',
      `neighbour discovery with hop limit ${ipv6.hopLimit}; only 255 proves it is on-link`,
    );
  }
  const code = bytes[icmp + OFFSET_CODE] ?? 0;
  if (code !== 0) {
    throw new FrameDecodeError(
      'NDP_BAD_CODE',
      `neighbour discovery ICMPv6 code ${code}, expected 0`,
    );
  }
  if (payloadBytes < NDP_MESSAGE_BYTES) {
    throw new FrameDecodeError(
      'NDP_TRUNCATED',
      `neighbour discovery message of ${payloadBytes} bytes, needs ${NDP_MESSAGE_BYTES}`,
    );
  }
  if (isIpv6Multicast(bytes, icmp + OFFSET_TARGET)) {
    throw new FrameDecodeError(
      'NDP_MULTICAST_TARGET',
      `target ${readIpv6(bytes, icmp + OFFSET_TARGET)} is multicast`,
    );
  }
  const target = readIpv6(bytes, icmp + OFFSET_TARGET);
  const linkLayerType =
    type === ICMPV6_NEIGHBOR_ADVERTISEMENT
      ? NDP_OPTION_TARGET_LINK_LAYER
      : NDP_OPTION_SOURCE_LINK_LAYER;
  const mac = findLinkLayerOption(bytes, icmp, payloadBytes, linkLayerType);

  if (type === ICMPV6_NEIGHBOR_SOLICITATION) {
    return {
      kind: 'neighbor-solicitation',
      ipv6,
      target,
      ...(mac === undefined ? {} : { sourceMac: mac }),
    };
  }
  const flags = bytes[icmp + OFFSET_FLAGS] ?? 0;
  const solicited = (flags & FLAG_SOLICITED) !== 0;
  if (solicited && isIpv6Multicast(bytes, offset + OFFSET_DESTINATION)) {
    throw new FrameDecodeError(
      'NDP_SOLICITED_TO_MULTICAST',
      `neighbour advertisement to ${ipv6.destination} has the Solicited flag set`,
    );
  }
  return {
    kind: 'neighbor-advertisement',
    ipv6,
    router: (flags & FLAG_ROUTER) !== 0,
    solicited,
    override: (flags & FLAG_OVERRIDE) !== 0,
    target,
    ...(mac === undefined ? {} : { targetMac: mac }),
  };
}

/** Walks every option (each must be 8*n bytes, n > 0) and returns the first link-layer one. */
function findLinkLayerOption(
  bytes: Buffer,
  icmp: number,
  icmpLength: number,
  wantedType: number,
): string | undefined {
  let found: string | undefined;
  for (let position = OFFSET_OPTIONS; position < icmpLength;) {
    const optionType = bytes[icmp + position] ?? 0;
    const optionBytes = (bytes[icmp + position + 1] ?? 0) * 8;
    if (optionBytes === 0 || position + optionBytes > icmpLength) {
      throw new FrameDecodeError(
        'NDP_BAD_OPTION',
        `option type ${optionType} at byte ${position} has length ${optionBytes}, ` +
          `${icmpLength - position} bytes left`,
      );
    }
    if (
      found === undefined &&
      optionType === wantedType &&
      optionBytes >= LINK_LAYER_OPTION_BYTES
    ) {
      found = readMac(bytes, icmp + position + 2);
    }
    position += optionBytes;
  }
  return found;
}
