// The two codec properties as plain checks that throw on failure, so the node:test suite and
// the long fuzz run (bench/fuzz.ts) test exactly the same thing.
import assert from 'node:assert/strict';
import { decodeAdvert } from '../../src/codec/decode.js';
import { encodeAdvert } from '../../src/codec/encode.js';
import {
  ADVERT_REJECT_REASONS,
  type AdvertFields,
  type DecodeResult,
  type PacketContext,
} from '../../src/codec/types.js';

/** Decode returns (never throws) ok, or a catalogued reason with a non-empty detail. */
export function decodesCleanly(payload: Buffer, context: PacketContext): DecodeResult {
  const result = decodeAdvert(payload, context);
  if (!result.ok) {
    assert.ok(ADVERT_REJECT_REASONS.includes(result.reason), `unknown reason ${result.reason}`);
    assert.ok(result.detail.length > 0, `empty detail for ${result.reason}`);
  }
  return result;
}

export function roundTrips(fields: AdvertFields, context: PacketContext): void {
  assert.deepEqual(decodeAdvert(encodeAdvert(fields, context), context), {
    ok: true,
    advert: { version: 3, ...fields },
  });
}
