// RFC 826 / RFC 5227 ARP frames, byte for byte.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  arpAnnouncement,
  arpProbe,
  classifyArp,
  gratuitousArpReply,
  gratuitousArpRequest,
} from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import type { ArpPacket, Frame } from '../src/codec/frame-types.js';
import { ArpError, FrameDecodeError, type ArpErrorCode } from '../src/errors.js';
import { hex, zeros } from './helpers/hex.js';

const MAC = '52:54:00:12:34:56';
const VIP = '10.213.0.100';

interface Case {
  readonly name: string;
  readonly frame: Frame;
  readonly bytes: Buffer;
}

const cases: Case[] = [
  {
    name: 'gratuitous ARP request (RFC 5227 announcement)',
    frame: gratuitousArpRequest(MAC, VIP),
    bytes: hex`
      ff ff ff ff ff ff   # destination: broadcast
      52 54 00 12 34 56   # source
      08 06               # EtherType: ARP
      00 01               # hardware type: Ethernet
      08 00               # protocol type: IPv4
      06                  # hardware address length
      04                  # protocol address length
      00 01               # operation: request
      52 54 00 12 34 56   # sender MAC
      0a d5 00 64         # sender IP: the VIP
      00 00 00 00 00 00   # target MAC: zero
      0a d5 00 64         # target IP: the VIP again
      ${zeros(18)}        # padding to 60 bytes
    `,
  },
  {
    name: 'gratuitous ARP reply (target MAC = sender MAC)',
    frame: gratuitousArpReply(MAC, VIP),
    bytes: hex`
      ff ff ff ff ff ff   # destination: broadcast
      52 54 00 12 34 56   # source
      08 06               # EtherType: ARP
      00 01               # hardware type: Ethernet
      08 00               # protocol type: IPv4
      06                  # hardware address length
      04                  # protocol address length
      00 02               # operation: reply
      52 54 00 12 34 56   # sender MAC
      0a d5 00 64         # sender IP: the VIP
      52 54 00 12 34 56   # target MAC: the sender's, so Linux treats it as gratuitous
      0a d5 00 64         # target IP: the VIP
      ${zeros(18)}        # padding
    `,
  },
  {
    name: 'RFC 5227 probe (sender IP 0.0.0.0)',
    frame: arpProbe(MAC, VIP),
    bytes: hex`
      ff ff ff ff ff ff   # destination: broadcast
      52 54 00 12 34 56   # source
      08 06               # EtherType: ARP
      00 01               # hardware type: Ethernet
      08 00               # protocol type: IPv4
      06                  # hardware address length
      04                  # protocol address length
      00 01               # operation: request
      52 54 00 12 34 56   # sender MAC
      00 00 00 00         # sender IP: unspecified, so no cache learns from it
      00 00 00 00 00 00   # target MAC: zero
      0a d5 00 64         # target IP: the candidate
      ${zeros(18)}        # padding
    `,
  },
  {
    name: 'ordinary ARP reply to a host',
    frame: {
      destination: '02:00:00:00:00:02',
      source: MAC,
      packet: {
        kind: 'arp',
        operation: 'reply',
        senderMac: MAC,
        senderIp: VIP,
        targetMac: '02:00:00:00:00:02',
        targetIp: '10.213.0.2',
      },
    },
    bytes: hex`
      02 00 00 00 00 02   # destination: the asker
      52 54 00 12 34 56   # source
      08 06               # EtherType: ARP
      00 01 08 00 06 04   # Ethernet / IPv4 / 6 / 4
      00 02               # operation: reply
      52 54 00 12 34 56   # sender MAC
      0a d5 00 64         # sender IP
      02 00 00 00 00 02   # target MAC
      0a d5 00 02         # target IP
      ${zeros(18)}        # padding
    `,
  },
];

