// When announcement rounds happen, and which schedules are refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ArpError } from '../src/errors.js';
import {
  DEFAULT_SCHEDULE,
  announcementOffsets,
  refreshOffsets,
  resolveSchedule,
} from '../src/announce-schedule.js';
import type { AnnounceSchedule } from '../src/types.js';

function firstOffsets(overrides: Partial<AnnounceSchedule>, count: number): number[] {
  const offsets: number[] = [];
  for (const offset of announcementOffsets(resolveSchedule(overrides))) {
    offsets.push(offset);
    if (offsets.length === count) break;
  }
  return offsets;
}

describe('announcement schedule', () => {
  it('defaults: 5 frames 200 ms apart, the same again 5 s later, no refresh', () => {
    assert.deepEqual(DEFAULT_SCHEDULE, {
      repeat: 5,
      intervalMs: 200,
      secondBurstDelayMs: 5000,
      refreshMs: 0,
      refreshRepeat: 1,
      mode: 'request',
    });
    assert.deepEqual(
      [...announcementOffsets(DEFAULT_SCHEDULE)],
      [0, 200, 400, 600, 800, 5000, 5200, 5400, 5600, 5800],
    );
  });

  it("keepalived's defaults: garp_master_repeat 5 back to back, garp_master_delay 5 s", () => {
    assert.deepEqual(
      [...announcementOffsets(resolveSchedule({ intervalMs: 0 }))],
      [0, 0, 0, 0, 0, 5000, 5000, 5000, 5000, 5000],
    );
  });

  it('refreshOffsets: the refresh rounds after an instant, no burst', () => {
    const schedule = resolveSchedule({ refreshMs: 10_000, refreshRepeat: 2 });
    const after = (afterMs: number): number[] => {
      const offsets: number[] = [];
      for (const offset of refreshOffsets(schedule, afterMs)) {
        offsets.push(offset);
        if (offsets.length === 4) break;
      }
      return offsets;
    };
    assert.deepEqual(after(300), [10_000, 10_200, 20_000, 20_200]);
    assert.deepEqual(after(10_000), [10_200, 20_000, 20_200, 30_000]);
    assert.deepEqual([...refreshOffsets(resolveSchedule({}), 0)], [], 'no refresh, nothing');
  });

  it('secondBurstDelayMs 0 means a single burst', () => {
    assert.deepEqual(
      [...announcementOffsets(resolveSchedule({ repeat: 3, secondBurstDelayMs: 0 }))],
      [0, 200, 400],
    );
  });

  it('overlapping bursts come out in time order', () => {
    assert.deepEqual(
      [
        ...announcementOffsets(
          resolveSchedule({ repeat: 3, intervalMs: 100, secondBurstDelayMs: 150 }),
        ),
      ],
      [0, 100, 150, 200, 250, 350],
    );
  });

  it('refresh rounds repeat forever while master, refreshRepeat frames each', () => {
    assert.deepEqual(
      firstOffsets({ repeat: 2, secondBurstDelayMs: 0, refreshMs: 1000, refreshRepeat: 2 }, 8),
      [0, 200, 1000, 1200, 2000, 2200, 3000, 3200],
    );
  });

  it('refresh rounds interleave with a later second burst', () => {
    assert.deepEqual(
      firstOffsets({ repeat: 1, secondBurstDelayMs: 2500, refreshMs: 1000 }, 5),
      [0, 1000, 2000, 2500, 3000],
    );
  });

  const invalid: [string, Partial<AnnounceSchedule>][] = [
    ['repeat 0 (the first frame is the one that matters)', { repeat: 0 }],
    ['repeat 1.5', { repeat: 1.5 }],
    ['repeat 1000', { repeat: 1000 }],
    ['negative interval', { intervalMs: -1 }],
    ['NaN delay', { secondBurstDelayMs: Number.NaN }],
    ['refresh every 10 ms', { refreshMs: 10 }],
    ['refreshRepeat 0', { refreshRepeat: 0 }],
    ['mode "gratuitous"', { mode: 'gratuitous' as unknown as 'request' }],
  ];
  for (const [name, overrides] of invalid) {
    it(`refuses ${name} with INVALID_SCHEDULE`, () => {
      assert.throws(
        () => resolveSchedule(overrides),
        (error: unknown) => error instanceof ArpError && error.code === 'INVALID_SCHEDULE',
      );
    });
  }
});
