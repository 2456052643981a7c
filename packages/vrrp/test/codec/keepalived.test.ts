// Adverts a real keepalived 2.2.7 sent (fixtures/keepalived-adverts.ts, captured by
// scripts/capture-keepalived-fixtures.mjs): every field we decode must agree with what
// tshark's dissector read from the same bytes, and our encoder must write keepalived's bytes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdvert } from '../../src/codec/decode.js';
import { encodeAdvert } from '../../src/codec/encode.js';
import { authTypeName, decodeVrrpv2 } from '../../src/codec/vrrpv2.js';
import type { PacketContext } from '../../src/codec/types.js';
import type { KeepalivedAdvertFixture } from '../fixtures/fixture-types.js';
import { KEEPALIVED_ADVERTS } from '../fixtures/keepalived-adverts.js';

const TSHARK_CHECKSUM_GOOD = 1;

function contextOf(fixture: KeepalivedAdvertFixture): PacketContext {
  const { family, sourceAddress, destinationAddress, ttl } = fixture;
  return { family, sourceAddress, destinationAddress, ttl };
}

const v3 = KEEPALIVED_ADVERTS.filter((f) => f.tshark.version === 3);
const v2 = KEEPALIVED_ADVERTS.filter((f) => f.tshark.version === 2);

describe('keepalived 2.2.7 captures', () => {
  it('cover IPv4 and IPv6, multicast and unicast, priorities 0 and 255, both versions', () => {
    assert.ok(v3.some((f) => f.family === 6));
    assert.ok(v3.some((f) => f.family === 4 && !f.destinationAddress.startsWith('224.')));
    assert.ok(v3.some((f) => f.tshark.priority === 0));
    assert.ok(v3.some((f) => f.tshark.priority === 255));
    assert.ok(v2.length > 0);
    for (const f of KEEPALIVED_ADVERTS)
      assert.equal(f.tshark.checksumStatus, TSHARK_CHECKSUM_GOOD, f.name);
  });
});

describe('decodeAdvert: keepalived VRRPv3 adverts', () => {
  for (const fixture of v3) {
    it(`agrees with tshark on every field: ${fixture.name}`, () => {
      const result = decodeAdvert(Buffer.from(fixture.payloadHex, 'hex'), contextOf(fixture));
      assert.ok(result.ok, JSON.stringify(result));
      const { tshark } = fixture;
      assert.equal(tshark.type, 1);
      assert.deepEqual(result.advert, {
        version: tshark.version,
        vrid: tshark.vrid,
        priority: tshark.priority,
        maxAdvertIntervalCs: tshark.maxAdvertIntervalCs,
        addresses: tshark.addresses,
      });
      assert.equal(result.advert.addresses.length, tshark.addressCount);
    });

    it(`encodes keepalived's exact bytes: ${fixture.name}`, () => {
      const decoded = decodeAdvert(Buffer.from(fixture.payloadHex, 'hex'), contextOf(fixture));
      assert.ok(decoded.ok);
      assert.equal(
        encodeAdvert(decoded.advert, contextOf(fixture)).toString('hex'),
        fixture.payloadHex,
      );
    });
  }
});

describe('decodeAdvert: keepalived VRRPv2 adverts are refused as vrrpv2', () => {
  for (const fixture of v2) {
    it(fixture.name, () => {
      const payload = Buffer.from(fixture.payloadHex, 'hex');
      const { tshark } = fixture;
      const v2Reading = decodeVrrpv2(payload);
      assert.deepEqual(v2Reading, {
        ok: true,
        advert: {
          version: 2,
          vrid: tshark.vrid,
          priority: tshark.priority,
          authType: tshark.authType,
          advertIntervalSeconds: tshark.advertIntervalSeconds,
          addresses: tshark.addresses,
        },
      });
      const result = decodeAdvert(payload, contextOf(fixture));
      assert.equal(result.ok ? 'ok' : result.reason, 'vrrpv2');
      assert.ok(!result.ok);
      assert.equal(
        result.detail,
        `VRRPv2 advert from ${fixture.sourceAddress} vrid ${tshark.vrid} priority ${tshark.priority} ` +
          `advert_int ${tshark.advertIntervalSeconds}s auth ${authTypeName(tshark.authType!)} ` +
          `addresses [${tshark.addresses.join(', ')}]; vipd speaks VRRPv3 only: set vrrp_version 3 on the peer`,
      );
    });
  }
});
