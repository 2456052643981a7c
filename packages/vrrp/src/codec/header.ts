// The part of the message VRRPv3 (RFC 5798 §5.1) and VRRPv2 (RFC 3768 §5.1) lay out alike:
// bytes 0-3 (version, type, VRID, priority, address count) and the address list from byte 8.
// Read and written here only, so encode, decode and the v2 reader cannot drift apart.
import { readAddress } from './address-bytes.js';
import {
  OFFSET_ADDRESS_COUNT,
  OFFSET_ADDRESSES,
  OFFSET_PRIORITY,
  OFFSET_VERSION_TYPE,
  OFFSET_VRID,
  addressBytesOf,
} from './layout.js';
import type { IpFamily } from './types.js';

/** Bytes 0-3, one field each. */
export interface CommonHeader {
  /** High nibble of byte 0: 3 (RFC 5798), 2 (RFC 3768). */
  readonly version: number;
  /** Low nibble of byte 0: 1, advertisement, is the only type. */
  readonly type: number;
  readonly vrid: number;
  readonly priority: number;
  readonly addressCount: number;
}

/** Bytes 0-3 of `payload`; a byte past its end reads as 0 (the caller checks the length). */
export function readCommonHeader(payload: Buffer): CommonHeader {
  const versionType = payload[OFFSET_VERSION_TYPE] ?? 0;
  return {
    version: versionType >> 4,
    type: versionType & 0x0f,
    vrid: payload[OFFSET_VRID] ?? 0,
    priority: payload[OFFSET_PRIORITY] ?? 0,
    addressCount: payload[OFFSET_ADDRESS_COUNT] ?? 0,
  };
}

/** Writes bytes 0-3; the fields are checked against their wire ranges before. */
export function writeCommonHeader(message: Buffer, header: CommonHeader): void {
  message[OFFSET_VERSION_TYPE] = (header.version << 4) | header.type;
  message[OFFSET_VRID] = header.vrid;
  message[OFFSET_PRIORITY] = header.priority;
  message[OFFSET_ADDRESS_COUNT] = header.addressCount;
}

/** The `count` addresses of `family` from byte 8 on, as canonical text. */
export function readAddresses(payload: Buffer, family: IpFamily, count: number): string[] {
  const size = addressBytesOf(family);
  return Array.from({ length: count }, (_, i) =>
    readAddress(payload, OFFSET_ADDRESSES + i * size, family),
  );
}

/** Writes each address's bytes from byte 8 on, in order. */
export function writeAddresses(
  message: Buffer,
  family: IpFamily,
  addresses: readonly (readonly number[])[],
): void {
  const size = addressBytesOf(family);
  addresses.forEach((bytes, i) => {
    message.set(bytes, OFFSET_ADDRESSES + i * size);
  });
}
