// The IP headers the transport writes itself and reads back. The send sockets use
// IP_HDRINCL / IPV6_HDRINCL: raw-socket cannot bind(), so writing the header is how every
// advert carries the pinned source address and TTL/hop limit 255, unicast or multicast (for
// IPv4 keepalived does the same). The kernel fills the IPv4 total length, id and header
// checksum; it fills nothing in an IPv6 header.
import { VRRP_PROTOCOL, VRRP_TTL, type IpFamily, type PacketContext } from '../codec/types.js';
import { addressAt } from './address-text.js';

/** Precedence "internetwork control", as keepalived sends: QoS queues carry adverts first. */
const NETWORK_CONTROL_CLASS = 0xc0;

// IPv4 header, 20 bytes without options:
//   0 version/IHL u8 | 1 TOS u8 | 2 total length u16 | 4 id u16 | 6 flags/fragment u16
//   8 TTL u8 | 9 protocol u8 | 10 checksum u16 | 12 source [4] | 16 destination [4]
const IPV4_HEADER_BYTES = 20;
const IPV4_VERSION_IHL = 0x45;
const V4_TOS = 1;
const V4_TOTAL_LENGTH = 2;
const V4_TTL = 8;
const V4_PROTOCOL = 9;
const V4_SOURCE = 12;
const V4_DESTINATION = 16;

// IPv6 header, 40 bytes:
//   0 version/traffic class/flow label u32 | 4 payload length u16 | 6 next header u8
//   7 hop limit u8 | 8 source [16] | 24 destination [16]
const IPV6_HEADER_BYTES = 40;
const V6_PAYLOAD_LENGTH = 4;
const V6_NEXT_HEADER = 6;
const V6_HOP_LIMIT = 7;
const V6_SOURCE = 8;
const V6_DESTINATION = 24;

/** Ethernet II header before the IPv6 header in a frame from the packet socket. */
const ETHERNET_HEADER_BYTES = 14;

/** One VRRP packet as sent: our IP header, then the caller's payload. */
export function ipPacket(
  family: IpFamily,
  source: Buffer,
  destination: Buffer,
  payload: Buffer,
): Buffer {
  return family === 4
    ? Buffer.concat([ipv4Header(source, destination, payload.length), payload])
    : Buffer.concat([ipv6Header(source, destination, payload.length), payload]);
}

function ipv4Header(source: Buffer, destination: Buffer, payloadBytes: number): Buffer {
  const header = Buffer.alloc(IPV4_HEADER_BYTES);
  header[0] = IPV4_VERSION_IHL;
  header[V4_TOS] = NETWORK_CONTROL_CLASS;
  header.writeUInt16BE(IPV4_HEADER_BYTES + payloadBytes, V4_TOTAL_LENGTH);
  header[V4_TTL] = VRRP_TTL;
  header[V4_PROTOCOL] = VRRP_PROTOCOL;
  source.copy(header, V4_SOURCE);
  destination.copy(header, V4_DESTINATION);
  return header;
}

function ipv6Header(source: Buffer, destination: Buffer, payloadBytes: number): Buffer {
  const header = Buffer.alloc(IPV6_HEADER_BYTES);
  header.writeUInt32BE(((6 << 28) | (NETWORK_CONTROL_CLASS << 20)) >>> 0, 0);
  header.writeUInt16BE(payloadBytes, V6_PAYLOAD_LENGTH);
  header[V6_NEXT_HEADER] = VRRP_PROTOCOL;
  header[V6_HOP_LIMIT] = VRRP_TTL;
  source.copy(header, V6_SOURCE);
  destination.copy(header, V6_DESTINATION);
  return header;
}

/** A received packet's header fields and its own copy of the payload. */
export interface ParsedPacket extends PacketContext {
  readonly payload: Buffer;
}

/**
 * An IPv4 packet as a raw socket hands it over (header first). `bytes` is a view into
 * raw-socket's shared receive buffer, so the payload is copied. Undefined when too short.
 */
export function parseIpv4Packet(bytes: Buffer): ParsedPacket | undefined {
  if (bytes.length < IPV4_HEADER_BYTES || bytes[0] === undefined) return undefined;
  const headerBytes = (bytes[0] & 0x0f) * 4;
  const totalBytes = Math.min(bytes.readUInt16BE(V4_TOTAL_LENGTH), bytes.length);
  if (bytes[0] >> 4 !== 4 || headerBytes < IPV4_HEADER_BYTES || totalBytes < headerBytes) {
    return undefined;
  }
  return {
    family: 4,
    ttl: bytes[V4_TTL] ?? 0,
    sourceAddress: addressAt(bytes, V4_SOURCE, 4),
    destinationAddress: addressAt(bytes, V4_DESTINATION, 4),
    payload: Buffer.from(bytes.subarray(headerBytes, totalBytes)),
  };
}

/**
 * An Ethernet frame carrying IPv6 (the packet socket's kernel filter let through only next
 * header 112). The payload ends where the IPv6 payload length says, before any Ethernet padding.
 */
export function parseIpv6Frame(frame: Buffer): ParsedPacket | undefined {
  const header = frame.subarray(ETHERNET_HEADER_BYTES);
  if (header.length < IPV6_HEADER_BYTES || (header[0] ?? 0) >> 4 !== 6) return undefined;
  const end = IPV6_HEADER_BYTES + header.readUInt16BE(V6_PAYLOAD_LENGTH);
  if (end > header.length) return undefined;
  return {
    family: 6,
    ttl: header[V6_HOP_LIMIT] ?? 0,
    sourceAddress: addressAt(header, V6_SOURCE, 6),
    destinationAddress: addressAt(header, V6_DESTINATION, 6),
    payload: Buffer.from(header.subarray(IPV6_HEADER_BYTES, end)),
  };
}
