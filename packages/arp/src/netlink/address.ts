// RTM_NEWADDR / RTM_DELADDR / RTM_GETADDR bodies (rtnetlink(7)).
//
// struct ifaddrmsg, 8 bytes: 0 family u8 | 1 prefix length u8 | 2 flags u8 | 3 scope u8 | 4 ifindex u32
// then attributes: IFA_ADDRESS, IFA_LOCAL (the address), IFA_LABEL (IPv4 alias name),
// IFA_FLAGS (u32, all flags), IFA_PROTO (u8: who added the address, Linux 5.18+).
import { ipv4Bytes, ipv6Bytes, readIpv4, readIpv6 } from '../codec/address-text.js';
import {
  cString,
  decodeAttributes,
  encodeAttributes,
  readCString,
  u32,
  u8,
  type Attribute,
} from './message.js';

export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const AF_INET = 2;
export const AF_INET6 = 10;

const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_FLAGS = 8;
/** Who added the address (u8); kernels before 5.18 ignore it in a request and never report it. */
export const IFA_PROTO = 11;
/** No duplicate address detection: a VIP must answer at once, not after ~1 s of DAD. */
export const IFA_F_NODAD = 0x02;

export const IFADDRMSG_BYTES = 8;

export type AddressScope = 'global' | 'site' | 'link' | 'host';
export const SCOPE_VALUES: Record<AddressScope, number> = {
  global: 0,
  site: 200,
  link: 253,
  host: 254,
};

export interface InterfaceAddress {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly interfaceIndex: number;
  readonly scope: number;
  readonly flags: number;
  /** IFA_LABEL (IPv4 only). */
  readonly label: string | undefined;
  /** IFA_PROTO; 0 (unspecified) when the kernel or the adder did not set it. */
  readonly protocol: number;
}

export interface AddressRequest {
  readonly family: 4 | 6;
  readonly address: string;
  readonly prefixLength: number;
  readonly interfaceIndex: number;
  readonly scope?: number;
  readonly flags?: number;
  readonly label?: string;
  readonly protocol?: number;
}

export function encodeAddressRequest(request: AddressRequest): Buffer {
  const header = Buffer.alloc(IFADDRMSG_BYTES);
  header[0] = request.family === 4 ? AF_INET : AF_INET6;
  header[1] = request.prefixLength;
  header[2] = (request.flags ?? 0) & 0xff;
  header[3] = request.scope ?? 0;
  header.writeUInt32LE(request.interfaceIndex, 4);
  const address = Buffer.from(
    request.family === 4 ? ipv4Bytes(request.address) : ipv6Bytes(request.address),
  );
  const attributes: Attribute[] = [
    { type: IFA_LOCAL, value: address },
    { type: IFA_ADDRESS, value: address },
  ];
  if (request.flags !== undefined) attributes.push({ type: IFA_FLAGS, value: u32(request.flags) });
  if (request.label !== undefined)
    attributes.push({ type: IFA_LABEL, value: cString(request.label) });
  if (request.protocol !== undefined)
    attributes.push({ type: IFA_PROTO, value: u8(request.protocol) });
  return Buffer.concat([header, encodeAttributes(attributes)]);
}

/** A dump request; with strict checking the kernel returns only this family and interface. */
export function encodeAddressDump(family: 4 | 6, interfaceIndex: number): Buffer {
  const header = Buffer.alloc(IFADDRMSG_BYTES);
  header[0] = family === 4 ? AF_INET : AF_INET6;
  header.writeUInt32LE(interfaceIndex, 4);
  return header;
}

export function decodeAddress(body: Buffer): InterfaceAddress | undefined {
  if (body.length < IFADDRMSG_BYTES) return undefined;
  const familyCode = body[0];
  if (familyCode !== AF_INET && familyCode !== AF_INET6) return undefined;
  const family = familyCode === AF_INET ? 4 : 6;
  const attributes = decodeAttributes(body.subarray(IFADDRMSG_BYTES));
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links.
  const raw = attributes.get(IFA_LOCAL) ?? attributes.get(IFA_ADDRESS);
  if (raw === undefined || raw.length !== (family === 4 ? 4 : 16)) return undefined;
  const flags = attributes.get(IFA_FLAGS);
  const label = attributes.get(IFA_LABEL);
  const protocol = attributes.get(IFA_PROTO);
  return {
    family,
    address: family === 4 ? readIpv4(raw, 0) : readIpv6(raw, 0),
    prefixLength: body[1] ?? 0,
    interfaceIndex: body.readUInt32LE(4),
    scope: body[3] ?? 0,
    flags: flags !== undefined && flags.length >= 4 ? flags.readUInt32LE(0) : (body[2] ?? 0),
    label: label === undefined ? undefined : readCString(label),
    protocol: protocol?.[0] ?? 0,
  };
}
