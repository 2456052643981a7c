// The codec against byte fixtures (versions 1 and 2) written one wire field per line, then a
// table of broken frames, each asserting the stable error code it must produce.

import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  frameVersion,
  HeartbeatDecodeError,
  HeartbeatEncodeError,
  GroupsCache,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type DecodeErrorCode,
  type HeartbeatFrame,
} from '../src/index.js';

const KEY = Buffer.from('fixture-key-0123456789');
const ascii = (text: string): number[] => [...Buffer.from(text, 'ascii')];
const hex = (text: string): number[] => [...Buffer.from(text, 'hex')];
const sign = (body: Buffer, key: Uint8Array = KEY): Buffer =>
  Buffer.concat([body, createHmac('sha256', key).update(body).digest()]);

const FIXTURE_FRAME: HeartbeatFrame = {
  kind: 'heartbeat',
  incarnation: '00112233445566778899aabbccddeeff',
  nonce: 'ffeeddccbbaa99887766554433221100',
  seq: 42,
  sentAtMs: 1700000000000.5,
  echoSentAtMs: 1699999999990.25,
  echoHeldMs: 1.5,
  clusterName: 'lab',
  nodeId: 'a',
  groups: {
    web: { state: 'MASTER', priority: 200, epoch: 9 },
    db: { state: 'BACKUP', priority: 100, epoch: 8 },
  },
};

/** The same frame in version 2: each group's master and the sender's hears list. */
const FIXTURE_FRAME_V2: HeartbeatFrame = {
  ...FIXTURE_FRAME,
  groups: {
    web: { state: 'MASTER', priority: 200, epoch: 9, master: 'a' },
    db: { state: 'BACKUP', priority: 100, epoch: 8, master: null },
  },
  hears: ['b', 'w1'],
};

/**
 * The fixture frame without its MAC, field by field; version 2 adds the lines marked v2.
 * The v1 frame's groups say nothing of their master (as FIXTURE_FRAME).
 */
function fixtureBody(patch: Partial<Record<string, number[]>> = {}, version: 1 | 2 = 1): Buffer {
  const v2 = (fields: [string, number[]][]): [string, number[]][] => (version === 2 ? fields : []);
  const fields: [string, number[]][] = [
    ['magic', [0x76, 0x68]],
    ['version', [version]],
    ['kind', [0x02]],
    ['incarnation', hex('00112233445566778899aabbccddeeff')],
    ['nonce', hex('ffeeddccbbaa99887766554433221100')],
    ['seq', [0, 0, 0, 0, 0, 0, 0, 0x2a]],
    ['sentAtMs', [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x08, 0x00]],
    ['echoSentAtMs', [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x7f, 0x64, 0x00]],
    ['echoHeldMs', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]],
    ['cluster', [3, ...ascii('lab')]],
    ['nodeId', [1, ...ascii('a')]],
    ['groupCount', [0, 2]],
    ['group0.name', [3, ...ascii('web')]],
    ['group0.state', [3]], // MASTER
    ['group0.priority', [200]],
    ['group0.epoch', [0, 0, 0, 0, 0, 0, 0, 9]],
    ...v2([['group0.master', [2, 1, ...ascii('a')]]]), // tag 2: a node id follows
    ['group1.name', [2, ...ascii('db')]],
    ['group1.state', [2]], // BACKUP
    ['group1.priority', [100]],
    ['group1.epoch', [0, 0, 0, 0, 0, 0, 0, 8]],
    ...v2([
      ['group1.master', [1]], // tag 1: hears no master
      ['hearsTag', [1]], // 1: a list follows
      ['hearsCount', [0, 2]],
      ['hears0', [1, ...ascii('b')]],
      ['hears1', [2, ...ascii('w1')]],
    ]),
  ];
  return Buffer.from(fields.flatMap(([name, bytes]) => patch[name] ?? bytes));
}

const FIXTURE = sign(fixtureBody());
const FIXTURE_V2 = sign(fixtureBody({}, 2));

function decodeError(bytes: Uint8Array, clusterName?: string): DecodeErrorCode {
  try {
    decodeHeartbeat(bytes, { key: KEY, ...(clusterName === undefined ? {} : { clusterName }) });
  } catch (error) {
    assert.ok(error instanceof HeartbeatDecodeError, `threw ${String(error)}`);
    return error.code;
  }
  assert.fail('decoded a frame that should have been rejected');
}

