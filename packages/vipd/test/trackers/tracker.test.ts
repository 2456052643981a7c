import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import type { GroupSpec } from '../../src/config/types.js';
import type { Check, CheckResult } from '../../src/trackers/check.js';
import { trackEffect } from '../../src/trackers/effect.js';
import { Tracker, type TrackerReading } from '../../src/trackers/tracker.js';
import {
  INTERFACE_TRACK_INTERVAL_MS,
  TrackerSet,
  type TrackerEffectOnGroup,
} from '../../src/trackers/tracker-set.js';
import { tempDir } from '../tmpdir.js';

/**
 * Lets the trackers' promise callbacks run. Every check here answers without waiting on time,
 * and time moves only when the test advances the manual clock.
 */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A check that replays a script of results, then repeats the last one. */
function scripted(results: readonly boolean[]): { check: Check; calls: () => number } {
  let calls = 0;
  return {
    check: () => {
      const ok = results[Math.min(calls, results.length - 1)] ?? true;
      calls += 1;
      return Promise.resolve<CheckResult>({ ok, detail: ok ? 'ok' : 'bad' });
    },
    calls: () => calls,
  };
}

describe('Tracker rise/fall', () => {
  it('takes the first result at once, then needs fall failures / rise successes in a row', async () => {
    const { check, calls } = scripted([
      true,
      false,
      true,
      false,
      false,
      false,
      true,
      true,
      false,
      true,
      true,
      true,
    ]);
    const changes: (boolean | null)[] = [];
    const clock = createManualClock();
    const tracker = new Tracker(
      { name: 't', type: 'script', intervalMs: 1000, rise: 3, fall: 3 },
      check,
      (r) => {
        changes.push(r.up);
      },
      clock,
    );
    tracker.start();
    await settle();
    for (let done = 1; done < 12; done += 1) {
      assert.equal(calls(), done);
      clock.advance(999);
      assert.equal(calls(), done, 'the next check waits out the interval after the last one');
      clock.advance(1);
      await settle();
    }
    assert.equal(calls(), 12);
    await tracker.stop();
    // up at once; the lone failures do not flip it; three in a row do; three successes bring it back
    assert.deepEqual(changes, [true, false, true]);
  });

  it('stops: no check runs after stop() resolves', async () => {
    const { check, calls } = scripted([true]);
    const clock = createManualClock();
    const tracker = new Tracker(
      { name: 't', type: 'tcp', intervalMs: 1, rise: 1, fall: 1 },
      check,
      () => {},
      clock,
    );
    tracker.start();
    await settle();
    for (let n = 0; n < 2; n += 1) {
      clock.advance(1);
      await settle();
    }
    assert.equal(calls(), 3);
    await tracker.stop();
    assert.equal(clock.pendingTimers(), 0, 'stop() cancels the next check');
    clock.advance(60_000);
    await settle();
    assert.equal(calls(), 3);
  });
});

describe('Tracker.checkNow', () => {
  it('checks at once instead of waiting out the interval', async () => {
    const { check, calls } = scripted([true, false]);
    const changes: (boolean | null)[] = [];
    const clock = createManualClock();
    const tracker = new Tracker(
      { name: 't', type: 'interface', intervalMs: 60_000, rise: 1, fall: 1 },
      check,
      (r) => changes.push(r.up),
      clock,
    );
    try {
      tracker.start();
      await tracker.firstReading();
      assert.equal(calls(), 1);
      clock.advance(30_000);
      tracker.checkNow();
      await settle();
      assert.deepEqual(changes, [true, false]);
      assert.equal(calls(), 2, 'one check per poke');
      clock.advance(59_999);
      assert.equal(calls(), 2, 'the interval restarts from the poked check');
      clock.advance(1);
      assert.equal(calls(), 3);
    } finally {
      await tracker.stop();
    }
  });

  it('a poke during a check runs one more right after it, never two at once', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let calls = 0;
    let release: (() => void) | undefined;
    const slow: Check = () => {
      calls += 1;
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      return new Promise((resolve) => {
        release = () => {
          inFlight -= 1;
          resolve({ ok: true, detail: 'ok' });
        };
      });
    };
    const clock = createManualClock();
    const tracker = new Tracker(
      { name: 't', type: 'interface', intervalMs: 60_000, rise: 1, fall: 1 },
      slow,
      () => {},
      clock,
    );
    try {
      tracker.start();
      tracker.checkNow();
      tracker.checkNow();
      assert.equal(calls, 1);
      release?.();
      await settle();
      assert.equal(calls, 2, 'the follow-up check runs as soon as the first one finished');
      release?.();
      await settle();
      assert.equal(calls, 2, 'two pokes during one check make one follow-up');
      assert.equal(maxInFlight, 1);
      assert.equal(clock.pendingTimers(), 1, 'after the follow-up, only the interval is due');
    } finally {
      await tracker.stop();
    }
  });
});

