// The transport's contract: one socket per (interface, family) that sends VRRP payloads with
// TTL/hop limit 255 from a pinned source address and hands back every packet received, with
// the header fields the codec needs. It knows nothing of adverts' contents.
import type { IpFamily, PacketContext } from '../codec/types.js';

export interface ReceivedPacket extends PacketContext {
  /** The VRRP payload (no IP header), this packet's own copy. */
  readonly payload: Buffer;
  readonly interfaceName: string;
}

export interface VrrpSocketOptions {
  readonly family: IpFamily;
  readonly interfaceName: string;
  /**
   * Open the sockets inside this named network namespace (`ip netns add`), without moving
   * the process: labs and tests hold both ends of a link from one process. Default: the
   * process's own namespace.
   */
  readonly netns?: string;
  /**
   * The source address every advert carries (the RFC's primary address). Default: the
   * interface's first address of the family (IPv6: its link-local address).
   */
  readonly sourceAddress?: string;
  /** Send to these addresses instead of the multicast group, and accept only from them. */
  readonly unicastPeers?: readonly string[];
  readonly onPacket: (packet: ReceivedPacket) => void;
  /** A packet dropped before decoding: own advert, or a source not among unicastPeers. */
  readonly onDrop?: (reason: 'own-advert' | 'unknown-source', packet: ReceivedPacket) => void;
  /** A send or receive error; the socket stays open. */
  readonly onError: (error: Error) => void;
}

export interface VrrpSocket {
  readonly family: IpFamily;
  readonly interfaceName: string;
  /** The pinned source address. */
  readonly sourceAddress: string;
  /** Multicast group, or the unicast peers. */
  readonly destinations: readonly string[];
  /**
   * Sends one advert to every destination. The checksum covers the destination, so the
   * payload is built per destination.
   */
  send(buildPayload: (destinationAddress: string) => Buffer): Promise<void>;
  close(): void;
}
