// RTM_NEWLINK / RTM_GETLINK bodies (rtnetlink(7)).
//
// struct ifinfomsg, 16 bytes: 0 family u8 | 1 pad | 2 type u16 | 4 ifindex i32 | 8 flags u32 | 12 change u32
// then attributes: IFLA_ADDRESS (the MAC), IFLA_IFNAME.
import { readMac } from '../codec/address-text.js';
import type { MacAddress } from '../types.js';
import { cString, decodeAttributes, encodeAttributes, readCString } from './message.js';

export const RTM_NEWLINK = 16;
export const RTM_DELLINK = 17;
export const RTM_GETLINK = 18;
/** Multicast group bit for link notifications (bind nl_groups). */
export const RTMGRP_LINK = 0x1;

const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFINFOMSG_BYTES = 16;

export interface LinkInfo {
  readonly interfaceIndex: number;
  readonly name: string;
  /** Undefined for links without a 6-byte hardware address (loopback has one, tun does not). */
  readonly mac: MacAddress | undefined;
}

/** RTM_GETLINK by name (a single reply), or a dump of all links when name is undefined. */
export function encodeLinkRequest(name: string | undefined): Buffer {
  const header = Buffer.alloc(IFINFOMSG_BYTES);
  if (name === undefined) return header;
  return Buffer.concat([header, encodeAttributes([{ type: IFLA_IFNAME, value: cString(name) }])]);
}

export function decodeLink(body: Buffer): LinkInfo | undefined {
  if (body.length < IFINFOMSG_BYTES) return undefined;
  const attributes = decodeAttributes(body.subarray(IFINFOMSG_BYTES));
  const name = attributes.get(IFLA_IFNAME);
  const address = attributes.get(IFLA_ADDRESS);
  return {
    interfaceIndex: body.readInt32LE(4),
    name: name === undefined ? '' : readCString(name),
    mac: address?.length === 6 ? readMac(address, 0) : undefined,
  };
}
