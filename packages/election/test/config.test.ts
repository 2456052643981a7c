// Config validation: a table of bad configs, each with the code and path it must report.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertValidElectionConfig,
  InvalidElectionConfigError,
  validateElectionConfig,
  type ElectionConfigErrorCode,
} from '../src/config.js';
import { Election } from '../src/election.js';
import { config, group } from './support/script.js';

const valid = config(
  'n1',
  ['n2', 'w1'],
  [group('web', 150), group('db', 100, { syncGroup: 'pair' })],
);

function withField(patch: Record<string, unknown>): unknown {
  return { ...valid, ...patch };
}

function withGroup(index: number, patch: Record<string, unknown>): unknown {
  return { ...valid, groups: valid.groups.map((g, i) => (i === index ? { ...g, ...patch } : g)) };
}

interface Case {
  readonly name: string;
  readonly config: unknown;
  readonly code: ElectionConfigErrorCode;
  readonly path: string;
  /** A word the message must contain, so it says why. */
  readonly says: string;
}

const cases: readonly Case[] = [
  { name: 'not an object', config: 42, code: 'NOT_AN_OBJECT', path: '', says: 'object' },
  { name: 'array', config: [], code: 'NOT_AN_OBJECT', path: '', says: 'object' },
  {
    name: 'missing node id',
    config: withField({ nodeId: undefined }),
    code: 'MISSING',
    path: 'nodeId',
    says: 'required',
  },
  {
    name: 'empty node id',
    config: withField({ nodeId: '' }),
    code: 'INVALID_NAME',
    path: 'nodeId',
    says: 'printable',
  },
  {
    name: 'node id with a space',
    config: withField({ nodeId: 'n 1' }),
    code: 'INVALID_NAME',
    path: 'nodeId',
    says: 'spaces',
  },
  {
    name: 'peers not a list',
    config: withField({ peers: 'n2' }),
    code: 'WRONG_TYPE',
    path: 'peers',
    says: 'list',
  },
  {
    name: 'peer not a string',
    config: withField({ peers: ['n2', 7] }),
    code: 'WRONG_TYPE',
    path: 'peers[1]',
    says: 'string',
  },
  {
    name: 'duplicate peer',
    config: withField({ peers: ['n2', 'n2'] }),
    code: 'DUPLICATE',
    path: 'peers[1]',
    says: 'peers[0]',
  },
  {
    name: 'node id among peers',
    config: withField({ peers: ['n2', 'n1'] }),
    code: 'SELF_AS_PEER',
    path: 'peers[1]',
    says: 'own id',
  },
  {
    name: 'interval 0',
    config: withField({ heartbeatIntervalMs: 0 }),
    code: 'OUT_OF_RANGE',
    path: 'heartbeatIntervalMs',
    says: '> 0',
  },
  {
    name: 'negative interval',
    config: withField({ heartbeatIntervalMs: -5 }),
    code: 'OUT_OF_RANGE',
    path: 'heartbeatIntervalMs',
    says: '> 0',
  },
  {
    name: 'interval NaN',
    config: withField({ heartbeatIntervalMs: Number.NaN }),
    code: 'WRONG_TYPE',
    path: 'heartbeatIntervalMs',
    says: 'number',
  },
  {
    name: 'interval infinite',
    config: withField({ heartbeatIntervalMs: Number.POSITIVE_INFINITY }),
    code: 'OUT_OF_RANGE',
    path: 'heartbeatIntervalMs',
    says: '<=',
  },
  {
    name: 'interval as a string',
    config: withField({ heartbeatIntervalMs: '100ms' }),
    code: 'WRONG_TYPE',
    path: 'heartbeatIntervalMs',
    says: '"100ms"',
  },
  {
    name: 'down multiplier 1',
    config: withField({ downMultiplier: 1 }),
    code: 'OUT_OF_RANGE',
    path: 'downMultiplier',
    says: '>= 2',
  },
  {
    name: 'down multiplier 2.5',
    config: withField({ downMultiplier: 2.5 }),
    code: 'NOT_AN_INTEGER',
    path: 'downMultiplier',
    says: 'whole',
  },
  {
    name: 'quorum not a boolean',
    config: withField({ quorum: 'yes' }),
    code: 'WRONG_TYPE',
    path: 'quorum',
    says: 'true or false',
  },
  {
    name: 'groups missing',
    config: withField({ groups: undefined }),
    code: 'MISSING',
    path: 'groups',
    says: 'witness',
  },
  {
    name: 'group not an object',
    config: withField({ groups: ['web'] }),
    code: 'NOT_AN_OBJECT',
    path: 'groups[0]',
    says: 'object',
  },
  {
    name: 'duplicate group',
    config: withGroup(1, { name: 'web' }),
    code: 'DUPLICATE',
    path: 'groups[1].name',
    says: 'groups[0]',
  },
  {
    name: 'priority 256',
    config: withGroup(0, { priority: 256 }),
    code: 'OUT_OF_RANGE',
    path: 'groups[0].priority',
    says: '<= 255',
  },
  {
    name: 'priority -1',
    config: withGroup(0, { priority: -1 }),
    code: 'OUT_OF_RANGE',
    path: 'groups[0].priority',
    says: '>= 0',
  },
  {
    name: 'priority 1.5',
    config: withGroup(0, { priority: 1.5 }),
    code: 'NOT_AN_INTEGER',
    path: 'groups[0].priority',
    says: 'whole',
  },
  {
    name: 'preempt missing',
    config: withGroup(0, { preempt: undefined }),
    code: 'MISSING',
    path: 'groups[0].preempt',
    says: 'required',
  },
  {
    name: 'negative preempt delay',
    config: withGroup(1, { preemptDelayMs: -1 }),
    code: 'OUT_OF_RANGE',
    path: 'groups[1].preemptDelayMs',
    says: '>= 0',
  },
  {
    name: 'empty sync group name',
    config: withGroup(1, { syncGroup: '' }),
    code: 'INVALID_NAME',
    path: 'groups[1].syncGroup',
    says: 'sync group',
  },
];

