// RFC 5798 §5.1 adverts byte for byte: the hand-built table decodes to its fields and the
// fields encode back to the same bytes (checksum over the §5.2.8 pseudo-header included).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdvert } from '../../src/codec/decode.js';
import { encodeAdvert } from '../../src/codec/encode.js';
import { VrrpError, type VrrpErrorCode } from '../../src/errors.js';
import type { AdvertFields, PacketAddressing } from '../../src/codec/types.js';
import { HAND_BUILT_ADVERTS } from '../fixtures/hand-built-adverts.js';

describe('decodeAdvert: hand-built adverts', () => {
  for (const fixture of HAND_BUILT_ADVERTS) {
    it(`reads every field: ${fixture.name}`, () => {
      assert.deepEqual(decodeAdvert(fixture.bytes, fixture.context), {
        ok: true,
        advert: fixture.advert,
      });
    });
  }
});

describe('encodeAdvert: hand-built adverts', () => {
  for (const fixture of HAND_BUILT_ADVERTS.filter((f) => f.encodesBack)) {
    it(`writes the same bytes: ${fixture.name}`, () => {
      assert.equal(
        encodeAdvert(fixture.advert, fixture.context).toString('hex'),
        fixture.bytes.toString('hex'),
      );
    });
  }

  it('writes the reserved bits as zero (RFC 5798 §5.2.6)', () => {
    const reserved = HAND_BUILT_ADVERTS.find((f) => !f.encodesBack)!;
    const bytes = encodeAdvert(reserved.advert, reserved.context);
    assert.equal(bytes[4]! >> 4, 0);
    assert.deepEqual(decodeAdvert(bytes, reserved.context), { ok: true, advert: reserved.advert });
  });

  it('takes any spelling of an address and a zone id on the source', () => {
    const v6 = HAND_BUILT_ADVERTS.find((f) => f.context.family === 6)!;
    const spelled = encodeAdvert(
      { ...v6.advert, addresses: ['FE80:0:0::1', '2001:DB8:0::0:1'] },
      { ...v6.context, sourceAddress: `${v6.context.sourceAddress}%eth0` },
    );
    assert.equal(spelled.toString('hex'), v6.bytes.toString('hex'));
  });
});

describe('encodeAdvert refuses fields outside the wire ranges', () => {
  const fields: AdvertFields = {
    vrid: 1,
    priority: 100,
    maxAdvertIntervalCs: 100,
    addresses: ['192.0.2.10'],
  };
  const v4: PacketAddressing = {
    family: 4,
    sourceAddress: '192.0.2.1',
    destinationAddress: '224.0.0.18',
  };
  const cases: {
    name: string;
    fields?: Partial<AdvertFields>;
    addressing?: Partial<PacketAddressing>;
    code: VrrpErrorCode;
    message: RegExp;
  }[] = [
    {
      name: 'VRID 0',
      fields: { vrid: 0 },
      code: 'INVALID_VRID',
      message: /VRID 0 is not an integer 1-255/,
    },
    { name: 'VRID 256', fields: { vrid: 256 }, code: 'INVALID_VRID', message: /VRID 256/ },
    {
      name: 'priority 256',
      fields: { priority: 256 },
      code: 'INVALID_PRIORITY',
      message: /priority 256/,
    },
    {
      name: 'priority 1.5',
      fields: { priority: 1.5 },
      code: 'INVALID_PRIORITY',
      message: /priority 1.5/,
    },
    {
      name: 'interval 0',
      fields: { maxAdvertIntervalCs: 0 },
      code: 'INVALID_INTERVAL',
      message: /interval \(cs\) 0 is not an integer 1-4095/,
    },
    {
      name: 'interval 4096',
      fields: { maxAdvertIntervalCs: 4096 },
      code: 'INVALID_INTERVAL',
      message: /4096/,
    },
    {
      name: 'no address',
      fields: { addresses: [] },
      code: 'INVALID_ADDRESS_COUNT',
      message: /1-255 addresses, got 0/,
    },
    {
      name: '256 addresses',
      fields: { addresses: Array.from({ length: 256 }, () => '192.0.2.10') },
      code: 'INVALID_ADDRESS_COUNT',
      message: /got 256/,
    },
    {
      name: 'an IPv6 VIP in an IPv4 advert',
      fields: { addresses: ['192.0.2.10', 'fd00::1'] },
      code: 'INVALID_ADDRESS',
      message: /virtual address 2 "fd00::1" is not an IPv4 address/,
    },
    {
      name: 'a short-form IPv4 VIP',
      fields: { addresses: ['10.1'] },
      code: 'INVALID_ADDRESS',
      message: /"10.1"/,
    },
    {
      name: 'an IPv6 source for IPv4',
      addressing: { sourceAddress: 'fe80::1' },
      code: 'INVALID_ADDRESS',
      message: /source address "fe80::1"/,
    },
    {
      name: 'a hostname destination',
      addressing: { destinationAddress: 'vrrp.example' },
      code: 'INVALID_ADDRESS',
      message: /destination address/,
    },
    {
      name: 'family 5',
      addressing: { family: 5 as 4 },
      code: 'INVALID_FAMILY',
      message: /family 5/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.throws(
        () => encodeAdvert({ ...fields, ...c.fields }, { ...v4, ...c.addressing }),
        (error: unknown) =>
          error instanceof VrrpError && error.code === c.code && c.message.test(error.message),
      );
    });
  }
});
