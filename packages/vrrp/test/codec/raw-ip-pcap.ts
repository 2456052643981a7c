// A pcap (LINKTYPE_RAW: each record is an IP packet, no link header) of VRRP payloads with the
// IPv4 or IPv6 header a sender's kernel would put in front, for tshark to dissect.
import ipaddr from 'ipaddr.js';
import type { PacketContext } from '../../src/codec/types.js';

const PCAP_MAGIC = 0xa1b2c3d4;
const LINKTYPE_RAW = 101;
const SNAPLEN = 65535;
const VRRP_PROTOCOL = 112;

function bytesOf(address: string): number[] {
  return ipaddr.parse(address).toByteArray();
}

function ipv4Header(context: PacketContext, payloadBytes: number): Buffer {
  const header = Buffer.alloc(20);
  header[0] = 0x45;
  header.writeUInt16BE(20 + payloadBytes, 2);
  header[8] = context.ttl;
  header[9] = VRRP_PROTOCOL;
  header.set(bytesOf(context.sourceAddress), 12);
  header.set(bytesOf(context.destinationAddress), 16);
  // The header checksum is left 0: tshark does not validate IPv4 header checksums by default.
  return header;
}

function ipv6Header(context: PacketContext, payloadBytes: number): Buffer {
  const header = Buffer.alloc(40);
  header.writeUInt32BE(0x6000_0000, 0);
  header.writeUInt16BE(payloadBytes, 4);
  header[6] = VRRP_PROTOCOL;
  header[7] = context.ttl;
  header.set(bytesOf(context.sourceAddress), 8);
  header.set(bytesOf(context.destinationAddress), 24);
  return header;
}

export function rawIpPcap(packets: readonly { payload: Buffer; context: PacketContext }[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(PCAP_MAGIC, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(SNAPLEN, 16);
  global.writeUInt32LE(LINKTYPE_RAW, 20);
  const records = packets.map(({ payload, context }, i) => {
    const header =
      context.family === 4
        ? ipv4Header(context, payload.length)
        : ipv6Header(context, payload.length);
    const packet = Buffer.concat([header, payload]);
    const record = Buffer.alloc(16);
    record.writeUInt32LE(i, 0);
    record.writeUInt32LE(packet.length, 8);
    record.writeUInt32LE(packet.length, 12);
    return Buffer.concat([record, packet]);
  });
  return Buffer.concat([global, ...records]);
}
