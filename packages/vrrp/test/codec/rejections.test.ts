// RFC 5798 §7.1: every packet-level check refuses with its own reason and a detail that says
// what was wrong, and checks run in the documented order (README "Codec").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdvert } from '../../src/codec/decode.js';
import { decodeVrrpv2 } from '../../src/codec/vrrpv2.js';
import type { AdvertRejectReason, PacketContext } from '../../src/codec/types.js';
import { HAND_BUILT_ADVERTS, HAND_BUILT_VRRPV2 } from '../fixtures/hand-built-adverts.js';

const valid = HAND_BUILT_ADVERTS[0]!;
const v6 = HAND_BUILT_ADVERTS.find((f) => f.context.family === 6)!;

function changed(bytes: Buffer, offset: number, value: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[offset] = value;
  return copy;
}

interface RejectionCase {
  readonly name: string;
  readonly bytes: Buffer;
  readonly context?: Partial<PacketContext>;
  readonly reason: AdvertRejectReason;
  readonly detail: RegExp;
}

const cases: RejectionCase[] = [
  {
    name: 'an empty payload',
    bytes: Buffer.alloc(0),
    reason: 'truncated',
    detail: /0 bytes; the VRRP header alone is 8/,
  },
  {
    name: 'seven bytes',
    bytes: valid.bytes.subarray(0, 7),
    reason: 'truncated',
    detail: /7 bytes/,
  },
  {
    name: 'version 4',
    bytes: changed(valid.bytes, 0, 0x41),
    reason: 'version',
    detail: /VRRP version 4 from 192.0.2.1; vipd speaks 3/,
  },
  {
    name: 'version 2 over IPv6',
    bytes: changed(v6.bytes, 0, 0x21),
    context: v6.context,
    reason: 'version',
    detail: /VRRP version 2 from fe80::5054:ff:fe00:501/,
  },
  {
    name: 'type 2',
    bytes: changed(valid.bytes, 0, 0x32),
    reason: 'type',
    detail: /VRRPv3 packet of type 2; only 1/,
  },
  {
    name: 'TTL 254',
    bytes: valid.bytes,
    context: { ttl: 254 },
    reason: 'ttl',
    detail: /TTL 254 from 192.0.2.1; only 255/,
  },
  {
    name: 'TTL 1 beats a bad checksum',
    bytes: changed(valid.bytes, 6, 0),
    context: { ttl: 1 },
    reason: 'ttl',
    detail: /TTL 1/,
  },
  {
    name: 'IPv6 hop limit 64',
    bytes: v6.bytes,
    context: { ...v6.context, ttl: 64 },
    reason: 'ttl',
    detail: /hop limit 64 from fe80::5054:ff:fe00:501/,
  },
  {
    name: 'count says 2, one address present',
    bytes: changed(valid.bytes, 3, 2),
    reason: 'address-count',
    detail: /count 2 of IPv4 addresses makes 16 bytes, the packet has 12/,
  },
  {
    name: 'count says 0, one address present',
    bytes: changed(valid.bytes, 3, 0),
    reason: 'address-count',
    detail: /count 0 .* makes 8 bytes, the packet has 12/,
  },
  {
    name: 'trailing bytes',
    bytes: Buffer.concat([valid.bytes, Buffer.alloc(4)]),
    reason: 'address-count',
    detail: /the packet has 16/,
  },
  {
    name: 'IPv4-sized addresses in an IPv6 packet',
    bytes: valid.bytes,
    context: v6.context,
    reason: 'address-count',
    detail: /count 1 of IPv6 addresses makes 24 bytes, the packet has 12/,
  },
  {
    name: 'a flipped checksum bit',
    bytes: changed(valid.bytes, 7, 0xff),
    reason: 'checksum',
    detail: /checksum 0x05ff, computed 0x05fe over the 192.0.2.1 -> 224.0.0.18 pseudo-header/,
  },
  {
    name: 'a flipped address bit',
    bytes: changed(valid.bytes, 11, 0x0b),
    reason: 'checksum',
    detail: /computed/,
  },
  {
    name: 'another destination in the pseudo-header',
    bytes: valid.bytes,
    context: { destinationAddress: '192.0.2.2' },
    reason: 'checksum',
    detail: /192.0.2.1 -> 192.0.2.2/,
  },
  {
    name: 'an IPv6 source in an IPv4 packet',
    bytes: valid.bytes,
    context: { sourceAddress: 'fe80::1' },
    reason: 'family',
    detail: /IPv4 packet with source address "fe80::1"/,
  },
  {
    name: 'an IPv4 destination in an IPv6 packet',
    bytes: v6.bytes,
    context: { ...v6.context, destinationAddress: '224.0.0.18' },
    reason: 'family',
    detail: /IPv6 packet with destination address "224.0.0.18"/,
  },
  {
    name: 'family 5',
    bytes: valid.bytes,
    context: { family: 5 as 4 },
    reason: 'family',
    detail: /family 5 is neither 4 nor 6/,
  },
];