describe('trackEffect (keepalived weight semantics)', () => {
  const reading = (up: boolean | null, value = 0): TrackerReading => ({ up, value, detail: null });
  const table: [
    string,
    TrackerReading,
    number,
    boolean,
    { weightDelta: number; fault: boolean },
  ][] = [
    ['weight 0, down → FAULT', reading(false), 0, false, { weightDelta: 0, fault: true }],
    ['weight 0, up → nothing', reading(true), 0, false, { weightDelta: 0, fault: false }],
    [
      'negative weight applies while down',
      reading(false),
      -30,
      false,
      { weightDelta: -30, fault: false },
    ],
    ['negative weight, up → nothing', reading(true), -30, false, { weightDelta: 0, fault: false }],
    [
      'positive weight applies while up',
      reading(true),
      20,
      false,
      { weightDelta: 20, fault: false },
    ],
    [
      'positive weight, down → nothing',
      reading(false),
      20,
      false,
      { weightDelta: 0, fault: false },
    ],
    ['unknown yet → nothing', reading(null), 0, false, { weightDelta: 0, fault: false }],
    ['file: value × weight', reading(true, 3), -10, true, { weightDelta: -30, fault: false }],
    ['file: clamped to ±254', reading(true, 100), -10, true, { weightDelta: -254, fault: false }],
    [
      'file, weight 0: non-zero → FAULT',
      reading(true, 1),
      0,
      true,
      { weightDelta: 0, fault: true },
    ],
    ['file, weight 0: zero → nothing', reading(true, 0), 0, true, { weightDelta: 0, fault: false }],
    ['file unreadable → FAULT', reading(false), -10, true, { weightDelta: 0, fault: true }],
  ];
  for (const [name, r, weight, isFile, expected] of table) {
    it(name, () => {
      assert.deepEqual(trackEffect(r, weight, isFile), expected);
    });
  }
});

function group(name: string, track: GroupSpec['track'], trackInterface = false): GroupSpec {
  return {
    name,
    interface: 'lo',
    vips: [],
    priority: 100,
    preempt: true,
    preemptDelayMs: 0,
    track,
    trackInterface,
    notify: [],
    announce: { repeat: 1, intervalMs: 0, secondBurstDelayMs: 0, refreshMs: 0, mode: 'request' },
  };
}

