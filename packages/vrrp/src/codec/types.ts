// The advert's vocabulary: what a sender puts on the wire and what a receiver learns from it.
// This file is the contract between the codec, the transport and the daemon: change with care.

export type IpFamily = 4 | 6;

/** VRRPv3 (RFC 5798) multicast destinations. */
export const VRRP_MULTICAST_V4 = '224.0.0.18';
export const VRRP_MULTICAST_V6 = 'ff02::12';
/** IP protocol number of VRRP. */
export const VRRP_PROTOCOL = 112;
/** RFC 5798 §5.1.1.3 / §5.1.2.3: sent and required TTL / hop limit. */
export const VRRP_TTL = 255;

/** What a sender puts in one advertisement. */
export interface AdvertFields {
  /** Virtual router id, 1-255. */
  readonly vrid: number;
  /** 0 (master resigning) to 255 (address owner). */
  readonly priority: number;
  /** Max Adver Int, 1-4095 centiseconds. */
  readonly maxAdvertIntervalCs: number;
  /** The virtual addresses, canonical text, all of the packet's family. */
  readonly addresses: readonly string[];
}

/** A decoded, validated VRRPv3 advertisement. */
export interface Advert extends AdvertFields {
  readonly version: 3;
}

/** Where a packet came from and went to: the fields of the IP header the checksum covers. */
export interface PacketAddressing {
  readonly family: IpFamily;
  /** IP source address (the sender's primary address). */
  readonly sourceAddress: string;
  /** IP destination: the multicast group, or this node's address for unicast peers. */
  readonly destinationAddress: string;
}

/** A received packet's addressing plus its TTL (IPv4) or hop limit (IPv6). */
export interface PacketContext extends PacketAddressing {
  readonly ttl: number;
}

/**
 * Why an advert was refused, one metric label each. The first group is the codec's
 * (RFC 5798 §7.1, packet alone); 'vrid' and 'address-list' need the instance; 'own-advert'
 * and 'unknown-source' are the transport's.
 */
export const ADVERT_REJECT_REASONS = [
  'truncated',
  'version',
  'vrrpv2',
  'type',
  'ttl',
  'checksum',
  'address-count',
  'interval',
  'family',
  'vrid',
  'address-list',
  'own-advert',
  'unknown-source',
] as const;
export type AdvertRejectReason = (typeof ADVERT_REJECT_REASONS)[number];

export type DecodeResult =
  | { readonly ok: true; readonly advert: Advert }
  | { readonly ok: false; readonly reason: AdvertRejectReason; readonly detail: string };
