// Which address a received frame claims, and for which MAC. The conflict watch and the
// pre-claim probe both reduce every ARP / NS / NA frame to this one question.
import { classifyArp } from './codec/announcements.js';
import type { ArpPacket, Frame } from './codec/frame-types.js';
import type { ConflictEvent, MacAddress } from './types.js';

export type ClaimKind = ConflictEvent['kind'] | 'arp-probe' | 'duplicate-address-probe';

export interface AddressClaim {
  readonly address: string;
  readonly mac: MacAddress;
  readonly kind: ClaimKind;
}

/**
 * RFC 5227 §2.1.1 / §2.4 and RFC 4862 §5.4.3: an ARP packet claims its sender address (a
 * probe, whose sender is 0.0.0.0, announces interest in its target); an NA claims its
 * target; an NS claims its source, or, sent from :: for DAD, announces interest in its target.
 */
export function claimIn(frame: Frame): AddressClaim {
  const { packet } = frame;
  switch (packet.kind) {
    case 'arp':
      return arpClaim(packet);
    case 'neighbor-advertisement':
      return {
        address: packet.target,
        mac: packet.targetMac ?? frame.source,
        kind: 'neighbor-advertisement',
      };
    case 'neighbor-solicitation':
      if (packet.ipv6.source === '::') {
        return { address: packet.target, mac: frame.source, kind: 'duplicate-address-probe' };
      }
      return {
        address: packet.ipv6.source,
        mac: packet.sourceMac ?? frame.source,
        kind: 'neighbor-solicitation',
      };
  }
}

function arpClaim(packet: ArpPacket): AddressClaim {
  switch (classifyArp(packet)) {
    case 'probe':
      return { address: packet.targetIp, mac: packet.senderMac, kind: 'arp-probe' };
    case 'announcement':
    case 'gratuitous-reply':
      return { address: packet.senderIp, mac: packet.senderMac, kind: 'gratuitous-arp' };
    case 'reply':
      return { address: packet.senderIp, mac: packet.senderMac, kind: 'arp-reply' };
    case 'request':
      return { address: packet.senderIp, mac: packet.senderMac, kind: 'arp-request' };
  }
}
