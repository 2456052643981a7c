// RTM_NEWROUTE / RTM_DELROUTE / RTM_GETROUTE bodies (rtnetlink(7)), for host routes to a VIP
// through lo in one table, as `ip route add VIP/32 dev lo table T proto P metric M` sends them.
//
// struct rtmsg, 12 bytes: 0 family u8 | 1 dst_len u8 | 2 src_len u8 | 3 tos u8 | 4 table u8 |
//   5 protocol u8 | 6 scope u8 | 7 type u8 | 8 flags u32
// then attributes: RTA_DST (address), RTA_OIF (u32 ifindex), RTA_PRIORITY (u32, the metric),
// RTA_TABLE (u32: the whole table id; the u8 in the header only fits tables below 256).
import { ipv4Bytes, ipv6Bytes, readIpv4, readIpv6 } from '../codec/address-text.js';
import { AF_INET, AF_INET6 } from './address.js';
import { decodeAttributes, encodeAttributes, u32, type Attribute } from './message.js';

export const RTM_NEWROUTE = 24;
export const RTM_DELROUTE = 25;
export const RTM_GETROUTE = 26;

export const RTA_DST = 1;
export const RTA_OIF = 4;
export const RTA_PRIORITY = 6;
export const RTA_TABLE = 15;

/** rtm_table when the id does not fit the u8: the kernel reads RTA_TABLE instead. */
export const RT_TABLE_UNSPEC = 0;
/** What the kernel puts in rtm_table of a reply for a table id of 256 or more. */
export const RT_TABLE_COMPAT = 252;
export const RT_SCOPE_UNIVERSE = 0;
/** A route straight out of an interface, no gateway (what `ip route add … dev lo` gets). */
export const RT_SCOPE_LINK = 253;
export const RTN_UNICAST = 1;

export const RTMSG_BYTES = 12;

export interface HostRoute {
  readonly family: 4 | 6;
  /** The destination host (a /32 or /128). */
  readonly destination: string;
  readonly table: number;
  /** RTA_PRIORITY: lower wins; part of the route's key, so two metrics are two routes. */
  readonly metric: number;
  /** rtm_protocol: who installed the route (RTPROT_*; rt_protos(5)). */
  readonly protocol: number;
  /** RTA_OIF. */
  readonly interfaceIndex: number;
}

/** A route as the kernel reports it; only host routes' fields are read. */
export interface KernelRoute extends HostRoute {
  readonly prefixLength: number;
  readonly type: number;
  readonly scope: number;
}

function header(
  family: 4 | 6,
  prefixLength: number,
  table: number,
  protocol: number,
  scope: number,
  type: number,
): Buffer {
  const bytes = Buffer.alloc(RTMSG_BYTES);
  bytes[0] = family === 4 ? AF_INET : AF_INET6;
  bytes[1] = prefixLength;
  bytes[4] = table < 256 ? table : RT_TABLE_UNSPEC;
  bytes[5] = protocol;
  bytes[6] = scope;
  bytes[7] = type;
  return bytes;
}

/** The body of an RTM_NEWROUTE or RTM_DELROUTE for one host route. */
export function encodeRouteRequest(route: HostRoute): Buffer {
  const hostLength = route.family === 4 ? 32 : 128;
  const destination = Buffer.from(
    route.family === 4 ? ipv4Bytes(route.destination) : ipv6Bytes(route.destination),
  );
  // iproute2's order and choices (RTA_TABLE only when the u8 cannot hold the table), so a
  // capture of `ip route add` is byte for byte the same.
  const attributes: Attribute[] = [
    { type: RTA_DST, value: destination },
    ...(route.table < 256 ? [] : [{ type: RTA_TABLE, value: u32(route.table) }]),
    { type: RTA_PRIORITY, value: u32(route.metric) },
    { type: RTA_OIF, value: u32(route.interfaceIndex) },
  ];
  return Buffer.concat([
    header(
      route.family,
      hostLength,
      route.table,
      route.protocol,
      route.family === 4 ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE,
      RTN_UNICAST,
    ),
    encodeAttributes(attributes),
  ]);
}

/**
 * A dump request for one family; with NETLINK_GET_STRICT_CHK the kernel returns only routes
 * of this table and protocol (0: any), older kernels everything (filter the replies too).
 */
export function encodeRouteDump(family: 4 | 6, table: number, protocol: number): Buffer {
  return Buffer.concat([
    header(family, 0, table, protocol, 0, 0),
    table === 0 ? Buffer.alloc(0) : encodeAttributes([{ type: RTA_TABLE, value: u32(table) }]),
  ]);
}

export function decodeRoute(body: Buffer): KernelRoute | undefined {
  if (body.length < RTMSG_BYTES) return undefined;
  const familyCode = body[0];
  if (familyCode !== AF_INET && familyCode !== AF_INET6) return undefined;
  const family = familyCode === AF_INET ? 4 : 6;
  const attributes = decodeAttributes(body.subarray(RTMSG_BYTES));
  const raw = attributes.get(RTA_DST);
  const prefixLength = body[1] ?? 0;
  // A default route has no RTA_DST.
  const destination =
    raw === undefined
      ? family === 4
        ? '0.0.0.0'
        : '::'
      : raw.length === (family === 4 ? 4 : 16)
        ? family === 4
          ? readIpv4(raw, 0)
          : readIpv6(raw, 0)
        : undefined;
  if (destination === undefined) return undefined;
  return {
    family,
    destination,
    prefixLength,
    table: readU32(attributes.get(RTA_TABLE)) ?? body[4] ?? 0,
    metric: readU32(attributes.get(RTA_PRIORITY)) ?? 0,
    protocol: body[5] ?? 0,
    scope: body[6] ?? 0,
    type: body[7] ?? 0,
    interfaceIndex: readU32(attributes.get(RTA_OIF)) ?? 0,
  };
}

function readU32(bytes: Buffer | undefined): number | undefined {
  return bytes !== undefined && bytes.length >= 4 ? bytes.readUInt32LE(0) : undefined;
}
