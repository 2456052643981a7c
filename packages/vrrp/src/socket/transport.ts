// The open VRRP socket: sends one advert per destination with our own IP header (pinned
// source, TTL/hop limit 255) and owns whatever receives for it.
import type { IpFamily } from '../codec/types.js';
import { addressBytes } from './address-text.js';
import { VrrpError } from '../errors.js';
import { ipPacket } from './ip-header.js';
import type { RawIpSocket } from './raw-ip-socket.js';
import type { VrrpSocket } from './types.js';

export interface TransportParts {
  readonly family: IpFamily;
  readonly interfaceName: string;
  readonly sourceAddress: string;
  readonly destinations: readonly string[];
  readonly sender: RawIpSocket;
  /** Receive sockets beside the sender (IPv6: the packet socket); closed with it. */
  readonly others: readonly { close(): void }[];
  readonly report: (error: Error) => void;
}

export class VrrpTransport implements VrrpSocket {
  readonly family: IpFamily;
  readonly interfaceName: string;
  readonly sourceAddress: string;
  readonly destinations: readonly string[];
  private readonly sourceBytes: Buffer;
  private readonly destinationBytes: ReadonlyMap<string, Buffer>;

  constructor(private readonly parts: TransportParts) {
    this.family = parts.family;
    this.interfaceName = parts.interfaceName;
    this.sourceAddress = parts.sourceAddress;
    this.destinations = parts.destinations;
    this.sourceBytes = addressBytes(parts.sourceAddress);
    this.destinationBytes = new Map(parts.destinations.map((to) => [to, addressBytes(to)]));
  }

  /**
   * Resolves once every destination was tried. A destination the kernel refuses goes to
   * onError (VRRP_SEND) and does not stop the others; rejects only after close() or when
   * `buildPayload` throws (the caller's own error).
   */
  async send(buildPayload: (destinationAddress: string) => Buffer): Promise<void> {
    const packets = this.destinations.map((to) => {
      const destination = this.destinationBytes.get(to) ?? addressBytes(to);
      return { to, packet: ipPacket(this.family, this.sourceBytes, destination, buildPayload(to)) };
    });
    await Promise.all(
      packets.map(({ to, packet }) =>
        this.parts.sender.send(packet, to).catch((error: unknown) => {
          if (error instanceof VrrpError && error.code === 'VRRP_SOCKET_CLOSED') throw error;
          this.parts.report(error instanceof Error ? error : new Error(String(error)));
        }),
      ),
    );
  }

  close(): void {
    this.parts.sender.close();
    for (const other of this.parts.others) other.close();
  }
}
