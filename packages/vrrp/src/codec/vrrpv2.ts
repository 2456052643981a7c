// VRRPv2 (RFC 3768) is recognised only to be refused well: keepalived's default is still v2,
// and "the peer speaks v2" is the first thing an operator pairing vipd with it must learn.
import { vrrpChecksum } from './checksum.js';
import { readAddresses, readCommonHeader } from './header.js';
import {
  HEADER_BYTES,
  OFFSET_CHECKSUM,
  TYPE_ADVERTISEMENT,
  V2_AUTH_DATA_BYTES,
  V2_OFFSET_ADVERT_INTERVAL,
  V2_OFFSET_AUTH_TYPE,
} from './layout.js';
import { hex16, reject, type Rejection } from './reject.js';

/** A VRRPv2 advert, field by field (RFC 3768 §5.3). */
export interface Vrrpv2Advert {
  readonly version: 2;
  readonly vrid: number;
  readonly priority: number;
  /** RFC 3768 §5.3.6: 0 none, 1 simple text password; RFC 2338 also had 2, IP AH. */
  readonly authType: number;
  readonly advertIntervalSeconds: number;
  readonly addresses: readonly string[];
}

const AUTH_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'none',
  1: 'simple password (PASS)',
  2: 'IP authentication header (AH)',
};

export function authTypeName(authType: number): string {
  return AUTH_TYPE_NAMES[authType] ?? `unknown type ${authType}`;
}

/** Reads a v2 advert; a damaged one gets the same reasons a damaged v3 one would. */
export function decodeVrrpv2(payload: Buffer): { ok: true; advert: Vrrpv2Advert } | Rejection {
  const { type, vrid, priority, addressCount: count } = readCommonHeader(payload);
  if (type !== TYPE_ADVERTISEMENT) {
    return reject('type', `VRRPv2 packet of type ${type}; only 1 (advertisement) exists`);
  }
  const expected = HEADER_BYTES + count * 4 + V2_AUTH_DATA_BYTES;
  if (payload.length !== expected) {
    return reject(
      'address-count',
      `VRRPv2 advert with ${count} addresses should be ${expected} bytes, is ${payload.length}`,
    );
  }
  const stored = payload.readUInt16BE(OFFSET_CHECKSUM);
  const computed = vrrpChecksum(payload);
  if (stored !== computed) {
    return reject('checksum', `VRRPv2 checksum ${hex16(stored)}, computed ${hex16(computed)}`);
  }
  return {
    ok: true,
    advert: {
      version: 2,
      vrid,
      priority,
      authType: payload[V2_OFFSET_AUTH_TYPE] ?? 0,
      advertIntervalSeconds: payload[V2_OFFSET_ADVERT_INTERVAL] ?? 0,
      addresses: readAddresses(payload, 4, count),
    },
  };
}

/** Why a v2 advert is refused, worded for the operator who has to fix the peer. */
export function refuseVrrpv2(payload: Buffer, sourceAddress: string): Rejection {
  const decoded = decodeVrrpv2(payload);
  if (!decoded.ok) return decoded;
  const { vrid, priority, advertIntervalSeconds, authType, addresses } = decoded.advert;
  return reject(
    'vrrpv2',
    `VRRPv2 advert from ${sourceAddress} vrid ${vrid} priority ${priority} ` +
      `advert_int ${advertIntervalSeconds}s auth ${authTypeName(authType)} ` +
      `addresses [${addresses.join(', ')}]; vipd speaks VRRPv3 only: ` +
      'set vrrp_version 3 on the peer',
  );
}
