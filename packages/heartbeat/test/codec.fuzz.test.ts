// Property tests of the decoder: whatever arrives, it returns a frame or throws a
// HeartbeatDecodeError — nothing else — and any change to a signed frame is caught.
// Seeded with the inputs that once broke it (none yet); bounded in runs for CI time.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  HeartbeatDecodeError,
  MAX_FRAME_BYTES,
  type HeartbeatFrame,
} from '../src/index.js';

const KEY = Buffer.from('fuzz-key-0123456789abcdef-0123456');
const RUNS = 500;

const name = fc
  .string({ minLength: 1, maxLength: 40, unit: 'grapheme' })
  .filter((text) => Buffer.byteLength(text) <= 255);
const timestamp = fc.double({ min: 0, max: 4e12, noNaN: true });
const hex128 = fc
  .uint8Array({ minLength: 16, maxLength: 16 })
  .map((b) => Buffer.from(b).toString('hex'));
const groupState = fc.record(
  {
    priority: fc.integer({ min: 0, max: 255 }),
    state: fc.constantFrom('INIT', 'BACKUP', 'MASTER', 'FAULT', 'MAINTENANCE' as const),
    epoch: fc.maxSafeNat(),
    master: fc.option(name, { nil: null }),
  },
  { noNullPrototype: true, requiredKeys: ['priority', 'state', 'epoch'] },
);
const frame: fc.Arbitrary<HeartbeatFrame> = fc.record(
  {
    kind: fc.constantFrom('hello', 'heartbeat' as const),
    role: fc.constantFrom('dialer', 'acceptor' as const),
    incarnation: hex128,
    nonce: hex128,
    seq: fc.maxSafeNat(),
    sentAtMs: timestamp,
    echoSentAtMs: timestamp,
    echoHeldMs: timestamp,
    clusterName: name,
    nodeId: name,
    receiverId: name,
    groups: fc.dictionary(name, groupState, { maxKeys: 20, noNullPrototype: true }),
    hears: fc.uniqueArray(name, { maxLength: 20 }),
  },
  {
    noNullPrototype: true,
    requiredKeys: [
      'kind',
      'role',
      'incarnation',
      'nonce',
      'seq',
      'sentAtMs',
      'echoSentAtMs',
      'echoHeldMs',
      'clusterName',
      'nodeId',
      'receiverId',
      'groups',
    ],
  },
);

function decodeOrCode(bytes: Uint8Array): HeartbeatFrame | string {
  try {
    return decodeHeartbeat(bytes, { key: KEY });
  } catch (error) {
    if (error instanceof HeartbeatDecodeError) return error.code;
    throw error;
  }
}

describe('heartbeat decoder under fuzzing', () => {
  it('only ever throws HeartbeatDecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const result = decodeOrCode(bytes);
        assert.equal(typeof result, 'string', 'random bytes never carry a valid MAC');
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('only ever throws HeartbeatDecodeError on random bytes behind a valid magic/version', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 3), fc.uint8Array({ maxLength: 512 }), (version, tail) => {
        assert.equal(
          typeof decodeOrCode(Buffer.concat([Buffer.from([0x76, 0x68, version]), tail])),
          'string',
        );
      }),
      { numRuns: RUNS * 4 },
    );
  });

  it('round-trips every valid frame', () => {
    fc.assert(
      fc.property(frame, (original) => {
        const decoded = decodeHeartbeat(encodeHeartbeat(original, KEY), { key: KEY });
        assert.deepEqual(decoded, original);
      }),
      { numRuns: RUNS },
    );
  });

  it('rejects any single changed byte of a signed frame', () => {
    fc.assert(
      fc.property(frame, fc.nat(), fc.integer({ min: 1, max: 255 }), (original, at, xor) => {
        const bytes = Buffer.from(encodeHeartbeat(original, KEY));
        bytes[at % bytes.length]! ^= xor;
        assert.equal(typeof decodeOrCode(bytes), 'string');
      }),
      { numRuns: RUNS },
    );
  });

  it('reports a frame cut in its header as truncated, one cut later as bad-mac', () => {
    // Nothing after the header is read before the MAC holds, so a frame cut inside its
    // state section cannot be told from a forged one: both fail the MAC.
    fc.assert(
      fc.property(frame, fc.nat(), (original, cut) => {
        const bytes = encodeHeartbeat(original, KEY);
        const length = cut % bytes.length;
        const names = [original.clusterName, original.nodeId, original.receiverId];
        const headerEnd = 69 + names.reduce((sum, n) => sum + 1 + Buffer.byteLength(n), 0);
        const expected = length < headerEnd + 32 ? 'TRUNCATED' : 'BAD_MAC';
        assert.equal(decodeOrCode(bytes.subarray(0, length)), expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('reports anything above the size limit as oversized, whatever it holds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1024 }), fc.nat(255), (extra, fill) => {
        assert.equal(decodeOrCode(Buffer.alloc(MAX_FRAME_BYTES + extra, fill)), 'OVERSIZED');
      }),
      { numRuns: 50 },
    );
  });
});
