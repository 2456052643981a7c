// An in-memory LAN segment for VRRP: sockets that implement @vipd/vrrp's VrrpSocket contract
// and hand each payload to every other socket on the segment (or only to the unicast peers),
// with the header fields a raw socket would report (TTL 255). Delivery is deferred on the
// test's manual clock, as a real packet arrives after the sender's step. A node can be cut off
// silently (its packets go nowhere, it hears nothing), and the test can put any packet on the
// wire: this is the link, not a double of the code under test.

import type { Clock } from '@vipd/clock';
import {
  VRRP_MULTICAST_V4,
  VRRP_MULTICAST_V6,
  VRRP_TTL,
  type ReceivedPacket,
  type VrrpSocket,
  type VrrpSocketOptions,
} from '@vipd/vrrp';

export interface WirePacket {
  readonly sourceAddress: string;
  readonly destinationAddress: string;
  readonly payload: Buffer;
  readonly ttl: number;
}

export class MemoryLink {
  readonly #clock: Clock;
  readonly #sockets = new Set<MemorySocket>();
  readonly #cut = new Set<string>();
  /** Every packet sent on the segment, in order. */
  readonly sent: WirePacket[] = [];

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  /** An openSocket for one node: the address it sends from when options do not pin one. */
  opener(ownAddress: string): (options: VrrpSocketOptions) => Promise<VrrpSocket> {
    return (options) => {
      const socket = new MemorySocket(this, options, options.sourceAddress ?? ownAddress);
      this.#sockets.add(socket);
      return Promise.resolve(socket);
    };
  }

  /** The node at this address falls silent both ways (a dead host, a pulled cable). */
  cut(address: string): void {
    this.#cut.add(address);
  }

  heal(address: string): void {
    this.#cut.delete(address);
  }

  /** Puts a packet on the wire as if some host sent it. */
  inject(packet: WirePacket, family: 4 | 6 = 4): void {
    this.#deliver(packet, family, null);
  }

  closed(socket: MemorySocket): void {
    this.#sockets.delete(socket);
  }

  transmit(from: MemorySocket, packet: WirePacket): void {
    this.sent.push(packet);
    if (this.#cut.has(from.sourceAddress)) return;
    this.#deliver(packet, from.family, from);
  }

  #deliver(packet: WirePacket, family: 4 | 6, from: MemorySocket | null): void {
    this.#clock.defer(() => {
      for (const socket of this.#sockets) {
        if (socket === from || socket.family !== family) continue;
        if (this.#cut.has(socket.sourceAddress)) continue;
        socket.receive(packet);
      }
    });
  }
}

export class MemorySocket implements VrrpSocket {
  readonly family: 4 | 6;
  readonly interfaceName: string;
  readonly sourceAddress: string;
  readonly destinations: readonly string[];
  readonly #link: MemoryLink;
  readonly #options: VrrpSocketOptions;
  #open = true;

  constructor(link: MemoryLink, options: VrrpSocketOptions, sourceAddress: string) {
    this.#link = link;
    this.#options = options;
    this.family = options.family;
    this.interfaceName = options.interfaceName;
    this.sourceAddress = sourceAddress;
    const multicast = options.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;
    this.destinations = options.unicastPeers ?? [multicast];
  }

  send(buildPayload: (destinationAddress: string) => Buffer): Promise<void> {
    if (!this.#open) return Promise.reject(new Error('socket closed'));
    for (const destinationAddress of this.destinations) {
      this.#link.transmit(this, {
        sourceAddress: this.sourceAddress,
        destinationAddress,
        payload: buildPayload(destinationAddress),
        ttl: VRRP_TTL,
      });
    }
    return Promise.resolve();
  }

  receive(packet: WirePacket): void {
    if (!this.#open) return;
    const received: ReceivedPacket = {
      family: this.family,
      sourceAddress: packet.sourceAddress,
      destinationAddress: packet.destinationAddress,
      ttl: packet.ttl,
      payload: Buffer.from(packet.payload),
      interfaceName: this.interfaceName,
    };
    const peers = this.#options.unicastPeers;
    if (packet.sourceAddress === this.sourceAddress) {
      this.#options.onDrop?.('own-advert', received);
      return;
    }
    if (peers !== undefined && !peers.includes(packet.sourceAddress)) {
      this.#options.onDrop?.('unknown-source', received);
      return;
    }
    const multicast = this.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;
    if (packet.destinationAddress !== multicast && packet.destinationAddress !== this.sourceAddress)
      return;
    this.#options.onPacket(received);
  }

  close(): void {
    this.#open = false;
    this.#link.closed(this);
  }
}
