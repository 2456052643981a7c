// The priority arithmetic (RFC 5798 §5.2.4 ranges plus tracker weights) and the table of
// legal state changes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareCandidates, compareClaims, weightedPriority } from '../src/priority.js';
import {
  assertLegalTransition,
  IllegalTransitionError,
  isLegalTransition,
} from '../src/transitions.js';
import type { GroupState } from '../src/types.js';

describe('weightedPriority', () => {
  const table: [base: number, weights: number, expected: number, why: string][] = [
    [100, 0, 100, 'no tracker'],
    [100, -30, 70, 'a failing weighted tracker'],
    [100, 500, 254, 'weights never make an owner'],
    [100, -500, 1, 'weights never resign a node'],
    [1, -1, 1, 'floor is 1'],
    [254, 10, 254, 'ceiling is 254'],
    [255, 0, 255, 'an owner stays owner while healthy'],
    [255, 20, 255, 'positive weights keep an owner an owner'],
    [255, -1, 254, 'an unhealthy owner becomes an ordinary node'],
    [255, -100, 155, '...ranked by its weights'],
    [0, 0, 0, 'priority 0 never becomes master'],
    [0, 200, 0, '...whatever the trackers say'],
  ];
  for (const [base, weights, expected, why] of table) {
    it(`${base} + ${weights} = ${expected}: ${why}`, () => {
      assert.equal(weightedPriority(base, weights), expected);
    });
  }
});

describe('ordering', () => {
  it('candidates: priority first, then the greater node id (like §6.4.3 greater IP)', () => {
    assert.ok(
      compareCandidates({ priority: 200, nodeId: 'a' }, { priority: 100, nodeId: 'z' }) > 0,
    );
    assert.ok(
      compareCandidates({ priority: 100, nodeId: 'b' }, { priority: 100, nodeId: 'a' }) > 0,
    );
    assert.equal(
      compareCandidates({ priority: 100, nodeId: 'a' }, { priority: 100, nodeId: 'a' }),
      0,
    );
  });

  it('claims: epoch first, then priority, then node id', () => {
    assert.ok(
      compareClaims(
        { epoch: 2, priority: 1, nodeId: 'a' },
        { epoch: 1, priority: 255, nodeId: 'z' },
      ) > 0,
    );
    assert.ok(
      compareClaims(
        { epoch: 1, priority: 2, nodeId: 'a' },
        { epoch: 1, priority: 1, nodeId: 'z' },
      ) > 0,
    );
    assert.ok(
      compareClaims(
        { epoch: 1, priority: 1, nodeId: 'b' },
        { epoch: 1, priority: 1, nodeId: 'a' },
      ) > 0,
    );
  });

  it('node ids compare by code unit, not by locale', () => {
    assert.ok(compareCandidates({ priority: 1, nodeId: 'b' }, { priority: 1, nodeId: 'B' }) > 0);
    assert.ok(compareCandidates({ priority: 1, nodeId: 'n10' }, { priority: 1, nodeId: 'n9' }) < 0);
  });
});

describe('legal transitions', () => {
  const states: GroupState[] = ['INIT', 'BACKUP', 'MASTER', 'FAULT', 'MAINTENANCE'];
  const legal = new Set([
    'INIT>BACKUP',
    'INIT>MASTER',
    'INIT>FAULT',
    'INIT>MAINTENANCE',
    'BACKUP>MASTER',
    'BACKUP>FAULT',
    'BACKUP>MAINTENANCE',
    'MASTER>BACKUP',
    'MASTER>FAULT',
    'MASTER>MAINTENANCE',
    'FAULT>BACKUP',
    'FAULT>MAINTENANCE',
    'MAINTENANCE>BACKUP',
    'MAINTENANCE>FAULT',
  ]);
  for (const from of states)
    for (const to of states) {
      const ok = legal.has(`${from}>${to}`);
      it(`${from} -> ${to} is ${ok ? 'legal' : 'illegal and throws'}`, () => {
        assert.equal(isLegalTransition(from, to), ok);
        if (ok)
          assert.doesNotThrow(() => {
            assertLegalTransition('web', from, to);
          });
        else
          assert.throws(
            () => {
              assertLegalTransition('web', from, to);
            },
            (e: unknown) => {
              assert.ok(e instanceof IllegalTransitionError);
              assert.deepEqual(
                { code: e.code, from: e.from, to: e.to },
                { code: 'ILLEGAL_TRANSITION', from, to },
              );
              assert.match(e.message, new RegExp(`${from} -> ${to}`));
              return true;
            },
          );
      });
    }
});
