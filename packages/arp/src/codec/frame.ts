// The codec's two entry points. Ethernet II header, 14 bytes:
//
//   0  destination MAC  6
//   6  source MAC       6
//  12  EtherType        2  0x0806 ARP, 0x86dd IPv6
//  14  payload, zero-padded so the frame is at least 60 bytes
import { FrameDecodeError } from '../errors.js';
import { readMac, writeMac } from './address-text.js';
import { ARP_PACKET_BYTES, decodeArp, encodeArp } from './arp.js';
import {
  ETHERNET_HEADER_BYTES,
  ETHERNET_MIN_FRAME_BYTES,
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  type Frame,
} from './frame-types.js';
import { decodeNdp, encodeNdp, ndpBytes } from './ndp.js';

const OFFSET_DESTINATION = 0;
const OFFSET_SOURCE = 6;
const OFFSET_ETHERTYPE = 12;

/** The frame's bytes as they go on the wire (without FCS), padded to 60 bytes. */
export function encode(frame: Frame): Buffer {
  const { packet } = frame;
  const payloadBytes = packet.kind === 'arp' ? ARP_PACKET_BYTES : ndpBytes(packet);
  const bytes = Buffer.alloc(
    Math.max(ETHERNET_MIN_FRAME_BYTES, ETHERNET_HEADER_BYTES + payloadBytes),
  );
  writeMac(bytes, OFFSET_DESTINATION, frame.destination);
  writeMac(bytes, OFFSET_SOURCE, frame.source);
  if (packet.kind === 'arp') {
    bytes.writeUInt16BE(ETHERTYPE_ARP, OFFSET_ETHERTYPE);
    encodeArp(bytes, ETHERNET_HEADER_BYTES, packet);
  } else {
    bytes.writeUInt16BE(ETHERTYPE_IPV6, OFFSET_ETHERTYPE);
    encodeNdp(bytes, ETHERNET_HEADER_BYTES, packet);
  }
  return bytes;
}

/** Parses one frame; anything but a valid ARP, NS or NA frame throws FrameDecodeError. */
export function decode(input: Uint8Array): Frame {
  const bytes = Buffer.isBuffer(input)
    ? input
    : Buffer.from(input.buffer, input.byteOffset, input.byteLength);
  if (bytes.length < ETHERNET_HEADER_BYTES) {
    throw new FrameDecodeError(
      'FRAME_TOO_SHORT',
      `frame has ${bytes.length} bytes, an Ethernet II header needs ${ETHERNET_HEADER_BYTES}`,
    );
  }
  const etherType = bytes.readUInt16BE(OFFSET_ETHERTYPE);
  const destination = readMac(bytes, OFFSET_DESTINATION);
  const source = readMac(bytes, OFFSET_SOURCE);
  if (etherType === ETHERTYPE_ARP) {
    return { destination, source, packet: decodeArp(bytes, ETHERNET_HEADER_BYTES) };
  }
  if (etherType === ETHERTYPE_IPV6) {
    return { destination, source, packet: decodeNdp(bytes, ETHERNET_HEADER_BYTES) };
  }
  throw new FrameDecodeError(
    'FRAME_UNSUPPORTED_ETHERTYPE',
    `EtherType 0x${etherType.toString(16).padStart(4, '0')} is neither ARP (0x0806) nor IPv6 (0x86dd)`,
  );
}
