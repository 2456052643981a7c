// Properties of the codec: decode is total (any bytes, any context: a result, never a throw,
// and a reason from the catalogue), and encode -> decode gives back exactly the fields.
// Bounded runs; `npm run fuzz:vrrp` runs the same properties far longer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAdvert } from '../../src/codec/decode.js';
import { encodeAdvert } from '../../src/codec/encode.js';
import { ADVERT_REJECT_REASONS } from '../../src/codec/types.js';
import { anyContext, mutatedAdvert, validAdvert, vrrpLikeBytes } from './arbitraries.js';
import { decodesCleanly, roundTrips } from './properties.js';

const RUNS = 2000;

describe('decodeAdvert is total', () => {
  it('arbitrary bytes in an arbitrary context give ok or a catalogued reason with a detail', () => {
    fc.assert(
      fc.property(vrrpLikeBytes, anyContext, (bytes, context) => {
        decodesCleanly(bytes, context);
      }),
      { numRuns: RUNS },
    );
  });

  it('mutated valid adverts give ok or a catalogued reason with a detail', () => {
    fc.assert(
      fc.property(mutatedAdvert, ({ payload, context }) => {
        decodesCleanly(payload, context);
      }),
      { numRuns: RUNS },
    );
  });

  it('a single changed byte in the message is never accepted as the same advert', () => {
    fc.assert(
      fc.property(
        validAdvert,
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        ({ fields, context }, at, delta) => {
          const bytes = encodeAdvert(fields, context);
          const offset = at % bytes.length;
          // The reserved nibble is ignored on receive, but the checksum still covers it.
          bytes[offset] = (bytes[offset]! + delta) & 0xff;
          assert.equal(decodeAdvert(bytes, context).ok, false);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('the catalogue check is not vacuous: every codec reason is reachable', () => {
    const seen = new Set<string>();
    fc.sample(mutatedAdvert, { numRuns: 5000, seed: 12 }).forEach(({ payload, context }) => {
      const result = decodeAdvert(payload, context);
      seen.add(result.ok ? 'ok' : result.reason);
    });
    for (const reason of ['ok', 'truncated', 'version', 'type', 'address-count', 'checksum']) {
      assert.ok(seen.has(reason), `${reason} never came up; saw ${[...seen].join(', ')}`);
    }
    assert.ok(
      [...seen].every(
        (r) => r === 'ok' || (ADVERT_REJECT_REASONS as readonly string[]).includes(r),
      ),
    );
  });
});

describe('encode -> decode', () => {
  it('gives back every field, for IPv4 and IPv6', () => {
    fc.assert(
      fc.property(validAdvert, ({ fields, context }) => {
        roundTrips(fields, context);
      }),
      { numRuns: RUNS },
    );
  });
});