describe('heartbeat codec', () => {
  it('encodes the version 1 fixture byte for byte', () => {
    assert.deepEqual(Buffer.from(encodeHeartbeat(FIXTURE_FRAME, KEY, 1)), FIXTURE);
  });

  it('decodes the version 1 fixture, with no master and no hears', () => {
    assert.deepEqual(decodeHeartbeat(FIXTURE, { key: KEY, clusterName: 'lab' }), FIXTURE_FRAME);
    assert.equal(frameVersion(FIXTURE), 1);
  });

  it('encodes the version 2 fixture byte for byte (the default version)', () => {
    assert.equal(PROTOCOL_VERSION, 2);
    assert.deepEqual(Buffer.from(encodeHeartbeat(FIXTURE_FRAME_V2, KEY)), FIXTURE_V2);
  });

  it('decodes the version 2 fixture: master per group, hears per frame', () => {
    const decoded = decodeHeartbeat(FIXTURE_V2, { key: KEY, clusterName: 'lab' });
    assert.deepEqual(decoded, FIXTURE_FRAME_V2);
    assert.equal(frameVersion(FIXTURE_V2), 2);
  });

  it('keeps "not stated" apart from "none" in version 2', () => {
    const silent: HeartbeatFrame = FIXTURE_FRAME; // no master, no hears
    const decoded = decodeHeartbeat(encodeHeartbeat(silent, KEY), { key: KEY });
    assert.equal(Object.hasOwn(decoded, 'hears'), false);
    assert.equal(Object.hasOwn(decoded.groups.web ?? {}, 'master'), false);
    const none = decodeHeartbeat(encodeHeartbeat({ ...FIXTURE_FRAME_V2, hears: [] }, KEY), {
      key: KEY,
    });
    assert.deepEqual(none.hears, []);
    assert.equal(none.groups.db?.master, null);
  });

  it('leaves master and hears out of a version 1 frame', () => {
    const decoded = decodeHeartbeat(encodeHeartbeat(FIXTURE_FRAME_V2, KEY, 1), { key: KEY });
    assert.deepEqual(decoded, FIXTURE_FRAME);
  });

  it('round-trips a hello with no groups and the largest seq', () => {
    const hello: HeartbeatFrame = {
      ...FIXTURE_FRAME,
      kind: 'hello',
      seq: Number.MAX_SAFE_INTEGER,
      echoSentAtMs: 0,
      echoHeldMs: 0,
      groups: {},
    };
    assert.deepEqual(decodeHeartbeat(encodeHeartbeat(hello, KEY), { key: KEY }), hello);
  });

  it('keeps a group named __proto__ as a plain key', () => {
    const frame = {
      ...FIXTURE_FRAME,
      groups: JSON.parse('{"__proto__":{"state":"MASTER","priority":1,"epoch":1}}') as Record<
        string,
        HeartbeatFrame['groups'][string]
      >,
    };
    const decoded = decodeHeartbeat(encodeHeartbeat(frame, KEY), { key: KEY });
    assert.equal(Object.getPrototypeOf(decoded.groups), Object.prototype);
    assert.deepEqual(Object.keys(decoded.groups), ['__proto__']);
  });

  it('reuses the decoded groups while the section is unchanged, and only then', () => {
    const cache = new GroupsCache();
    const first = decodeHeartbeat(FIXTURE, { key: KEY, groupsCache: cache });
    const next = encodeHeartbeat({ ...FIXTURE_FRAME, seq: 43, sentAtMs: 1700000000010 }, KEY, 1);
    const second = decodeHeartbeat(next, { key: KEY, groupsCache: cache });
    assert.equal(second.groups, first.groups, 'same object for the same bytes');
    assert.ok(Object.isFrozen(second.groups));
    const changed = encodeHeartbeat(
      {
        ...FIXTURE_FRAME,
        groups: { ...FIXTURE_FRAME.groups, db: { state: 'MASTER', priority: 100, epoch: 9 } },
      },
      KEY,
      1,
    );
    const third = decodeHeartbeat(changed, { key: KEY, groupsCache: cache });
    assert.notEqual(third.groups, first.groups);
    assert.deepEqual(third.groups.db, { state: 'MASTER', priority: 100, epoch: 9 });
    // A frame failing its MAC still fails, cached groups or not.
    const forged = Buffer.from(next);
    forged[forged.length - 1]! ^= 1;
    decodeHeartbeat(next, { key: KEY, groupsCache: cache }); // cache holds next's groups
    assert.throws(
      () => decodeHeartbeat(forged, { key: KEY, groupsCache: cache }),
      (error: unknown) => error instanceof HeartbeatDecodeError && error.code === 'bad-mac',
    );
  });

  it('does not reuse a cached section across versions', () => {
    const cache = new GroupsCache();
    // A v2 section whose bytes also parse as v1 groups would mean something else there.
    const v1 = encodeHeartbeat({ ...FIXTURE_FRAME, groups: {} }, KEY, 1);
    const v2 = encodeHeartbeat({ ...FIXTURE_FRAME, groups: {}, hears: ['b'] }, KEY, 2);
    decodeHeartbeat(v2, { key: KEY, groupsCache: cache });
    assert.deepEqual(decodeHeartbeat(v2, { key: KEY, groupsCache: cache }).hears, ['b']);
    assert.equal(
      Object.hasOwn(decodeHeartbeat(v1, { key: KEY, groupsCache: cache }), 'hears'),
      false,
    );
    assert.deepEqual(decodeHeartbeat(v2, { key: KEY, groupsCache: cache }).hears, ['b']);
  });

  const table: { name: string; bytes: () => Uint8Array; code: DecodeErrorCode }[] = [
    { name: 'empty', bytes: () => Buffer.alloc(0), code: 'truncated' },
    { name: 'magic only', bytes: () => FIXTURE.subarray(0, 2), code: 'truncated' },
    {
      name: 'bad magic',
      bytes: () => sign(fixtureBody({ magic: ascii('GE') })),
      code: 'malformed',
    },
    { name: 'HTTP text', bytes: () => Buffer.from('GET / HTTP/1.1\r\n\r\n'), code: 'malformed' },
    { name: 'version 3', bytes: () => sign(fixtureBody({ version: [3] })), code: 'bad-version' },
    {
      name: 'version 1 body labelled version 2',
      bytes: () => sign(fixtureBody({ version: [2] })),
      code: 'truncated',
    },
    {
      name: 'version 2 body labelled version 1',
      bytes: () => sign(fixtureBody({ version: [1] }, 2)),
      code: 'malformed',
    },
    {
      name: 'unknown master tag (v2)',
      bytes: () => sign(fixtureBody({ 'group1.master': [3] }, 2)),
      code: 'malformed',
    },
    {
      name: 'empty master name (v2)',
      bytes: () => sign(fixtureBody({ 'group0.master': [2, 0] }, 2)),
      code: 'malformed',
    },
    {
      name: 'master name past the end (v2)',
      bytes: () => sign(fixtureBody({ 'group0.master': [2, 200, 0x61] }, 2)),
      code: 'truncated',
    },
    {
      name: 'unknown hears tag (v2)',
      bytes: () => sign(fixtureBody({ hearsTag: [2] }, 2)),
      code: 'malformed',
    },
    {
      name: 'hears names a node twice (v2)',
      bytes: () => sign(fixtureBody({ hears1: [1, ...ascii('b')] }, 2)),
      code: 'malformed',
    },
    {
      name: 'hears entry not UTF-8 (v2)',
      bytes: () => sign(fixtureBody({ hears1: [2, 0xc3, 0x28] }, 2)),
      code: 'malformed',
    },
    {
      name: 'more hears announced than present (v2)',
      bytes: () => sign(fixtureBody({ hearsCount: [0, 3] }, 2)),
      code: 'truncated',
    },
    {
      name: 'hears section missing (v2)',
      bytes: () => sign(fixtureBody({ hearsTag: [], hearsCount: [], hears0: [], hears1: [] }, 2)),
      code: 'truncated',
    },
    { name: 'version 0', bytes: () => sign(fixtureBody({ version: [0] })), code: 'bad-version' },
    { name: 'header cut short', bytes: () => FIXTURE.subarray(0, 40), code: 'truncated' },
    { name: 'unknown kind', bytes: () => sign(fixtureBody({ kind: [9] })), code: 'malformed' },
    { name: 'empty cluster', bytes: () => sign(fixtureBody({ cluster: [0] })), code: 'malformed' },
    {
      name: 'cluster length past the end',
      bytes: () => fixtureBody().subarray(0, 70),
      code: 'truncated',
    },
    {
      name: 'node id not UTF-8',
      bytes: () => sign(fixtureBody({ nodeId: [2, 0xc3, 0x28] })),
      code: 'malformed',
    },
    {
      name: 'unknown group state',
      bytes: () => sign(fixtureBody({ 'group0.state': [9] })),
      code: 'malformed',
    },
    {
      name: 'group listed twice',
      bytes: () => sign(fixtureBody({ 'group1.name': [3, ...ascii('web')] })),
      code: 'malformed',
    },
    {
      name: 'epoch above 2^53-1',
      bytes: () => sign(fixtureBody({ 'group0.epoch': [0, 0x20, 0, 0, 0, 0, 0, 0] })),
      code: 'malformed',
    },
    {
      name: 'seq above 2^53-1',
      bytes: () => sign(fixtureBody({ seq: [0xff, 0, 0, 0, 0, 0, 0, 0] })),
      code: 'malformed',
    },
    {
      name: 'sentAtMs NaN',
      bytes: () => sign(fixtureBody({ sentAtMs: [0x7f, 0xf8, 0, 0, 0, 0, 0, 0] })),
      code: 'malformed',
    },
    {
      name: 'negative echoHeldMs',
      bytes: () => sign(fixtureBody({ echoHeldMs: [0xbf, 0xf8, 0, 0, 0, 0, 0, 0] })),
      code: 'malformed',
    },
    {
      name: 'more groups announced than present',
      bytes: () => sign(fixtureBody({ groupCount: [0, 3] })),
      code: 'truncated',
    },
    { name: 'MAC cut short', bytes: () => FIXTURE.subarray(0, -1), code: 'truncated' },
    { name: 'no MAC', bytes: () => fixtureBody(), code: 'truncated' },
    {
      name: 'trailing byte',
      bytes: () => Buffer.concat([FIXTURE, Buffer.from([0])]),
      code: 'malformed',
    },
    {
      name: 'MAC bit flipped',
      bytes: () => {
        const bytes = Buffer.from(FIXTURE);
        bytes[bytes.length - 1]! ^= 1;
        return bytes;
      },
      code: 'bad-mac',
    },
    {
      name: 'priority changed in flight',
      bytes: () =>
        Buffer.concat([fixtureBody({ 'group0.priority': [255] }), FIXTURE.subarray(-32)]),
      code: 'bad-mac',
    },
    {
      name: 'signed with another key',
      bytes: () => sign(fixtureBody(), Buffer.from('another-key-0123456789')),
      code: 'bad-mac',
    },
    { name: 'too large', bytes: () => Buffer.alloc(MAX_FRAME_BYTES + 1), code: 'oversized' },
  ];
  for (const { name, bytes, code } of table) {
    it(`rejects ${name} as ${code}`, () => {
      assert.equal(decodeError(bytes()), code);
    });
  }

  it('reports another cluster before the MAC', () => {
    const otherCluster = sign(
      fixtureBody({ cluster: [5, ...ascii('other')] }),
      Buffer.from('x'.repeat(16)),
    );
    assert.equal(decodeError(otherCluster, 'lab'), 'wrong-cluster');
    assert.equal(
      decodeError(otherCluster),
      'bad-mac',
      'without an expectation it is just a bad MAC',
    );
  });

  const encodeTable: { name: string; frame: HeartbeatFrame; code: string }[] = [
    { name: 'empty node id', frame: { ...FIXTURE_FRAME, nodeId: '' }, code: 'invalid-field' },
    {
      name: '256-byte cluster name',
      frame: { ...FIXTURE_FRAME, clusterName: 'x'.repeat(256) },
      code: 'invalid-field',
    },
    {
      name: 'lone surrogate in a group name',
      frame: { ...FIXTURE_FRAME, groups: { '\ud800': { state: 'MASTER', priority: 1, epoch: 1 } } },
      code: 'invalid-field',
    },
    {
      name: 'priority 256',
      frame: { ...FIXTURE_FRAME, groups: { g: { state: 'MASTER', priority: 256, epoch: 1 } } },
      code: 'invalid-field',
    },
    {
      name: 'negative epoch',
      frame: { ...FIXTURE_FRAME, groups: { g: { state: 'MASTER', priority: 1, epoch: -1 } } },
      code: 'invalid-field',
    },
    {
      name: 'unknown state',
      frame: {
        ...FIXTURE_FRAME,
        groups: { g: { state: 'LEADER' as 'MASTER', priority: 1, epoch: 1 } },
      },
      code: 'invalid-field',
    },
    {
      name: 'short incarnation',
      frame: { ...FIXTURE_FRAME, incarnation: 'abc' },
      code: 'invalid-field',
    },
    { name: 'fractional seq', frame: { ...FIXTURE_FRAME, seq: 1.5 }, code: 'invalid-field' },
    {
      name: 'groups beyond the frame size',
      frame: {
        ...FIXTURE_FRAME,
        groups: Object.fromEntries(
          Array.from({ length: 3000 }, (_, i) => [
            `group-with-a-long-name-${i}`,
            { state: 'BACKUP' as const, priority: 1, epoch: 1 },
          ]),
        ),
      },
      code: 'frame-too-large',
    },
  ];
  encodeTable.push(
    {
      name: 'an empty master id',
      frame: {
        ...FIXTURE_FRAME,
        groups: { g: { state: 'BACKUP', priority: 1, epoch: 1, master: '' } },
      },
      code: 'invalid-field',
    },
    {
      name: 'a node twice in hears',
      frame: { ...FIXTURE_FRAME, hears: ['b', 'b'] },
      code: 'invalid-field',
    },
    {
      name: 'a 256-byte hears entry',
      frame: { ...FIXTURE_FRAME, hears: ['x'.repeat(256)] },
      code: 'invalid-field',
    },
  );
  for (const { name, frame, code } of encodeTable) {
    it(`refuses to encode ${name} (${code})`, () => {
      assert.throws(
        () => encodeHeartbeat(frame, KEY),
        (error: unknown) => error instanceof HeartbeatEncodeError && error.code === code,
      );
    });
  }
});
