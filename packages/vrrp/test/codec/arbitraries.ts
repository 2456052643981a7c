// fast-check generators for adverts and their addressing, shared by the property tests and
// `npm run fuzz:vrrp` (bench/fuzz.ts).
import fc from 'fast-check';
import { readAddress } from '../../src/codec/address-bytes.js';
import { encodeAdvert } from '../../src/codec/encode.js';
import type { AdvertFields, IpFamily, PacketContext } from '../../src/codec/types.js';

function address(family: IpFamily): fc.Arbitrary<string> {
  const length = family === 4 ? 4 : 16;
  return fc
    .uint8Array({ minLength: length, maxLength: length })
    .map((bytes) => readAddress(bytes, 0, family));
}

export interface ValidAdvert {
  readonly fields: AdvertFields;
  readonly context: PacketContext;
}

function validAdvertOf(family: IpFamily): fc.Arbitrary<ValidAdvert> {
  return fc.record({
    fields: fc.record({
      vrid: fc.integer({ min: 1, max: 255 }),
      priority: fc.integer({ min: 0, max: 255 }),
      maxAdvertIntervalCs: fc.integer({ min: 1, max: 4095 }),
      addresses: fc.array(address(family), { minLength: 1, maxLength: family === 4 ? 40 : 12 }),
    }),
    context: fc.record({
      family: fc.constant(family),
      sourceAddress: address(family),
      destinationAddress: address(family),
      ttl: fc.constant(255),
    }),
  });
}

/** Any advert encode accepts, with the context of a packet that arrived intact. */
export const validAdvert: fc.Arbitrary<ValidAdvert> = fc.oneof(validAdvertOf(4), validAdvertOf(6));

/** An arbitrary context, mostly plausible, sometimes not (wrong TTL, mixed families, junk). */
export const anyContext: fc.Arbitrary<PacketContext> = fc.oneof(
  { weight: 4, arbitrary: validAdvert.map((v) => v.context) },
  fc.record({
    family: fc.constantFrom(4 as const, 6 as const),
    sourceAddress: fc.oneof(address(4), address(6), fc.string()),
    destinationAddress: fc.oneof(address(4), address(6), fc.string()),
    ttl: fc.integer({ min: 0, max: 255 }),
  }),
);

/** A valid advert's bytes with a few bytes overwritten, cut short, or grown. */
export const mutatedAdvert: fc.Arbitrary<{ payload: Buffer; context: PacketContext }> = fc
  .record({
    valid: validAdvert,
    mutations: fc.array(fc.record({ offset: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }), {
      minLength: 1,
      maxLength: 4,
    }),
    // Mostly the right length, so the mutations reach the checks past the length check.
    resize: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, fc.integer({ min: -20, max: 20 })),
  })
  .map(({ valid, mutations, resize }) => {
    const bytes = encodeAdvert(valid.fields, valid.context);
    for (const { offset, value } of mutations) bytes[offset % bytes.length] = value;
    const length = Math.max(0, bytes.length + resize);
    const payload = Buffer.alloc(length);
    bytes.copy(payload, 0, 0, Math.min(length, bytes.length));
    return { payload, context: valid.context };
  });

/**
 * Random bytes: any length up to 600, or header-sized and up (fast-check favours short arrays,
 * which stop at 'truncated'); two thirds behind a VRRPv3 or v2 first byte so they get past the
 * version check.
 */
export const vrrpLikeBytes: fc.Arbitrary<Buffer> = fc
  .tuple(
    fc.constantFrom(0x31, 0x21, undefined),
    fc.oneof(fc.uint8Array({ maxLength: 600 }), fc.uint8Array({ minLength: 8, maxLength: 72 })),
  )
  .map(([first, bytes]) => {
    const payload = Buffer.from(bytes);
    if (first !== undefined && payload.length > 0) payload[0] = first;
    return payload;
  });
