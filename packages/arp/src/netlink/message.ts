// rtnetlink framing (netlink(7), rtnetlink(7)); all integers in host byte order:
//
// struct nlmsghdr, 16 bytes:  0 length u32 | 4 type u16 | 6 flags u16 | 8 seq u32 | 12 port u32
// struct rtattr, 4 bytes + data padded to 4:  0 length u16 (header + data) | 2 type u16
import { ArpError } from '../errors.js';

export const NLMSG_HEADER_BYTES = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_ECHO = 0x8;
export const NLM_F_DUMP = 0x300;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** In an NLMSG_ERROR: extended-ack attributes follow. */
export const NLM_F_ACK_TLVS = 0x200;
export const NLMSGERR_ATTR_MSG = 1;

const ATTRIBUTE_HEADER_BYTES = 4;

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly sequence: number;
  /** Bytes after the 16-byte header. */
  readonly body: Buffer;
}

export interface Attribute {
  readonly type: number;
  readonly value: Buffer;
}

export function align4(length: number): number {
  return (length + 3) & ~3;
}

export function encodeMessage(type: number, flags: number, sequence: number, body: Buffer): Buffer {
  const message = Buffer.alloc(NLMSG_HEADER_BYTES + body.length);
  message.writeUInt32LE(message.length, 0);
  message.writeUInt16LE(type, 4);
  message.writeUInt16LE(flags, 6);
  message.writeUInt32LE(sequence, 8);
  message.writeUInt32LE(0, 12);
  body.copy(message, NLMSG_HEADER_BYTES);
  return message;
}

/** Splits one datagram from the kernel into messages; a malformed length throws. */
export function decodeMessages(datagram: Buffer): NetlinkMessage[] {
  const messages: NetlinkMessage[] = [];
  let offset = 0;
  while (offset + NLMSG_HEADER_BYTES <= datagram.length) {
    const length = datagram.readUInt32LE(offset);
    if (length < NLMSG_HEADER_BYTES || offset + length > datagram.length) {
      throw new ArpError(
        'NETLINK_BAD_MESSAGE',
        `netlink message length ${length} at byte ${offset}`,
      );
    }
    messages.push({
      type: datagram.readUInt16LE(offset + 4),
      flags: datagram.readUInt16LE(offset + 6),
      sequence: datagram.readUInt32LE(offset + 8),
      body: datagram.subarray(offset + NLMSG_HEADER_BYTES, offset + length),
    });
    offset += align4(length);
  }
  return messages;
}

export function encodeAttributes(attributes: readonly Attribute[]): Buffer {
  const total = attributes.reduce(
    (sum, a) => sum + align4(ATTRIBUTE_HEADER_BYTES + a.value.length),
    0,
  );
  const bytes = Buffer.alloc(total);
  let offset = 0;
  for (const { type, value } of attributes) {
    bytes.writeUInt16LE(ATTRIBUTE_HEADER_BYTES + value.length, offset);
    bytes.writeUInt16LE(type, offset + 2);
    value.copy(bytes, offset + ATTRIBUTE_HEADER_BYTES);
    offset += align4(ATTRIBUTE_HEADER_BYTES + value.length);
  }
  return bytes;
}

export function decodeAttributes(bytes: Buffer): Map<number, Buffer> {
  const attributes = new Map<number, Buffer>();
  let offset = 0;
  while (offset + ATTRIBUTE_HEADER_BYTES <= bytes.length) {
    const length = bytes.readUInt16LE(offset);
    if (length < ATTRIBUTE_HEADER_BYTES || offset + length > bytes.length) {
      throw new ArpError(
        'NETLINK_BAD_MESSAGE',
        `netlink attribute length ${length} at byte ${offset}`,
      );
    }
    // The low 14 bits are the type; the top two are NLA_F_NESTED / NLA_F_NET_BYTEORDER.
    attributes.set(
      bytes.readUInt16LE(offset + 2) & 0x3fff,
      bytes.subarray(offset + ATTRIBUTE_HEADER_BYTES, offset + length),
    );
    offset += align4(length);
  }
  return attributes;
}

export function u8(value: number): Buffer {
  return Buffer.of(value);
}

export function u32(value: number): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(value);
  return bytes;
}

export function cString(text: string): Buffer {
  return Buffer.concat([Buffer.from(text, 'utf8'), Buffer.of(0)]);
}

export function readCString(bytes: Buffer): string {
  const end = bytes.indexOf(0);
  return bytes.toString('utf8', 0, end < 0 ? bytes.length : end);
}

export interface NetlinkAck {
  /** 0, or a negative errno. */
  readonly error: number;
  /** The kernel's extended-ack explanation, when it gave one. */
  readonly explanation: string | undefined;
}

/** struct nlmsgerr: 0 error i32 | 4 the request's nlmsghdr (payload capped) | then ack TLVs. */
export function decodeAck(message: NetlinkMessage): NetlinkAck {
  if (message.body.length < 4) {
    throw new ArpError('NETLINK_BAD_MESSAGE', 'netlink error message without an error code');
  }
  const error = message.body.readInt32LE(0);
  let explanation: string | undefined;
  if ((message.flags & NLM_F_ACK_TLVS) !== 0 && message.body.length >= 4 + NLMSG_HEADER_BYTES) {
    // With NETLINK_CAP_ACK the echoed request is only its header, so TLVs start at 20.
    const tlvs = decodeAttributes(message.body.subarray(4 + NLMSG_HEADER_BYTES));
    const text = tlvs.get(NLMSGERR_ATTR_MSG);
    if (text !== undefined) explanation = readCString(text);
  }
  return { error, explanation };
}