/** Re-checksums a hand-built advert after changing one byte, so only that field is wrong. */
function withField(offset: number, value: number, checksum: number): Buffer {
  const copy = changed(valid.bytes, offset, value);
  copy.writeUInt16BE(checksum, 6);
  return copy;
}

cases.push(
  // Checksums worked out outside the codebase, as in fixtures/hand-built-adverts.ts.
  {
    name: 'VRID 0',
    bytes: withField(1, 0, 0x05ff),
    reason: 'vrid',
    detail: /VRID 0; virtual router ids are 1-255/,
  },
  {
    name: 'max advert interval 0',
    bytes: withField(5, 0, 0x0662),
    reason: 'interval',
    detail: /VRID 1: max advert interval 0 cs/,
  },
);

describe('decodeAdvert refuses per RFC 5798 §7.1', () => {
  for (const c of cases) {
    it(`${c.reason}: ${c.name}`, () => {
      const result = decodeAdvert(c.bytes, { ...valid.context, ...c.context });
      assert.ok(!result.ok, JSON.stringify(result));
      assert.equal(result.reason, c.reason, result.detail);
      assert.match(result.detail, c.detail);
    });
  }

  it('the interval is only 0 when all 12 low bits are: reserved bits alone do not count', () => {
    const result = decodeAdvert(withField(4, 0xf0, 0x15fd), valid.context);
    assert.equal(result.ok ? 'ok' : result.reason, 'ok');
  });
});

describe('VRRPv2 (RFC 3768) is recognised and refused', () => {
  it('names vrid, priority, advert_int, auth type and addresses, and how to fix the peer', () => {
    const result = decodeAdvert(HAND_BUILT_VRRPV2.bytes, HAND_BUILT_VRRPV2.context);
    assert.deepEqual(result, {
      ok: false,
      reason: 'vrrpv2',
      detail:
        'VRRPv2 advert from 192.0.2.1 vrid 51 priority 100 advert_int 1s auth none ' +
        'addresses [192.0.2.10]; vipd speaks VRRPv3 only: set vrrp_version 3 on the peer',
    });
  });

  it('reads every v2 field', () => {
    assert.deepEqual(decodeVrrpv2(HAND_BUILT_VRRPV2.bytes), {
      ok: true,
      advert: {
        version: 2,
        vrid: 51,
        priority: 100,
        authType: 0,
        advertIntervalSeconds: 1,
        addresses: ['192.0.2.10'],
      },
    });
  });

  it('checks the v2 checksum without a pseudo-header, whatever the addressing', () => {
    const elsewhere = { ...HAND_BUILT_VRRPV2.context, destinationAddress: '192.0.2.2' };
    assert.equal(decodeVrrpv2(HAND_BUILT_VRRPV2.bytes).ok, true);
    assert.equal(
      (decodeAdvert(HAND_BUILT_VRRPV2.bytes, elsewhere) as { reason: string }).reason,
      'vrrpv2',
    );
    const damaged = changed(HAND_BUILT_VRRPV2.bytes, 2, 99);
    assert.deepEqual(decodeAdvert(damaged, HAND_BUILT_VRRPV2.context), {
      ok: false,
      reason: 'checksum',
      detail: 'VRRPv2 checksum 0xb8bf, computed 0xb9bf',
    });
  });

  it('a v2 packet without its authentication data is an address-count mismatch', () => {
    const short = HAND_BUILT_VRRPV2.bytes.subarray(0, 12);
    const result = decodeAdvert(short, HAND_BUILT_VRRPV2.context);
    assert.deepEqual(result, {
      ok: false,
      reason: 'address-count',
      detail: 'VRRPv2 advert with 1 addresses should be 20 bytes, is 12',
    });
  });

  it('a v2 packet of another type is refused as type', () => {
    const result = decodeAdvert(
      changed(HAND_BUILT_VRRPV2.bytes, 0, 0x22),
      HAND_BUILT_VRRPV2.context,
    );
    assert.equal(result.ok ? 'ok' : result.reason, 'type');
  });
});
