// RFC 826 ARP packet for Ethernet/IPv4, 28 bytes:
//
//   0  hardware type      2  = 1 (Ethernet)
//   2  protocol type      2  = 0x0800 (IPv4)
//   4  hardware length    1  = 6
//   5  protocol length    1  = 4
//   6  operation          2  1 request, 2 reply
//   8  sender MAC         6
//  14  sender IPv4        4
//  18  target MAC         6
//  24  target IPv4        4
import { FrameDecodeError } from '../errors.js';
import { readIpv4, readMac, writeIpv4, writeMac } from './address-text.js';
import type { ArpOperation, ArpPacket } from './frame-types.js';

export const ARP_PACKET_BYTES = 28;
export const ARP_HARDWARE_ETHERNET = 1;
export const ARP_PROTOCOL_IPV4 = 0x0800;
export const ARP_OPERATION_REQUEST = 1;
export const ARP_OPERATION_REPLY = 2;

const OFFSET_HARDWARE_TYPE = 0;
const OFFSET_PROTOCOL_TYPE = 2;
const OFFSET_HARDWARE_LENGTH = 4;
const OFFSET_PROTOCOL_LENGTH = 5;
const OFFSET_OPERATION = 6;
const OFFSET_SENDER_MAC = 8;
const OFFSET_SENDER_IP = 14;
const OFFSET_TARGET_MAC = 18;
const OFFSET_TARGET_IP = 24;

export function encodeArp(target: Buffer, offset: number, packet: ArpPacket): void {
  target.writeUInt16BE(ARP_HARDWARE_ETHERNET, offset + OFFSET_HARDWARE_TYPE);
  target.writeUInt16BE(ARP_PROTOCOL_IPV4, offset + OFFSET_PROTOCOL_TYPE);
  target[offset + OFFSET_HARDWARE_LENGTH] = 6;
  target[offset + OFFSET_PROTOCOL_LENGTH] = 4;
  target.writeUInt16BE(
    packet.operation === 'request' ? ARP_OPERATION_REQUEST : ARP_OPERATION_REPLY,
    offset + OFFSET_OPERATION,
  );
  writeMac(target, offset + OFFSET_SENDER_MAC, packet.senderMac);
  writeIpv4(target, offset + OFFSET_SENDER_IP, packet.senderIp);
  writeMac(target, offset + OFFSET_TARGET_MAC, packet.targetMac);
  writeIpv4(target, offset + OFFSET_TARGET_IP, packet.targetIp);
}

/** Decodes the ARP packet at `offset`; bytes past the 28 (Ethernet padding) are ignored. */
export function decodeArp(bytes: Buffer, offset: number): ArpPacket {
  if (bytes.length - offset < ARP_PACKET_BYTES) {
    throw new FrameDecodeError(
      'ARP_TRUNCATED',
      `ARP packet has ${bytes.length - offset} bytes, needs ${ARP_PACKET_BYTES}`,
    );
  }
  const hardwareType = bytes.readUInt16BE(offset + OFFSET_HARDWARE_TYPE);
  const hardwareLength = bytes[offset + OFFSET_HARDWARE_LENGTH];
  if (hardwareType !== ARP_HARDWARE_ETHERNET || hardwareLength !== 6) {
    throw new FrameDecodeError(
      'ARP_UNSUPPORTED_HARDWARE',
      `ARP hardware type ${hardwareType} length ${hardwareLength ?? 0}, expected Ethernet (1) length 6`,
    );
  }
  const protocolType = bytes.readUInt16BE(offset + OFFSET_PROTOCOL_TYPE);
  const protocolLength = bytes[offset + OFFSET_PROTOCOL_LENGTH];
  if (protocolType !== ARP_PROTOCOL_IPV4 || protocolLength !== 4) {
    throw new FrameDecodeError(
      'ARP_UNSUPPORTED_PROTOCOL',
      `ARP protocol type 0x${protocolType.toString(16)} length ${protocolLength ?? 0}, ` +
        'expected IPv4 (0x800) length 4',
    );
  }
  return {
    kind: 'arp',
    operation: decodeOperation(bytes.readUInt16BE(offset + OFFSET_OPERATION)),
    senderMac: readMac(bytes, offset + OFFSET_SENDER_MAC),
    senderIp: readIpv4(bytes, offset + OFFSET_SENDER_IP),
    targetMac: readMac(bytes, offset + OFFSET_TARGET_MAC),
    targetIp: readIpv4(bytes, offset + OFFSET_TARGET_IP),
  };
}

function decodeOperation(operation: number): ArpOperation {
  if (operation === ARP_OPERATION_REQUEST) return 'request';
  if (operation === ARP_OPERATION_REPLY) return 'reply';
  throw new FrameDecodeError(
    'ARP_UNKNOWN_OPERATION',
    `ARP operation ${operation} is neither request (1) nor reply (2)`,
  );
}