describe('TrackerSet (real file trackers)', () => {
  it(
    'reports each group its own effect, and withdraws it when a reload drops the link',
    { timeout: 10_000 },
    async () => {
      const dir = tempDir();
      const clock = createManualClock();
      const reports = reportLog();
      const set = new TrackerSet(reports.add, { clock });
      const weightFile = `${dir.path}/weight`;
      try {
        dir.file('weight', '2\n');
        const spec = {
          name: 'w',
          type: 'file' as const,
          path: weightFile,
          intervalMs: 10,
          rise: 1,
          fall: 1,
        };
        set.apply(
          [spec],
          [
            group('web', [{ tracker: 'w', weight: -10 }]),
            group('db', [{ tracker: 'w', weight: 0 }]),
          ],
        );
        await reports.reach(2);
        assert.deepEqual(
          reports.all.slice(0, 2).sort((a, b) => a.group.localeCompare(b.group)),
          [
            { trackerId: 'w', group: 'db', weightDelta: 0, fault: true },
            { trackerId: 'w', group: 'web', weightDelta: -20, fault: false },
          ],
        );
        dir.file('weight', '0\n');
        clock.advance(10);
        await reports.reach(4);
        assert.deepEqual(
          reports.all.slice(2).sort((a, b) => a.group.localeCompare(b.group)),
          [
            { trackerId: 'w', group: 'db', weightDelta: 0, fault: false },
            { trackerId: 'w', group: 'web', weightDelta: 0, fault: false },
          ],
        );
        dir.file('weight', '1\n');
        clock.advance(10);
        await reports.reach(6);
        reports.all.length = 0;
        // Reload: web no longer tracks w; its -10 must be withdrawn, db keeps its fault.
        set.apply([spec], [group('web', []), group('db', [{ tracker: 'w', weight: 0 }])]);
        assert.deepEqual(reports.all, [
          { trackerId: 'w', group: 'web', weightDelta: 0, fault: false },
        ]);
        assert.deepEqual(set.linksOf('db'), [{ tracker: 'w', weight: 0, up: true }]);
      } finally {
        await set.stop();
        dir.remove();
      }
    },
  );

  it('re-checks interface trackers on a link notification for their interface only', async () => {
    const checked: string[] = [];
    const clock = createManualClock();
    const set = new TrackerSet(() => {}, {
      clock,
      createCheck: (spec) => () => {
        checked.push(spec.name);
        return Promise.resolve({ ok: true, detail: 'ok' });
      },
    });
    try {
      set.apply([], [group('web', [], true), { ...group('db', [], true), interface: 'eth1' }]);
      await set.firstReadings(2000);
      checked.length = 0;
      set.linkChanged('eth1');
      assert.deepEqual(checked, ['interface:eth1']);
      await settle();
      set.linkChanged('eth7'); // no tracker for it
      set.linkChanged(null); // notifications lost: every interface tracker
      assert.deepEqual(checked.slice(1).sort(), ['interface:eth1', 'interface:lo']);
      await settle();
      clock.advance(INTERFACE_TRACK_INTERVAL_MS - 1);
      assert.equal(checked.length, 3, 'the poll restarts from the re-check');
      clock.advance(1);
      assert.equal(checked.length, 5, 'then both are polled');
    } finally {
      await set.stop();
    }
  });

  it("tracks a group's own interface when track_interface is on", async () => {
    const set = new TrackerSet(() => {}, { clock: createManualClock() });
    try {
      set.apply([], [group('web', [], true)]);
      await set.firstReadings(2000);
      assert.deepEqual(set.linksOf('web'), [{ tracker: 'interface:lo', weight: 0, up: true }]);
      assert.deepEqual(
        set.states().map((s) => [s.name, s.type, s.reading.up]),
        [['interface:lo', 'interface', true]],
      );
    } finally {
      await set.stop();
    }
  });

  it('firstReadings gives up on a tracker that has not answered after its timeout', async () => {
    const clock = createManualClock();
    const set = new TrackerSet(() => {}, {
      clock,
      // Answers only when the tracker stops.
      createCheck: () => (signal) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            resolve({ ok: false, detail: 'stopped' });
          });
        }),
    });
    try {
      set.apply([], [group('web', [], true)]);
      let waited = false;
      const waiting = set.firstReadings(2000).then(() => {
        waited = true;
      });
      clock.advance(1999);
      await settle();
      assert.equal(waited, false);
      clock.advance(1);
      await waiting;
      assert.deepEqual(set.linksOf('web'), [{ tracker: 'interface:lo', weight: 0, up: null }]);
    } finally {
      await set.stop();
    }
  });
});

/** Collects a TrackerSet's reports; `reach(n)` resolves once n have arrived (file reads are real I/O). */
function reportLog(): {
  readonly all: TrackerEffectOnGroup[];
  readonly add: (report: TrackerEffectOnGroup) => void;
  reach(count: number): Promise<void>;
} {
  const all: TrackerEffectOnGroup[] = [];
  let waiter: { readonly count: number; readonly resolve: () => void } | null = null;
  return {
    all,
    add: (report) => {
      all.push(report);
      if (waiter !== null && all.length >= waiter.count) {
        waiter.resolve();
        waiter = null;
      }
    },
    reach: (count) =>
      all.length >= count
        ? Promise.resolve()
        : new Promise((resolve) => {
            waiter = { count, resolve };
          }),
  };
}
