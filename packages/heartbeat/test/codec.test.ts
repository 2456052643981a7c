// The codec against a byte fixture (protocol version 3) written one wire field per line,
// then a table of broken frames, each asserting the stable error code it must produce, and
// the order of the checks: nothing past the header is read before the MAC holds.

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
  MAC_LABEL,
  MAX_FRAME_BYTES,
  PROTOCOL_VERSION,
  type DecodeErrorCode,
  type HeartbeatFrame,
} from '../src/index.js';

const KEY = Buffer.from('fixture-key-0123456789abcdef-0123');
const ascii = (text: string): number[] => [...Buffer.from(text, 'ascii')];
const hex = (text: string): number[] => [...Buffer.from(text, 'hex')];
/** HMAC-SHA256 over the domain label, then the frame: how version 3 signs. */
const sign = (body: Buffer, key: Uint8Array = KEY): Buffer =>
  Buffer.concat([
    body,
    createHmac('sha256', key).update(MAC_LABEL, 'latin1').update(body).digest(),
  ]);

const FIXTURE_FRAME: HeartbeatFrame = {
  kind: 'heartbeat',
  role: 'dialer',
  incarnation: '00112233445566778899aabbccddeeff',
  nonce: 'ffeeddccbbaa99887766554433221100',
  seq: 42,
  sentAtMs: 1700000000000.5,
  echoSentAtMs: 1699999999990.25,
  echoHeldMs: 1.5,
  clusterName: 'lab',
  nodeId: 'a',
  receiverId: 'b',
  groups: {
    web: { state: 'MASTER', priority: 200, epoch: 9, master: 'a' },
    db: { state: 'BACKUP', priority: 100, epoch: 8, master: null },
  },
  hears: ['b', 'w1'],
};

/** The fixture frame without its MAC, field by field. */
function fixtureBody(patch: Partial<Record<string, number[]>> = {}): Buffer {
  const fields: [string, number[]][] = [
    ['magic', [0x76, 0x68]],
    ['version', [3]],
    ['kind', [0x02]],
    ['role', [0x01]], // dialer
    ['incarnation', hex('00112233445566778899aabbccddeeff')],
    ['nonce', hex('ffeeddccbbaa99887766554433221100')],
    ['seq', [0, 0, 0, 0, 0, 0, 0, 0x2a]],
    ['sentAtMs', [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x80, 0x08, 0x00]],
    ['echoSentAtMs', [0x42, 0x78, 0xbc, 0xfe, 0x56, 0x7f, 0x64, 0x00]],
    ['echoHeldMs', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0]],
    ['cluster', [3, ...ascii('lab')]],
    ['nodeId', [1, ...ascii('a')]],
    ['receiverId', [1, ...ascii('b')]],
    ['groupCount', [0, 2]],
    ['group0.name', [3, ...ascii('web')]],
    ['group0.state', [3]], // MASTER
    ['group0.priority', [200]],
    ['group0.epoch', [0, 0, 0, 0, 0, 0, 0, 9]],
    ['group0.master', [2, 1, ...ascii('a')]], // tag 2: a node id follows
    ['group1.name', [2, ...ascii('db')]],
    ['group1.state', [2]], // BACKUP
    ['group1.priority', [100]],
    ['group1.epoch', [0, 0, 0, 0, 0, 0, 0, 8]],
    ['group1.master', [1]], // tag 1: hears no master
    ['hearsTag', [1]], // 1: a list follows
    ['hearsCount', [0, 2]],
    ['hears0', [1, ...ascii('b')]],
    ['hears1', [2, ...ascii('w1')]],
  ];
  return Buffer.from(fields.flatMap(([name, bytes]) => patch[name] ?? bytes));
}

const FIXTURE = sign(fixtureBody());

