// RFC 4861 neighbour discovery frames, byte for byte, including the ICMPv6 checksum
// (computed independently for these fixtures) and the §7.1 validity checks on decode.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  duplicateAddressProbe,
  ipv6MulticastMac,
  solicitedNodeGroup,
  unsolicitedNeighborAdvertisement,
} from '../src/codec/announcements.js';
import { decode, encode } from '../src/codec/frame.js';
import type { Frame } from '../src/codec/frame-types.js';
import { FrameDecodeError, type ArpErrorCode } from '../src/errors.js';
import { hex } from './helpers/hex.js';

const MAC = '52:54:00:12:34:56';
const VIP = 'fd00:213::100';

const unsolicitedNa = hex`
  33 33 00 00 00 01                               # destination: all-nodes multicast MAC
  52 54 00 12 34 56                               # source
  86 dd                                           # EtherType: IPv6
  60 00 00 00                                     # version 6, traffic class 0, flow label 0
  00 20                                           # payload length: 32
  3a                                              # next header: ICMPv6
  ff                                              # hop limit: 255
  fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00 # source: the VIP
  ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01 # destination: ff02::1
  88                                              # type: neighbour advertisement
  00                                              # code
  cf bb                                           # checksum
  20 00 00 00                                     # flags: Override; Router and Solicited clear
  fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00 # target: the VIP
  02                                              # option: target link-layer address
  01                                              # option length: 1 x 8 bytes
  52 54 00 12 34 56                               # the MAC
`;

const routerNa = hex`
  33 33 00 00 00 01 52 54 00 12 34 56 86 dd       # Ethernet
  60 00 00 00 00 20 3a ff                         # IPv6, 32 bytes of ICMPv6, hop limit 255
  fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00 # source
  ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01 # destination
  88 00                                           # neighbour advertisement, code 0
  4f bb                                           # checksum (differs only by the R bit)
  a0 00 00 00                                     # flags: Router + Override
  fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00 # target
  02 01 52 54 00 12 34 56                         # target link-layer address option
`;

const dadProbe = hex`
  33 33 ff 00 01 00                               # destination: 33:33 + solicited-node group
  52 54 00 12 34 56                               # source
  86 dd                                           # EtherType: IPv6
  60 00 00 00                                     # version 6
  00 18                                           # payload length: 24
  3a ff                                           # ICMPv6, hop limit 255
  00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 # source: unspecified (DAD)
  ff 02 00 00 00 00 00 00 00 00 00 01 ff 00 01 00 # destination: ff02::1:ff00:100
  87                                              # type: neighbour solicitation
  00                                              # code
  79 94                                           # checksum
  00 00 00 00                                     # reserved
  fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00 # target: the candidate; no options
`;

const cases: { name: string; frame: Frame; bytes: Buffer }[] = [
  {
    name: 'unsolicited neighbour advertisement',
    frame: unsolicitedNeighborAdvertisement(MAC, VIP),
    bytes: unsolicitedNa,
  },
  {
    name: 'unsolicited NA from a router',
    frame: unsolicitedNeighborAdvertisement(MAC, VIP, { router: true }),
    bytes: routerNa,
  },
  {
    name: 'duplicate address detection probe',
    frame: duplicateAddressProbe(MAC, VIP),
    bytes: dadProbe,
  },
];

describe('neighbour discovery codec', () => {
  for (const { name, frame, bytes } of cases) {
    it(`encodes ${name}`, () => {
      assert.deepEqual(encode(frame), bytes);
    });
    it(`decodes ${name}`, () => {
      assert.deepEqual(decode(bytes), frame);
    });
  }

  it('the unsolicited NA has Override set, Solicited clear, hop limit 255, to ff02::1', () => {
    const { packet, destination } = unsolicitedNeighborAdvertisement(MAC, VIP);
    assert.equal(destination, '33:33:00:00:00:01');
    assert.equal(packet.kind, 'neighbor-advertisement');
    assert.equal(packet.override, true);
    assert.equal(packet.solicited, false);
    assert.equal(packet.ipv6.hopLimit, 255);
    assert.equal(packet.ipv6.destination, 'ff02::1');
    assert.equal(packet.targetMac, MAC);
  });

  it('ignores Ethernet padding after the IPv6 payload', () => {
    const padded = Buffer.concat([dadProbe, Buffer.alloc(10)]);
    assert.deepEqual(decode(padded), decode(dadProbe));
  });

  it('skips unknown options and still finds the link-layer option', () => {
    const withNonce = hex`
      33 33 00 00 00 01 52 54 00 12 34 56 86 dd
      60 00 00 00 00 28 3a ff                          # payload 40: message + 2 options
      fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00
      ff 02 00 00 00 00 00 00 00 00 00 00 00 00 00 01
      88 00 00 00 20 00 00 00                          # NA, checksum patched below, Override
      fd 00 02 13 00 00 00 00 00 00 00 00 00 00 01 00
      0e 01 01 02 03 04 05 06                          # nonce option (RFC 3971), 8 bytes
      02 01 52 54 00 12 34 56                          # target link-layer address
    `;
    fixChecksum(withNonce);
    const frame = decode(withNonce);
    assert.ok(frame.packet.kind === 'neighbor-advertisement');
    assert.equal(frame.packet.targetMac, MAC);
  });

  it('derives solicited-node groups and their MACs (RFC 4291 §2.7.1, RFC 2464 §7)', () => {
    assert.equal(solicitedNodeGroup('fd00:213::abcd:1234'), 'ff02::1:ffcd:1234');
    assert.equal(ipv6MulticastMac('ff02::1:ffcd:1234'), '33:33:ff:cd:12:34');
  });
});