describe('ARP codec', () => {
  for (const { name, frame, bytes } of cases) {
    it(`encodes ${name}`, () => {
      assert.equal(bytes.length, 60);
      assert.deepEqual(encode(frame), bytes);
    });
    it(`decodes ${name}`, () => {
      assert.deepEqual(decode(bytes), frame);
    });
  }

  it('decodes a frame without padding (as a packet socket may hand it over)', () => {
    const padded = encode(gratuitousArpRequest(MAC, VIP));
    assert.deepEqual(decode(padded.subarray(0, 42)), gratuitousArpRequest(MAC, VIP));
  });

  it('accepts upper-case MACs and writes them canonically', () => {
    assert.deepEqual(
      encode(gratuitousArpRequest('52:54:00:12:34:56'.toUpperCase(), VIP)),
      cases[0]?.bytes,
    );
  });

  it('the RFC 5227 announcement is the gratuitous request', () => {
    assert.deepEqual(encode(arpAnnouncement(MAC, VIP)), encode(gratuitousArpRequest(MAC, VIP)));
  });

  const classify: [string, ArpPacket, ReturnType<typeof classifyArp>][] = [
    ['probe', arpPacket(arpProbe(MAC, VIP)), 'probe'],
    ['announcement', arpPacket(gratuitousArpRequest(MAC, VIP)), 'announcement'],
    ['gratuitous reply', arpPacket(gratuitousArpReply(MAC, VIP)), 'gratuitous-reply'],
    ['reply', arpPacket(cases[3]!.frame), 'reply'],
    [
      'request',
      { ...arpPacket(gratuitousArpRequest(MAC, VIP)), targetIp: '10.213.0.1' },
      'request',
    ],
  ];
  for (const [name, packet, kind] of classify) {
    it(`classifies a ${name}`, () => {
      assert.equal(classifyArp(packet), kind);
    });
  }
});

function arpPacket(frame: Frame): ArpPacket {
  assert.equal(frame.packet.kind, 'arp');
  return frame.packet;
}

const valid = cases[0]!.bytes;
function patched(offset: number, ...values: number[]): Buffer {
  const copy = Buffer.from(valid);
  copy.set(values, offset);
  return copy;
}

const decodeErrors: { name: string; bytes: Buffer; code: ArpErrorCode }[] = [
  { name: 'empty', bytes: Buffer.alloc(0), code: 'FRAME_TOO_SHORT' },
  { name: '13 bytes', bytes: valid.subarray(0, 13), code: 'FRAME_TOO_SHORT' },
  { name: 'IPv4 EtherType', bytes: patched(12, 0x08, 0x00), code: 'FRAME_UNSUPPORTED_ETHERTYPE' },
  { name: '802.1Q tag', bytes: patched(12, 0x81, 0x00), code: 'FRAME_UNSUPPORTED_ETHERTYPE' },
  { name: 'ARP cut at 27 bytes', bytes: valid.subarray(0, 14 + 27), code: 'ARP_TRUNCATED' },
  {
    name: 'hardware type 6 (IEEE 802)',
    bytes: patched(14, 0x00, 0x06),
    code: 'ARP_UNSUPPORTED_HARDWARE',
  },
  { name: 'hardware length 8', bytes: patched(18, 8), code: 'ARP_UNSUPPORTED_HARDWARE' },
  { name: 'protocol IPv6', bytes: patched(16, 0x86, 0xdd), code: 'ARP_UNSUPPORTED_PROTOCOL' },
  { name: 'protocol length 16', bytes: patched(19, 16), code: 'ARP_UNSUPPORTED_PROTOCOL' },
  { name: 'operation 0', bytes: patched(20, 0, 0), code: 'ARP_UNKNOWN_OPERATION' },
  { name: 'operation 3 (RARP request)', bytes: patched(20, 0, 3), code: 'ARP_UNKNOWN_OPERATION' },
];

describe('ARP decode errors', () => {
  for (const { name, bytes, code } of decodeErrors) {
    it(`${name} -> ${code}`, () => {
      assert.throws(
        () => decode(bytes),
        (error: unknown) => error instanceof FrameDecodeError && error.code === code,
      );
    });
  }
});

describe('ARP encode input errors', () => {
  const inputs: [string, () => unknown, ArpErrorCode][] = [
    [
      'MAC with dashes',
      () => encode(gratuitousArpRequest('52-54-00-12-34-56', VIP)),
      'INVALID_MAC',
    ],
    ['short MAC', () => encode(gratuitousArpRequest('52:54:00:12:34', VIP)), 'INVALID_MAC'],
    ['IPv4 with 5 octets', () => encode(gratuitousArpRequest(MAC, '10.0.0.0.1')), 'INVALID_IPV4'],
    ['IPv4 octet 256', () => encode(gratuitousArpRequest(MAC, '10.0.0.256')), 'INVALID_IPV4'],
    ['IPv6 in an ARP packet', () => encode(gratuitousArpRequest(MAC, 'fd00::1')), 'INVALID_IPV4'],
  ];
  for (const [name, run, code] of inputs) {
    it(`${name} -> ${code}`, () => {
      assert.throws(run, (error: unknown) => error instanceof ArpError && error.code === code);
    });
  }
});
