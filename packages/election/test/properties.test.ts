// The guarantees (1)-(3) of README.md ("Guarantees, timing assumptions and limits") over
// random clusters and random chaos (partitions symmetric and one-way, loss, crashes of process
// or host, restarts, TCP resets, tracker faults, operator commands), each replayable from the
// seed fast-check prints. At least 1,000 schedules per normal run; `npm run fuzz:election`
// runs the same checks over 100,000.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  checkConvergence,
  checkQuorumOverlap,
  checkSplitBrainOnlyWhilePartitioned,
  describeRun,
  play,
  scheduleArbitrary,
  type PlayedRun,
} from './support/schedules.js';

function holds(check: (run: PlayedRun) => string[]) {
  return (schedule: Parameters<typeof play>[0]): void => {
    const run = play(schedule);
    const problems = check(run);
    assert.deepEqual(problems, [], `${problems.join('\n')}\n${describeRun(run)}`);
  };
}

describe('properties over random schedules', () => {
  it('(1) + (3) connected again, the cluster converges to one master per group, then never flaps', () => {
    fc.assert(fc.property(scheduleArbitrary(), holds(checkConvergence)), { numRuns: 450 });
  });

  it('(2) with the quorum guard, two masters never overlap longer than downMultiplier x interval', () => {
    fc.assert(fc.property(scheduleArbitrary({ quorum: true }), holds(checkQuorumOverlap)), {
      numRuns: 450,
    });
  });

  it('(2) without it, two masters overlap only while they cannot hear each other', () => {
    fc.assert(
      fc.property(scheduleArbitrary({ quorum: false }), holds(checkSplitBrainOnlyWhilePartitioned)),
      { numRuns: 450 },
    );
  });
});
