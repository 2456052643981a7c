// When this node's own link comes back after a carrier loss, ask at once for the MAC of every
// peer on that LAN.
//
// Why: carrier loss flushes the kernel's neighbour entries of the interface, and an entry
// that went INCOMPLETE while the link was down is retried only every retrans_time (1 s, and
// FAILED after 3 tries). Until it resolves, every heartbeat to the peer and every ACK of the
// peer's heartbeats waits in the neighbour queue: the peer's TCP stops sending (nothing is
// acknowledged), this node hears it only through stale retransmissions, and after its
// listening window it reclaims a group the peer holds. keepalived's VRRP adverts are
// multicast and need no resolution; vipd's unicast heartbeats do. An ARP request of our own
// gets an answer that the kernel applies to its pending entry, so the queue drains at once.
// (IPv4 peers only: an IPv6 peer's entry is refreshed by the kernel's own solicitation.)
//
// Then the heartbeat connections to those peers are replaced (HeartbeatMesh.reconnect): the
// peer's TCP retransmission timer backed off while our link was down, so its next heartbeat
// on the old connection can come later than this node's listening window after FAULT, which
// would then reclaim a group the peer holds. A fresh connection carries it within one round
// trip. That goes for IPv4 and IPv6 peers inside the interface's prefixes alike; routed
// peers and names are left to the mesh's own cut of a long-silent connection.

import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { BlockList, isIP } from 'node:net';
import { arpRequest, encode, type FrameSender, type MacAddress } from '@vipd/arp';
import type { HostPort } from '@vipd/heartbeat';
import type { ConfiguredPeer } from '../config/types.js';

type Family = 'ipv4' | 'ipv6';

/** A peer endpoint's host when it is an IP literal (not a name), with its family. */
function peerIp({ host }: HostPort): { host: string; family: Family } | null {
  const version = isIP(host);
  return version === 0 ? null : { host, family: version === 4 ? 'ipv4' : 'ipv6' };
}

/** A peer endpoint's host when it is an IPv4 literal; null otherwise. */
export function peerIpv4(endpoint: HostPort): string | null {
  const ip = peerIp(endpoint);
  return ip?.family === 'ipv4' ? ip.host : null;
}

/**
 * Our address on the link a host is on: the address of the interface prefix (`cidrs` as
 * `os.networkInterfaces()` gives them, "10.0.0.1/24", "fd00::1/64") that contains it.
 * Undefined for a routed host, and for one of our own addresses.
 */
function ownAddressOnLink(
  cidrs: readonly string[],
  host: string,
  family: Family,
): string | undefined {
  for (const cidr of cidrs) {
    const [address = '', prefix = ''] = cidr.split('/');
    if (address === host) return undefined;
    const prefixFamily: Family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefixFamily !== family) continue;
    const subnet = new BlockList();
    subnet.addSubnet(address, Number(prefix), family);
    if (subnet.check(host, family)) return address;
  }
  return undefined;
}

/**
 * One ARP request (who-has peer, tell us) per IPv4 peer inside a prefix of the interface,
 * from our address in that prefix. A peer reached through a router gets none: the router's
 * entry is what matters there, and the kernel resolves it on the first packet.
 */
export function peerArpRequests(
  mac: MacAddress,
  cidrs: readonly string[],
  peers: readonly ConfiguredPeer[],
): Buffer[] {
  return peers.flatMap((peer) => {
    const target = peerIpv4(peer.endpoint);
    const own = target === null ? undefined : ownAddressOnLink(cidrs, target, 'ipv4');
    return own === undefined || target === null ? [] : [encode(arpRequest(mac, own, target))];
  });
}

/** The ids of the peers, IPv4 or IPv6, inside a prefix of the interface. */
export function peersOnLink(cidrs: readonly string[], peers: readonly ConfiguredPeer[]): string[] {
  return peers
    .filter((peer) => {
      const ip = peerIp(peer.endpoint);
      return ip !== null && ownAddressOnLink(cidrs, ip.host, ip.family) !== undefined;
    })
    .map((peer) => peer.id);
}

/** The interface's addresses with their prefixes, both families ("fd00::1/64"). */
export function interfaceCidrs(
  iface: string,
  read: () => NodeJS.Dict<NetworkInterfaceInfo[]> = networkInterfaces,
): string[] {
  return (read()[iface] ?? [])
    .filter((info) => !info.internal && info.cidr !== null)
    .map((info) => info.cidr ?? '');
}

export interface PeerNeighborRefreshOptions {
  readonly peers: () => readonly ConfiguredPeer[];
  readonly openSender: (iface: string) => FrameSender;
  /** The interface's prefixes, both families (default: os.networkInterfaces()). */
  readonly ownCidrs?: (iface: string) => readonly string[];
  /** What was sent (frames) or why nothing could be. */
  readonly onRefresh: (iface: string, result: { sent: number } | { error: unknown }) => void;
  /**
   * Replace the heartbeat connection to each on-link peer (HeartbeatMesh.reconnect), after
   * the requests went out so the new connection's first packets find the peer's MAC.
   */
  readonly reconnect?: (iface: string, peers: readonly string[]) => void;
}

/**
 * Sends the requests, then has the peers' connections replaced, when an interface tracker
 * reports its link back (fault → healthy).
 */
export class PeerNeighborRefresh {
  readonly #options: PeerNeighborRefreshOptions;
  /** Interface tracker id → whether its last report was a fault. */
  readonly #faulty = new Map<string, boolean>();

  constructor(options: PeerNeighborRefreshOptions) {
    this.#options = options;
  }

  /** Feed every tracker report; `interface:NAME` trackers going healthy trigger a refresh. */
  onTrackerReport(report: { readonly trackerId: string; readonly fault: boolean }): void {
    const iface = interfaceOf(report.trackerId);
    if (iface === null) return;
    const wasFaulty = this.#faulty.get(report.trackerId) ?? false;
    this.#faulty.set(report.trackerId, report.fault);
    if (!wasFaulty || report.fault) return;
    this.refresh(iface);
    this.reconnect(iface);
  }

  reconnect(iface: string): void {
    const { reconnect, peers } = this.#options;
    if (reconnect === undefined) return;
    const ownCidrs = this.#options.ownCidrs ?? interfaceCidrs;
    const onLink = peersOnLink(ownCidrs(iface), peers());
    if (onLink.length > 0) reconnect(iface, onLink);
  }

  refresh(iface: string): void {
    const { openSender, peers, onRefresh } = this.#options;
    const ownCidrs = this.#options.ownCidrs ?? interfaceCidrs;
    let sender: FrameSender | null = null;
    try {
      sender = openSender(iface);
      const frames = peerArpRequests(sender.macAddress(), ownCidrs(iface), peers());
      let sent = 0;
      for (const frame of frames) if (sender.send(frame)) sent++;
      onRefresh(iface, { sent });
    } catch (error) {
      onRefresh(iface, { error });
    } finally {
      sender?.close();
    }
  }
}

const INTERFACE_TRACKER_PREFIX = 'interface:';

function interfaceOf(trackerId: string): string | null {
  return trackerId.startsWith(INTERFACE_TRACKER_PREFIX)
    ? trackerId.slice(INTERFACE_TRACKER_PREFIX.length)
    : null;
}