function decodeError(bytes: Uint8Array, clusterName?: string): DecodeErrorCode {
  try {
    decodeHeartbeat(bytes, { key: KEY, ...(clusterName === undefined ? {} : { clusterName }) });
  } catch (error) {
    assert.ok(error instanceof HeartbeatDecodeError, `threw ${String(error)}`);
    // The code is SCREAMING_SNAKE; the reason it is counted under stays the kebab-case name.
    assert.equal(error.reason, error.code.toLowerCase().replaceAll('_', '-'));
    return error.code;
  }
  assert.fail('decoded a frame that should have been rejected');
}

/**
 * A GroupsCache that counts every read and write of its bytes: the state section was reached
 * (looked up, or parsed and stored).
 */
function spyCache(): { cache: GroupsCache; looks: () => number } {
  let looks = 0;
  const cache = new GroupsCache();
  let bytes: Buffer | null = null;
  Object.defineProperty(cache, 'bytes', {
    get: () => {
      looks++;
      return bytes;
    },
    set: (value: Buffer | null) => {
      looks++;
      bytes = value;
    },
  });
  return { cache, looks: () => looks };
}

describe('heartbeat codec', () => {
  it('encodes the version 3 fixture byte for byte', () => {
    assert.equal(PROTOCOL_VERSION, 3);
    assert.deepEqual(Buffer.from(encodeHeartbeat(FIXTURE_FRAME, KEY)), FIXTURE);
  });

  it('decodes the fixture: role, receiver, master per group, hears per frame', () => {
    assert.deepEqual(decodeHeartbeat(FIXTURE, { key: KEY, clusterName: 'lab' }), FIXTURE_FRAME);
    assert.equal(frameVersion(FIXTURE), 3);
  });

  it('signs the domain label: an HMAC over the frame bytes alone is not its MAC', () => {
    const body = fixtureBody();
    const bare = Buffer.concat([body, createHmac('sha256', KEY).update(body).digest()]);
    assert.equal(decodeError(bare), 'BAD_MAC');
  });

  /** The fixture without a hears list. */
  const withoutHears = (): Omit<HeartbeatFrame, 'hears'> => {
    const copy: { -readonly [K in keyof HeartbeatFrame]?: HeartbeatFrame[K] } = {
      ...FIXTURE_FRAME,
    };
    delete copy.hears;
    return copy as Omit<HeartbeatFrame, 'hears'>;
  };

  it('keeps "not stated" apart from "none"', () => {
    const rest = withoutHears();
    const silent: HeartbeatFrame = {
      ...rest,
      groups: { web: { state: 'MASTER', priority: 200, epoch: 9 } },
    };
    const decoded = decodeHeartbeat(encodeHeartbeat(silent, KEY), { key: KEY });
    assert.equal(Object.hasOwn(decoded, 'hears'), false);
    assert.equal(Object.hasOwn(decoded.groups.web ?? {}, 'master'), false);
    const none = decodeHeartbeat(encodeHeartbeat({ ...FIXTURE_FRAME, hears: [] }, KEY), {
      key: KEY,
    });
    assert.deepEqual(none.hears, []);
    assert.equal(none.groups.db?.master, null);
  });

  it("round-trips an acceptor's hello with no groups and the largest seq", () => {
    const rest = withoutHears();
    const hello: HeartbeatFrame = {
      ...rest,
      kind: 'hello',
      role: 'acceptor',
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
    const next = encodeHeartbeat({ ...FIXTURE_FRAME, seq: 43, sentAtMs: 1700000000010 }, KEY);
    const second = decodeHeartbeat(next, { key: KEY, groupsCache: cache });
    assert.equal(second.groups, first.groups, 'same object for the same bytes');
    assert.ok(Object.isFrozen(second.groups));
    const changed = encodeHeartbeat(
      {
        ...FIXTURE_FRAME,
        groups: { ...FIXTURE_FRAME.groups, db: { state: 'MASTER', priority: 100, epoch: 9 } },
      },
      KEY,
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
      (error: unknown) => error instanceof HeartbeatDecodeError && error.code === 'BAD_MAC',
    );
  });

  describe('authenticates before it parses', () => {
    const garbageGroups = {
      groupCount: [0xff, 0xff], // 65,535 groups announced...
      'group0.state': [9], // ...and an unknown state in the first
    };

    it('rejects garbage groups under a wrong MAC as bad-mac, not malformed', () => {
      const unsigned = Buffer.concat([fixtureBody(garbageGroups), Buffer.alloc(32)]);
      assert.equal(decodeError(unsigned), 'BAD_MAC');
      // The same garbage correctly signed is malformed: the check did run, after the MAC.
      assert.equal(decodeError(sign(fixtureBody(garbageGroups))), 'MALFORMED');
    });

    it('never touches the state section of a frame whose MAC fails', () => {
      const { cache, looks } = spyCache();
      const forged = Buffer.from(FIXTURE);
      forged[forged.length - 1]! ^= 1;
      assert.throws(
        () => decodeHeartbeat(forged, { key: KEY, groupsCache: cache }),
        (error: unknown) => error instanceof HeartbeatDecodeError && error.code === 'BAD_MAC',
      );
      assert.equal(looks(), 0, "the groups cache (the state parser's first step) was read");
      decodeHeartbeat(FIXTURE, { key: KEY, groupsCache: cache });
      assert.ok(looks() > 0, 'an authentic frame does reach the state section');
    });

    it('does not parse a max-size frame of groups that fails its MAC', () => {
      // 64 KiB of syntactically valid groups under a wrong key: rejected as bad-mac, with
      // the parser never reached (the spy) — one HMAC is all it costs.
      const groups: Record<string, HeartbeatFrame['groups'][string]> = {};
      for (let i = 0; i < 2000; i++) {
        groups[`g${String(i).padStart(19, '0')}`] = { state: 'BACKUP', priority: 1, epoch: 1 };
      }
      const big = encodeHeartbeat({ ...FIXTURE_FRAME, groups }, Buffer.alloc(32, 7));
      assert.ok(big.length > 60_000, `frame is ${big.length} bytes`);
      const { cache, looks } = spyCache();
      assert.throws(
        () => decodeHeartbeat(big, { key: KEY, groupsCache: cache }),
        (error: unknown) => error instanceof HeartbeatDecodeError && error.code === 'BAD_MAC',
      );
      assert.equal(looks(), 0);
    });
  });

  const table: { name: string; bytes: () => Uint8Array; code: DecodeErrorCode }[] = [
    { name: 'empty', bytes: () => Buffer.alloc(0), code: 'TRUNCATED' },
    { name: 'magic only', bytes: () => FIXTURE.subarray(0, 2), code: 'TRUNCATED' },
    {
      name: 'bad magic',
      bytes: () => sign(fixtureBody({ magic: ascii('GE') })),
      code: 'MALFORMED',
    },
    { name: 'HTTP text', bytes: () => Buffer.from('GET / HTTP/1.1\r\n\r\n'), code: 'MALFORMED' },
    { name: 'version 2', bytes: () => sign(fixtureBody({ version: [2] })), code: 'BAD_VERSION' },
    { name: 'version 1', bytes: () => sign(fixtureBody({ version: [1] })), code: 'BAD_VERSION' },
    { name: 'version 4', bytes: () => sign(fixtureBody({ version: [4] })), code: 'BAD_VERSION' },
    {
      name: 'a version 2 frame cut to its version byte',
      bytes: () => Buffer.from([0x76, 0x68, 2]),
      code: 'BAD_VERSION',
    },
    { name: 'unknown role', bytes: () => sign(fixtureBody({ role: [3] })), code: 'MALFORMED' },
    {
      name: 'empty receiver id',
      bytes: () => sign(fixtureBody({ receiverId: [0] })),
      code: 'MALFORMED',
    },
    {
      name: 'unknown master tag',
      bytes: () => sign(fixtureBody({ 'group1.master': [3] })),
      code: 'MALFORMED',
    },
    {
      name: 'empty master name',
      bytes: () => sign(fixtureBody({ 'group0.master': [2, 0] })),
      code: 'MALFORMED',
    },
    {
      name: 'master name past the end',
      bytes: () => sign(fixtureBody({ 'group0.master': [2, 200, 0x61] })),
      code: 'TRUNCATED',
    },
    {
      name: 'unknown hears tag',
      bytes: () => sign(fixtureBody({ hearsTag: [2] })),
      code: 'MALFORMED',
    },
    {
      name: 'hears names a node twice',
      bytes: () => sign(fixtureBody({ hears1: [1, ...ascii('b')] })),
      code: 'MALFORMED',
    },
    {
      name: 'hears entry not UTF-8',
      bytes: () => sign(fixtureBody({ hears1: [2, 0xc3, 0x28] })),
      code: 'MALFORMED',
    },
    {
      name: 'more hears announced than present',
      bytes: () => sign(fixtureBody({ hearsCount: [0, 3] })),
      code: 'TRUNCATED',
    },
    {
      name: 'hears section missing',
      bytes: () => sign(fixtureBody({ hearsTag: [], hearsCount: [], hears0: [], hears1: [] })),
      code: 'TRUNCATED',
    },
    { name: 'version 0', bytes: () => sign(fixtureBody({ version: [0] })), code: 'BAD_VERSION' },
    { name: 'header cut short', bytes: () => FIXTURE.subarray(0, 40), code: 'TRUNCATED' },
    { name: 'unknown kind', bytes: () => sign(fixtureBody({ kind: [9] })), code: 'MALFORMED' },
    { name: 'empty cluster', bytes: () => sign(fixtureBody({ cluster: [0] })), code: 'MALFORMED' },
    {
      name: 'cluster length past the end',
      bytes: () => fixtureBody().subarray(0, 71),
      code: 'TRUNCATED',
    },
    {
      name: 'node id not UTF-8',
      bytes: () => sign(fixtureBody({ nodeId: [2, 0xc3, 0x28] })),
      code: 'MALFORMED',
    },
    {
      name: 'unknown group state',
      bytes: () => sign(fixtureBody({ 'group0.state': [9] })),
      code: 'MALFORMED',
    },
    {
      name: 'group listed twice',
      bytes: () => sign(fixtureBody({ 'group1.name': [3, ...ascii('web')] })),
      code: 'MALFORMED',
    },
    {
      name: 'epoch above 2^53-1',
      bytes: () => sign(fixtureBody({ 'group0.epoch': [0, 0x20, 0, 0, 0, 0, 0, 0] })),
      code: 'MALFORMED',
    },
    {
      name: 'seq above 2^53-1',
      bytes: () => sign(fixtureBody({ seq: [0xff, 0, 0, 0, 0, 0, 0, 0] })),
      code: 'MALFORMED',
    },
    {
      name: 'sentAtMs NaN',
      bytes: () => sign(fixtureBody({ sentAtMs: [0x7f, 0xf8, 0, 0, 0, 0, 0, 0] })),
      code: 'MALFORMED',
    },
    {
      name: 'negative echoHeldMs',
      bytes: () => sign(fixtureBody({ echoHeldMs: [0xbf, 0xf8, 0, 0, 0, 0, 0, 0] })),
      code: 'MALFORMED',
    },
    {
      name: 'more groups announced than present',
      bytes: () => sign(fixtureBody({ groupCount: [0, 3] })),
      code: 'TRUNCATED',
    },
    // The MAC is the last 32 bytes, checked before the state section is read: a frame cut
    // or extended past its header fails the MAC (it cannot be told from a forged one
    // without parsing bytes nobody vouched for).
    { name: 'MAC cut short', bytes: () => FIXTURE.subarray(0, -1), code: 'BAD_MAC' },
    { name: 'no MAC', bytes: () => fixtureBody(), code: 'BAD_MAC' },
    {
      name: 'trailing byte',
      bytes: () => Buffer.concat([FIXTURE, Buffer.from([0])]),
      code: 'BAD_MAC',
    },
    {
      name: 'trailing byte, signed',
      bytes: () => sign(Buffer.concat([fixtureBody(), Buffer.from([0])])),
      code: 'MALFORMED',
    },
    {
      name: 'receiver id running into the MAC',
      bytes: () => sign(fixtureBody().subarray(0, 76)),
      code: 'TRUNCATED',
    },
    {
      name: 'MAC bit flipped',
      bytes: () => {
        const bytes = Buffer.from(FIXTURE);
        bytes[bytes.length - 1]! ^= 1;
        return bytes;
      },
      code: 'BAD_MAC',
    },
    {
      name: 'priority changed in flight',
      bytes: () =>
        Buffer.concat([fixtureBody({ 'group0.priority': [255] }), FIXTURE.subarray(-32)]),
      code: 'BAD_MAC',
    },
    {
      name: 'signed with another key',
      bytes: () => sign(fixtureBody(), Buffer.from('another-key-0123456789abcdef-01234')),
      code: 'BAD_MAC',
    },
    { name: 'too large', bytes: () => Buffer.alloc(MAX_FRAME_BYTES + 1), code: 'OVERSIZED' },
  ];
  for (const { name, bytes, code } of table) {
    it(`rejects ${name} as ${code}`, () => {
      assert.equal(decodeError(bytes()), code);
    });
  }

  it('reports another cluster before the MAC', () => {
    const otherCluster = sign(
      fixtureBody({ cluster: [5, ...ascii('other')] }),
      Buffer.from('x'.repeat(32)),
    );
    assert.equal(decodeError(otherCluster, 'lab'), 'WRONG_CLUSTER');
    assert.equal(
      decodeError(otherCluster),
      'BAD_MAC',
      'without an expectation it is just a bad MAC',
    );
  });

  const encodeTable: { name: string; frame: HeartbeatFrame; code: string }[] = [
    { name: 'empty node id', frame: { ...FIXTURE_FRAME, nodeId: '' }, code: 'INVALID_FIELD' },
    {
      name: '256-byte cluster name',
      frame: { ...FIXTURE_FRAME, clusterName: 'x'.repeat(256) },
      code: 'INVALID_FIELD',
    },
    {
      name: 'lone surrogate in a group name',
      frame: { ...FIXTURE_FRAME, groups: { '\ud800': { state: 'MASTER', priority: 1, epoch: 1 } } },
      code: 'INVALID_FIELD',
    },
    {
      name: 'priority 256',
      frame: { ...FIXTURE_FRAME, groups: { g: { state: 'MASTER', priority: 256, epoch: 1 } } },
      code: 'INVALID_FIELD',
    },
    {
      name: 'negative epoch',
      frame: { ...FIXTURE_FRAME, groups: { g: { state: 'MASTER', priority: 1, epoch: -1 } } },
      code: 'INVALID_FIELD',
    },
    {
      name: 'unknown state',
      frame: {
        ...FIXTURE_FRAME,
        groups: { g: { state: 'LEADER' as 'MASTER', priority: 1, epoch: 1 } },
      },
      code: 'INVALID_FIELD',
    },
    {
      name: 'short incarnation',
      frame: { ...FIXTURE_FRAME, incarnation: 'abc' },
      code: 'INVALID_FIELD',
    },
    { name: 'fractional seq', frame: { ...FIXTURE_FRAME, seq: 1.5 }, code: 'INVALID_FIELD' },
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
      code: 'FRAME_TOO_LARGE',
    },
  ];
  encodeTable.push(
    {
      name: 'an empty master id',
      frame: {
        ...FIXTURE_FRAME,
        groups: { g: { state: 'BACKUP', priority: 1, epoch: 1, master: '' } },
      },
      code: 'INVALID_FIELD',
    },
    {
      name: 'a node twice in hears',
      frame: { ...FIXTURE_FRAME, hears: ['b', 'b'] },
      code: 'INVALID_FIELD',
    },
    {
      name: 'a 256-byte hears entry',
      frame: { ...FIXTURE_FRAME, hears: ['x'.repeat(256)] },
      code: 'INVALID_FIELD',
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
