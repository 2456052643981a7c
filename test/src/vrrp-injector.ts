// A third router on the lab LAN that sends whatever VRRP packets a test builds, with the TTL
// it chooses. vipd's own transport always writes TTL 255 (it builds its IP header), so the
// injector is a plain raw socket that lets the kernel build the header: IP_MULTICAST_TTL is
// then the TTL on the wire, 1 as easily as 255.
import { inNetns } from '@vipd/arp';
import { encodeAdvert, VRRP_MULTICAST_V4, type AdvertFields } from '@vipd/vrrp';
import {
  IPPROTO_IP,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  RawIpSocket,
} from '@vipd/vrrp/socket';
import type { LabHost } from './lab.js';

/** VRRPv2 (RFC 3768 §5.3) header: version 2, type 1, then vrid, priority, count, auth, interval. */
const V2_VERSION_TYPE = 0x21;
const V2_AUTH_DATA_BYTES = 8;
const V2_CHECKSUM_OFFSET = 6;

function ipv4Bytes(address: string): Buffer {
  return Buffer.from(address.split('.').map(Number));
}

/** RFC 1071 one's-complement sum, folded. */
function internetChecksum(bytes: Buffer): number {
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) sum += (bytes[i]! << 8) | (bytes[i + 1] ?? 0);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}

/**
 * An RFC 3768 advert, no authentication, `intervalS` seconds: what a keepalived left at
 * `vrrp_version 2` sends. The v2 checksum covers the message alone.
 */
export function encodeVrrpv2(fields: AdvertFields, intervalS: number): Buffer {
  const addresses = fields.addresses.map(ipv4Bytes);
  const header = Buffer.from([
    V2_VERSION_TYPE,
    fields.vrid,
    fields.priority,
    addresses.length,
    0,
    intervalS,
    0,
    0,
  ]);
  const message = Buffer.concat([header, ...addresses, Buffer.alloc(V2_AUTH_DATA_BYTES)]);
  message.writeUInt16BE(internetChecksum(message), V2_CHECKSUM_OFFSET);
  return message;
}

/** IPv4 multicast VRRP from one lab host, any payload, any TTL. */
export class VrrpInjector {
  /** What the socket reported: a send that fails names them, so a lost socket is explained. */
  readonly errors: Error[] = [];
  private readonly socket: RawIpSocket;

  private constructor(readonly source: LabHost) {
    this.socket = inNetns(
      source.netns,
      () =>
        new RawIpSocket({
          family: 4,
          interfaceName: source.interface,
          // raw-socket reads whatever arrives (the routers' adverts); nothing here wants them.
          onMessage: () => undefined,
          onError: (error) => {
            this.errors.push(error);
          },
        }),
    );
    this.socket.setOption('IP_MULTICAST_IF', IPPROTO_IP, IP_MULTICAST_IF, ipv4Bytes(source.ipv4));
    this.socket.setOption('IP_MULTICAST_LOOP', IPPROTO_IP, IP_MULTICAST_LOOP, 0);
  }

  static open(host: LabHost): VrrpInjector {
    return new VrrpInjector(host);
  }

  /** A VRRPv3 advert from this host to 224.0.0.18, checksummed for that pseudo-header. */
  advert(fields: AdvertFields): Buffer {
    return encodeAdvert(fields, {
      family: 4,
      sourceAddress: this.source.ipv4,
      destinationAddress: VRRP_MULTICAST_V4,
    });
  }

  async send(payload: Buffer, ttl = 255): Promise<void> {
    this.socket.setOption('IP_MULTICAST_TTL', IPPROTO_IP, IP_MULTICAST_TTL, ttl);
    try {
      await this.socket.send(payload, VRRP_MULTICAST_V4);
    } catch (error) {
      const seen = this.errors.map((e) => e.message).join('; ');
      throw new Error(
        `injecting from ${this.source.name} failed: ${String(error)}` +
          (seen === '' ? '' : ` (the socket reported: ${seen})`),
        { cause: error },
      );
    }
  }

  close(): void {
    this.socket.close();
  }
}
