import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EventRing } from '../../src/events/ring.js';
import type { EventInput, VipdEvent } from '../../src/events/types.js';

const transition = (group: string, to: string): EventInput => ({
  kind: 'transition',
  group,
  from: 'BACKUP',
  to,
  reason: 'master-down',
});

function ringOf(capacity: number, count: number): EventRing {
  let nowMs = 1_700_000_000_000;
  const ring = new EventRing({ capacity, node: 'n1', wallClockMs: () => (nowMs += 1000) });
  for (let i = 0; i < count; i++) ring.record(transition(i % 2 === 0 ? 'web' : 'db', `S${i}`));
  return ring;
}

const seqs = (events: readonly VipdEvent[]) => events.map((e) => e.seq);

describe('EventRing', () => {
  it('stamps seq, time and node on what a recorder hands in', () => {
    const ring = ringOf(10, 2);
    const [first, second] = ring.list();
    assert.deepEqual(first, {
      seq: 1,
      timeMs: 1_700_000_001_000,
      node: 'n1',
      kind: 'transition',
      group: 'web',
      from: 'BACKUP',
      to: 'S0',
      reason: 'master-down',
    });
    assert.equal(second?.seq, 2);
    assert.equal(ring.lastSeq, 2);
  });

  it('keeps only the newest `capacity` events, seq still counting', () => {
    const ring = ringOf(3, 10);
    assert.deepEqual(seqs(ring.list()), [8, 9, 10]);
    assert.equal(ring.oldestSeq, 8);
    assert.equal(ring.lastSeq, 10);
  });

  it('an empty ring: oldestSeq is lastSeq + 1, so no client thinks it missed anything', () => {
    const ring = ringOf(3, 0);
    assert.deepEqual(ring.list(), []);
    assert.equal(ring.oldestSeq, 1);
  });

  it('since: events after it, oldest first; limit takes the oldest after since', () => {
    const ring = ringOf(100, 10);
    assert.deepEqual(seqs(ring.list({ since: 6 })), [7, 8, 9, 10]);
    assert.deepEqual(seqs(ring.list({ since: 6, limit: 2 })), [7, 8]);
    assert.deepEqual(seqs(ring.list({ since: 10 })), []);
  });

  it('limit without since: the newest', () => {
    assert.deepEqual(seqs(ringOf(100, 10).list({ limit: 3 })), [8, 9, 10]);
  });

  it('group: only that group, with since and limit applied to its events', () => {
    const ring = ringOf(100, 10);
    assert.deepEqual(seqs(ring.list({ group: 'db' })), [2, 4, 6, 8, 10]);
    assert.deepEqual(seqs(ring.list({ group: 'db', limit: 2 })), [8, 10]);
    assert.deepEqual(seqs(ring.list({ group: 'web', since: 5, limit: 1 })), [7]);
    assert.deepEqual(ring.list({ group: 'none' }), []);
  });

  it('resize keeps the newest; a bad capacity is refused', () => {
    const ring = ringOf(10, 10);
    ring.resize(4);
    assert.deepEqual(seqs(ring.list()), [7, 8, 9, 10]);
    ring.resize(20);
    ring.record(transition('web', 'MASTER'));
    assert.deepEqual(seqs(ring.list()), [7, 8, 9, 10, 11]);
    assert.throws(() => {
      ring.resize(0);
    }, RangeError);
    assert.throws(() => new EventRing({ capacity: 1.5, node: 'n1' }), /positive integer/);
  });

  it('followers get each new event; unfollow stops them; one that throws is dropped', () => {
    const ring = ringOf(10, 1);
    const seen: number[] = [];
    const unfollow = ring.follow((e) => {
      seen.push(e.seq);
    });
    ring.follow(() => {
      throw new Error('broken follower');
    });
    assert.equal(ring.followers, 2);
    ring.record(transition('web', 'MASTER'));
    assert.equal(ring.followers, 1, 'the throwing follower is gone');
    unfollow();
    ring.record(transition('web', 'BACKUP'));
    assert.deepEqual(seen, [2]);
    assert.equal(ring.followers, 0);
  });
});