/** Recomputes the ICMPv6 checksum of a hand-written fixture (independent of the codec). */
function fixChecksum(frame: Buffer): void {
  const ipv6 = 14;
  const length = frame.readUInt16BE(ipv6 + 4);
  frame.writeUInt16BE(0, ipv6 + 40 + 2);
  let sum = 0;
  for (let i = ipv6 + 8; i < ipv6 + 40; i += 2) sum += frame.readUInt16BE(i);
  sum += length + 58;
  for (let i = 0; i < length; i += 2) sum += frame.readUInt16BE(ipv6 + 40 + i);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  frame.writeUInt16BE(~sum & 0xffff, ipv6 + 40 + 2);
}

function patched(base: Buffer, offset: number, values: number[], recomputeChecksum = true): Buffer {
  const copy = Buffer.from(base);
  copy.set(values, offset);
  if (recomputeChecksum) fixChecksum(copy);
  return copy;
}

const ICMP = 14 + 40;
const decodeErrors: { name: string; bytes: Buffer; code: ArpErrorCode }[] = [
  {
    name: 'IPv6 header cut short',
    bytes: unsolicitedNa.subarray(0, 14 + 39),
    code: 'IPV6_TRUNCATED',
  },
  {
    name: 'payload length beyond the frame',
    bytes: patched(unsolicitedNa, 18, [0x00, 0x40], false),
    code: 'IPV6_TRUNCATED',
  },
  {
    name: 'version 4 in an IPv6 frame',
    bytes: patched(unsolicitedNa, 14, [0x40], false),
    code: 'IPV6_BAD_VERSION',
  },
  {
    name: 'next header UDP',
    bytes: patched(unsolicitedNa, 20, [17], false),
    code: 'IPV6_NOT_ICMPV6',
  },
  {
    name: 'hop-by-hop extension header',
    bytes: patched(unsolicitedNa, 20, [0], false),
    code: 'IPV6_NOT_ICMPV6',
  },
  {
    name: 'ICMPv6 echo request',
    bytes: patched(unsolicitedNa, ICMP, [128]),
    code: 'ICMPV6_UNSUPPORTED_TYPE',
  },
  {
    name: 'router advertisement',
    bytes: patched(unsolicitedNa, ICMP, [134]),
    code: 'ICMPV6_UNSUPPORTED_TYPE',
  },
  {
    name: 'checksum off by one',
    bytes: patched(unsolicitedNa, ICMP + 3, [0xbc], false),
    code: 'ICMPV6_BAD_CHECKSUM',
  },
  {
    name: 'hop limit 64 (routed, so off-link)',
    bytes: patched(unsolicitedNa, 21, [64]),
    code: 'NDP_BAD_HOP_LIMIT',
  },
  { name: 'ICMPv6 code 1', bytes: patched(unsolicitedNa, ICMP + 1, [1]), code: 'NDP_BAD_CODE' },
  {
    name: 'multicast target',
    bytes: patched(unsolicitedNa, ICMP + 8, [0xff, 0x02]),
    code: 'NDP_MULTICAST_TARGET',
  },
  {
    name: 'Solicited set on an NA to ff02::1',
    bytes: patched(unsolicitedNa, ICMP + 4, [0x60]),
    code: 'NDP_SOLICITED_TO_MULTICAST',
  },
  {
    name: 'option length 0',
    bytes: patched(unsolicitedNa, ICMP + 25, [0]),
    code: 'NDP_BAD_OPTION',
  },
  {
    name: 'option running past the message',
    bytes: patched(unsolicitedNa, ICMP + 25, [2]),
    code: 'NDP_BAD_OPTION',
  },
];

describe('neighbour discovery decode errors', () => {
  it('the patched fixtures differ from the valid frame only where intended', () => {
    assert.deepEqual(patched(unsolicitedNa, 0, []), unsolicitedNa);
  });
  for (const { name, bytes, code } of decodeErrors) {
    it(`${name} -> ${code}`, () => {
      assert.throws(
        () => decode(bytes),
        (error: unknown) => error instanceof FrameDecodeError && error.code === code,
      );
    });
  }

  it('an ICMPv6 message shorter than 24 bytes -> NDP_TRUNCATED', () => {
    const short = Buffer.from(unsolicitedNa.subarray(0, ICMP + 20));
    short.writeUInt16BE(20, 18);
    fixChecksum(short);
    assert.throws(
      () => decode(short),
      (error: unknown) => error instanceof FrameDecodeError && error.code === 'NDP_TRUNCATED',
    );
  });
});
