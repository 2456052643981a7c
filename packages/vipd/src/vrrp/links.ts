// The VRRP sockets: one per interface and address family, shared by the groups on it and
// demultiplexed by VRID. A packet goes decode → the group its VRID names → matchInstance →
// that group; every refusal on the way is counted and logged with its reason.

import type { Advert, IpFamily, ReceivedPacket, VrrpSocket } from '@vipd/vrrp';
import type { Logger } from 'pino';
import type { VrrpSpec } from '../config/types.js';
import type { VrrpParts } from './parts.js';
import type { RejectionLog } from './rejections.js';

/** A group listening on a link: what matchInstance needs and where accepted adverts go. */
export interface LinkMember {
  readonly group: string;
  readonly vrid: number;
  /** The group's VIPs now (a reload may change them). */
  readonly addresses: () => readonly string[];
  readonly onAdvert: (advert: Advert, sourceAddress: string) => void;
}

/** Where a group's socket is: its interface, and the spec's family and transport settings. */
export interface LinkPlace {
  readonly interfaceName: string;
  readonly vrrp: VrrpSpec;
}

export function linkKey(interfaceName: string, family: IpFamily): string {
  return `${interfaceName}|IPv${family}`;
}

export class VrrpLinks {
  readonly #parts: VrrpParts;
  readonly #rejections: RejectionLog;
  readonly #log: Logger;
  readonly #sockets = new Map<string, VrrpSocket>();
  /** Members by link key, then VRID. */
  readonly #members = new Map<string, Map<number, LinkMember>>();

  constructor(options: { parts: VrrpParts; rejections: RejectionLog; log: Logger }) {
    this.#parts = options.parts;
    this.#rejections = options.rejections;
    this.#log = options.log;
  }

  /**
   * The socket of a group's link, opened on first use. The config rules make every group on
   * one link agree on source address and unicast peers, so the first one's settings hold.
   */
  async open(place: LinkPlace): Promise<VrrpSocket> {
    const { interfaceName, vrrp } = place;
    const key = linkKey(interfaceName, vrrp.family);
    const open = this.#sockets.get(key);
    if (open !== undefined) return open;
    const socket = await this.#parts.openSocket({
      family: vrrp.family,
      interfaceName,
      ...(vrrp.sourceAddress === undefined ? {} : { sourceAddress: vrrp.sourceAddress }),
      ...(vrrp.unicastPeers.length === 0 ? {} : { unicastPeers: vrrp.unicastPeers }),
      onPacket: (packet) => {
        this.#received(key, packet);
      },
      onDrop: (reason, packet) => {
        this.#rejections.reject({
          interfaceName,
          reason,
          detail:
            reason === 'own-advert'
              ? 'our own advert came back'
              : `not one of the unicast peers (${vrrp.unicastPeers.join(', ')})`,
          sourceAddress: packet.sourceAddress,
        });
      },
      onError: (error) => {
        this.#log.warn(
          { interface: interfaceName, family: vrrp.family, err: error },
          `VRRP socket on ${interfaceName} (IPv${vrrp.family}): ${error.message}`,
        );
      },
    });
    this.#sockets.set(key, socket);
    return socket;
  }

  join(place: LinkPlace, member: LinkMember): void {
    const key = linkKey(place.interfaceName, place.vrrp.family);
    let byVrid = this.#members.get(key);
    if (byVrid === undefined) {
      byVrid = new Map();
      this.#members.set(key, byVrid);
    }
    byVrid.set(member.vrid, member);
  }

  close(): void {
    for (const socket of this.#sockets.values()) socket.close();
    this.#sockets.clear();
    this.#members.clear();
  }

  #received(key: string, packet: ReceivedPacket): void {
    const reject = (reason: Parameters<RejectionLog['reject']>[0]) => {
      this.#rejections.reject(reason);
    };
    const where = { interfaceName: packet.interfaceName, sourceAddress: packet.sourceAddress };
    const decoded = this.#parts.decodeAdvert(packet.payload, packet);
    if (!decoded.ok) {
      reject({ ...where, reason: decoded.reason, detail: decoded.detail });
      return;
    }
    const { advert } = decoded;
    const member = this.#members.get(key)?.get(advert.vrid);
    if (member === undefined) {
      reject({
        ...where,
        reason: 'vrid',
        detail: `no VRRP group with vrid ${advert.vrid} on ${packet.interfaceName} (IPv${packet.family})`,
      });
      return;
    }
    const matched = this.#parts.matchInstance(advert, {
      vrid: member.vrid,
      addresses: member.addresses(),
    });
    if (!matched.ok) {
      reject({ ...where, group: member.group, reason: matched.reason, detail: matched.detail });
      return;
    }
    member.onAdvert(matched.advert, packet.sourceAddress);
  }
}
