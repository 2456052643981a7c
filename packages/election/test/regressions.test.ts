// Every schedule the fuzz campaign (npm run fuzz:election) ever found failing, replayed by
// its seed with all the property checks. Each was a real bug or a checker artifact at the
// time; they stay here so neither comes back. A seed names a schedule only as long as
// test/support/schedules.ts generates the same schedules from it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checkAll, describeRun, play, scheduleArbitrary } from './support/schedules.js';

const ONCE_BROKEN: readonly { seed: number; what: string }[] = [
  {
    seed: 2770,
    what: 'witness without group info: two masters both backed by it (exclusive votes)',
  },
  { seed: 518858, what: 'preemption at the moment of a partition (vote leases shorter than D)' },
  { seed: 2030053, what: 'a lossy link kept an outbid master counted as a voter (handover grace)' },
  { seed: 2005458, what: 'two masters at startup under 70% loss (handover grace)' },
  { seed: 12026632, what: 'zero-delay livelock: crossing claims fenced each other forever' },
  {
    seed: 50185848,
    what: 'claims nobody heard (one-way block) kept votes from voters following nobody',
  },
  { seed: 9052219, what: 'takeover and crash in the same millisecond (timeline order)' },
  { seed: 515338, what: 'resign, crash and restart in the same millisecond (checker order)' },
  { seed: 126226, what: 'preemption exactly at the convergence deadline (handover window)' },
  { seed: 110119, what: 'resign at the start millisecond (checker order)' },
  {
    seed: 164517439,
    what: 'an owner preempted the master that heard it, then yielded to one that did not, forever',
  },
];

describe('fuzz seeds that once failed', () => {
  const property = fc.property(scheduleArbitrary({ maxDisturbances: 12 }), (schedule) => {
    const run = play(schedule);
    const problems = checkAll(run);
    assert.deepEqual(problems, [], `${problems.join('\n')}\n${describeRun(run)}`);
  });
  for (const { seed, what } of ONCE_BROKEN)
    it(`seed ${seed}: ${what}`, () => {
      fc.assert(property, { seed, numRuns: 1 });
    });
});
