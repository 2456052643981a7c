// Property tests: every valid frame survives encode -> decode unchanged, and no byte string
// makes decode throw anything but a FrameDecodeError (the conflict watch feeds it whatever
// arrives on the wire). Runs are bounded so the suite stays fast.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { readIpv4, readIpv6, readMac } from '../src/codec/address-text.js';
import { decode, encode } from '../src/codec/frame.js';
import type { Frame } from '../src/codec/frame-types.js';
import { FrameDecodeError } from '../src/errors.js';
import { hex } from './helpers/hex.js';

const RUNS = 1500;
/** Records with Object.prototype, as the decoder builds them (deepEqual compares prototypes). */
const PLAIN = { noNullPrototype: true } as const;

const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map((b) => readMac(b, 0));
const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map((b) => readIpv4(b, 0));
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => readIpv6(b, 0));
const unicastIpv6 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .filter((b) => b[0] !== 0xff)
  .map((b) => readIpv6(b, 0));

const arpFrame: fc.Arbitrary<Frame> = fc.record(
  {
    destination: mac,
    source: mac,
    packet: fc.record(
      {
        kind: fc.constant('arp' as const),
        operation: fc.constantFrom('request' as const, 'reply' as const),
        senderMac: mac,
        senderIp: ipv4,
        targetMac: mac,
        targetIp: ipv4,
      },
      PLAIN,
    ),
  },
  PLAIN,
);

const ipv6Header = fc.record(
  { source: ipv6, destination: ipv6, hopLimit: fc.constant(255) },
  PLAIN,
);

const advertisementFrame: fc.Arbitrary<Frame> = fc
  .record(
    {
      destination: mac,
      source: mac,
      ipv6: ipv6Header,
      router: fc.boolean(),
      solicited: fc.boolean(),
      override: fc.boolean(),
      target: unicastIpv6,
      targetMac: fc.option(mac, { nil: undefined }),
    },
    PLAIN,
  )
  .map(({ destination, source, ipv6: header, targetMac, ...flags }) => ({
    destination,
    source,
    packet: {
      kind: 'neighbor-advertisement' as const,
      ipv6: header,
      ...flags,
      // RFC 4861 §7.1.2: a multicast destination forbids Solicited; the decoder rejects it.
      solicited: flags.solicited && !header.destination.startsWith('ff'),
      ...(targetMac === undefined ? {} : { targetMac }),
    },
  }));

const solicitationFrame: fc.Arbitrary<Frame> = fc
  .record(
    {
      destination: mac,
      source: mac,
      ipv6: ipv6Header,
      target: unicastIpv6,
      sourceMac: fc.option(mac, { nil: undefined }),
    },
    PLAIN,
  )
  .map(({ destination, source, ipv6: header, target, sourceMac }) => ({
    destination,
    source,
    packet: {
      kind: 'neighbor-solicitation' as const,
      ipv6: header,
      target,
      ...(sourceMac === undefined ? {} : { sourceMac }),
    },
  }));

const anyFrame = fc.oneof(arpFrame, advertisementFrame, solicitationFrame);

/** Inputs that once broke a decoder (or came close); always replayed. */
const regressions: Buffer[] = [
  hex`ff ff ff ff ff ff 52 54 00 12 34 56 08 06`, // ARP EtherType, no ARP payload
  hex`33 33 00 00 00 01 52 54 00 12 34 56 86 dd 60 00 00 00 00 03 3a ff`, // 3-byte ICMPv6 claim
  Buffer.concat([
    hex`33 33 00 00 00 01 52 54 00 12 34 56 86 dd 60 00 00 00 00 01 3a ff`,
    Buffer.alloc(33),
  ]), // odd ICMPv6 length: checksum must pad, not read past it
];

function decodesOrFailsTyped(bytes: Uint8Array): boolean {
  try {
    decode(bytes);
    return true;
  } catch (error) {
    return error instanceof FrameDecodeError;
  }
}

describe('codec properties', () => {
  it('decode(encode(frame)) returns the frame, and frames are at least 60 bytes', () => {
    fc.assert(
      fc.property(anyFrame, (frame) => {
        const bytes = encode(frame);
        assert.ok(bytes.length >= 60);
        assert.deepEqual(decode(bytes), frame);
      }),
      { numRuns: RUNS },
    );
  });

  it('decode of arbitrary bytes returns or throws FrameDecodeError', () => {
    for (const input of regressions) assert.ok(decodesOrFailsTyped(input));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), decodesOrFailsTyped), {
      numRuns: RUNS,
    });
  });

  it('decode of arbitrary bytes behind a valid ARP or IPv6 header returns or throws FrameDecodeError', () => {
    const headed = fc
      .tuple(fc.constantFrom('0806', '86dd'), fc.uint8Array({ maxLength: 120 }))
      .map(([etherType, rest]) =>
        Buffer.concat([Buffer.from(`ffffffffffff525400123456${etherType}`, 'hex'), rest]),
      );
    fc.assert(fc.property(headed, decodesOrFailsTyped), { numRuns: RUNS });
  });

  it('corrupting or truncating a valid frame never escapes as an untyped error', () => {
    fc.assert(
      fc.property(
        anyFrame,
        fc.nat(),
        fc.integer({ min: 0, max: 255 }),
        fc.nat(),
        (frame, at, value, cut) => {
          const bytes = encode(frame);
          const corrupted = Buffer.from(bytes);
          corrupted[at % corrupted.length] = value;
          return (
            decodesOrFailsTyped(corrupted) &&
            decodesOrFailsTyped(bytes.subarray(0, cut % (bytes.length + 1)))
          );
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('a single corrupted byte inside an NDP message is caught (checksum or a field check)', () => {
    fc.assert(
      fc.property(
        advertisementFrame,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (frame, at, delta) => {
          const bytes = encode(frame);
          const icmpStart = 14 + 40;
          const offset = icmpStart + (at % (bytes.length - icmpStart));
          bytes[offset] = ((bytes[offset] ?? 0) + delta) & 0xff;
          assert.throws(() => decode(bytes), FrameDecodeError);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