describe('validateElectionConfig', () => {
  it('accepts a valid config, a witness and a lone node', () => {
    assert.deepEqual(validateElectionConfig(valid), []);
    assert.deepEqual(validateElectionConfig(config('w1', ['n1', 'n2'], [], { quorum: true })), []);
    assert.deepEqual(validateElectionConfig(config('solo', [], [group('web', 0)])), []);
    assert.deepEqual(validateElectionConfig(config('n1', ['n2'], [group('web', 255)])), []);
  });

  for (const c of cases) {
    it(`${c.name}: ${c.code} at ${c.path || '(root)'}`, () => {
      const errors = validateElectionConfig(c.config);
      const match = errors.find((e) => e.path === c.path);
      assert.ok(match, `no error at ${c.path}; got ${JSON.stringify(errors)}`);
      assert.equal(match.code, c.code);
      assert.ok(
        match.message.includes(c.says),
        `message ${JSON.stringify(match.message)} should say ${c.says}`,
      );
    });
  }

  it('reports every problem at once, not just the first', () => {
    const errors = validateElectionConfig({
      ...valid,
      heartbeatIntervalMs: 0,
      downMultiplier: 1,
      peers: ['n1'],
    });
    assert.deepEqual(errors.map((e) => e.path).sort(), [
      'downMultiplier',
      'heartbeatIntervalMs',
      'peers[0]',
    ]);
  });

  it('the throwing form carries every error and names the fields in its message', () => {
    const bad = withField({ heartbeatIntervalMs: 0, downMultiplier: 1 });
    assert.throws(
      () => {
        assertValidElectionConfig(bad);
      },
      (error: unknown) => {
        assert.ok(error instanceof InvalidElectionConfigError);
        assert.equal(error.code, 'ELECTION_CONFIG_INVALID');
        assert.equal(error.errors.length, 2);
        assert.match(error.message, /heartbeatIntervalMs: must be > 0/);
        assert.match(error.message, /downMultiplier: must be >= 2/);
        return true;
      },
    );
    assert.throws(() => new Election(bad as never, 0), InvalidElectionConfigError);
  });
});
