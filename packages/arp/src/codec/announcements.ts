// The frames vipd sends, built as plain Frame values so tests can compare them field by field.
import type { MacAddress } from '../types.js';
import { ipv6Bytes, readIpv6, readMac } from './address-text.js';
import { BROADCAST_MAC, ZERO_MAC, type ArpPacket, type Frame } from './frame-types.js';
import { NDP_HOP_LIMIT } from './ndp.js';

export const ALL_NODES_IPV6 = 'ff02::1';
/** 33:33 + the low 32 bits of ff02::1 (RFC 2464 §7). */
export const ALL_NODES_MAC: MacAddress = '33:33:00:00:00:01';
const UNSPECIFIED_IPV4 = '0.0.0.0';
const UNSPECIFIED_IPV6 = '::';

/** ARP request "who has target? tell sender at MAC", broadcast, target MAC zero. */
export function arpRequest(mac: MacAddress, senderIp: string, targetIp: string): Frame {
  return {
    destination: BROADCAST_MAC,
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'request',
      senderMac: mac,
      senderIp,
      targetMac: ZERO_MAC,
      targetIp,
    },
  };
}

/**
 * Gratuitous ARP request: "who has VIP? tell VIP at MAC" (sender = target = VIP). It is byte
 * for byte the RFC 5227 §2.3 ARP Announcement, and what keepalived sends by default.
 */
export function gratuitousArpRequest(mac: MacAddress, vip: string): Frame {
  return arpRequest(mac, vip, vip);
}

/** RFC 5227 §2.3 ARP Announcement: identical to the gratuitous request. */
export const arpAnnouncement = gratuitousArpRequest;

/**
 * Gratuitous ARP reply, broadcast. The target MAC equals the sender MAC: Linux only treats a
 * reply as gratuitous (and lets it override the neighbour lock time) when THA == SHA.
 */
export function gratuitousArpReply(mac: MacAddress, vip: string): Frame {
  return {
    destination: BROADCAST_MAC,
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'reply',
      senderMac: mac,
      senderIp: vip,
      targetMac: mac,
      targetIp: vip,
    },
  };
}

/** RFC 5227 §2.1.1 ARP Probe: sender IP 0.0.0.0 so no cache anywhere learns from it. */
export function arpProbe(mac: MacAddress, candidate: string): Frame {
  return {
    destination: BROADCAST_MAC,
    source: mac,
    packet: {
      kind: 'arp',
      operation: 'request',
      senderMac: mac,
      senderIp: UNSPECIFIED_IPV4,
      targetMac: ZERO_MAC,
      targetIp: candidate,
    },
  };
}

export interface NeighborAdvertisementOptions {
  /** Set R when this node forwards IPv6 (keepalived derives it from the forwarding sysctl). */
  readonly router?: boolean;
  /** IPv6 source; defaults to the VIP itself, which is on the interface by the time we announce. */
  readonly source?: string;
}

/**
 * RFC 4861 §7.2.6 unsolicited Neighbor Advertisement to all nodes: Override set so caches
 * replace the old MAC, Solicited clear (it answers nothing), hop limit 255, target MAC option.
 */
export function unsolicitedNeighborAdvertisement(
  mac: MacAddress,
  vip: string,
  options: NeighborAdvertisementOptions = {},
): Frame {
  return {
    destination: ALL_NODES_MAC,
    source: mac,
    packet: {
      kind: 'neighbor-advertisement',
      ipv6: { source: options.source ?? vip, destination: ALL_NODES_IPV6, hopLimit: NDP_HOP_LIMIT },
      router: options.router ?? false,
      solicited: false,
      override: true,
      target: vip,
      targetMac: mac,
    },
  };
}

/**
 * RFC 4862 §5.4.2 duplicate address detection probe: a Neighbor Solicitation from :: to the
 * target's solicited-node group, without a source link-layer option. An owner answers with an
 * advertisement to all nodes — the IPv6 counterpart of an RFC 5227 probe.
 */
export function duplicateAddressProbe(mac: MacAddress, candidate: string): Frame {
  const group = solicitedNodeGroup(candidate);
  return {
    destination: ipv6MulticastMac(group),
    source: mac,
    packet: {
      kind: 'neighbor-solicitation',
      ipv6: { source: UNSPECIFIED_IPV6, destination: group, hopLimit: NDP_HOP_LIMIT },
      target: candidate,
    },
  };
}

/** ff02::1:ff00:0/104 plus the address's low 24 bits (RFC 4291 §2.7.1). */
export function solicitedNodeGroup(address: string): string {
  const bytes = ipv6Bytes(address);
  const group = Uint8Array.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, 0, 0, 0]);
  group.set(bytes.slice(13), 13);
  return readIpv6(group, 0);
}

/** 33:33 + the low 32 bits of the group (RFC 2464 §7). */
export function ipv6MulticastMac(group: string): MacAddress {
  const bytes = ipv6Bytes(group);
  return readMac(Uint8Array.from([0x33, 0x33, ...bytes.slice(12)]), 0);
}

export type ArpKind = 'probe' | 'announcement' | 'gratuitous-reply' | 'request' | 'reply';

/** What an ARP packet means under RFC 5227 and the gratuitous-ARP conventions. */
export function classifyArp(packet: ArpPacket): ArpKind {
  if (packet.senderIp === UNSPECIFIED_IPV4 && packet.operation === 'request') return 'probe';
  if (packet.senderIp === packet.targetIp) {
    return packet.operation === 'request' ? 'announcement' : 'gratuitous-reply';
  }
  return packet.operation;
}
