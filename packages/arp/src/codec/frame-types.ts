// Plain types that mirror the wire, one field per wire field that can vary. Fields the codec
// fixes (ARP hardware type Ethernet, protocol type IPv4, address lengths, ICMPv6 code 0, the
// checksum, lengths) are not fields: encode writes them, decode checks them.
import type { MacAddress } from '../types.js';

export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
/** Ethernet II minimum frame without the FCS the NIC appends; shorter frames are padded. */
export const ETHERNET_MIN_FRAME_BYTES = 60;
export const ETHERNET_HEADER_BYTES = 14;
export const BROADCAST_MAC: MacAddress = 'ff:ff:ff:ff:ff:ff';
export const ZERO_MAC: MacAddress = '00:00:00:00:00:00';

export type ArpOperation = 'request' | 'reply';

/** RFC 826 ARP for Ethernet/IPv4. */
export interface ArpPacket {
  readonly kind: 'arp';
  readonly operation: ArpOperation;
  /** SHA: the MAC the sender wants others to map senderIp to. */
  readonly senderMac: MacAddress;
  /** SPA; 0.0.0.0 in an RFC 5227 probe. */
  readonly senderIp: string;
  /** THA: zero in requests (RFC 5227), equal to senderMac in a gratuitous reply. */
  readonly targetMac: MacAddress;
  /** TPA; equal to senderIp in a gratuitous ARP. */
  readonly targetIp: string;
}

/** The IPv6 header fields neighbour discovery cares about (traffic class and flow label are 0). */
export interface Ipv6Header {
  readonly source: string;
  readonly destination: string;
  /** Must be 255 for neighbour discovery (RFC 4861 §7.1). */
  readonly hopLimit: number;
}

/** RFC 4861 §4.4 Neighbor Advertisement. */
export interface NeighborAdvertisement {
  readonly kind: 'neighbor-advertisement';
  readonly ipv6: Ipv6Header;
  /** R: the sender is a router. */
  readonly router: boolean;
  /** S: answers a solicitation; clear in unsolicited advertisements. */
  readonly solicited: boolean;
  /** O: replace the cached link-layer address. */
  readonly override: boolean;
  readonly target: string;
  /** Target Link-Layer Address option (type 2), when present. */
  readonly targetMac?: MacAddress;
}

/** RFC 4861 §4.3 Neighbor Solicitation (sent from :: for duplicate address detection). */
export interface NeighborSolicitation {
  readonly kind: 'neighbor-solicitation';
  readonly ipv6: Ipv6Header;
  readonly target: string;
  /** Source Link-Layer Address option (type 1), when present; absent from DAD probes. */
  readonly sourceMac?: MacAddress;
}

export type Packet = ArpPacket | NeighborAdvertisement | NeighborSolicitation;

/** One Ethernet II frame; the EtherType follows from the packet kind. */
export interface Frame {
  readonly destination: MacAddress;
  readonly source: MacAddress;
  readonly packet: Packet;
}
