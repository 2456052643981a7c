// Bad or odd input never crashes the node nor changes the election; internal misuse throws.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Election } from '../src/election.js';
import type { ElectionEvent, PeerGroupState } from '../src/types.js';
import {
  type Advert,
  advertOf,
  config,
  DOWN_AFTER_MS,
  group,
  heartbeat,
  replay,
  tick,
} from './support/script.js';

const BOTH_MASTER: Record<string, Advert> = { web: [200, 'MASTER', 1], db: [200, 'MASTER', 1] };

function backup(): Election {
  const election = new Election(config('n1', ['n2'], [group('web', 100), group('db', 100)]), 0);
  election.step(tick(0));
  election.step(heartbeat(10, 'n2', BOTH_MASTER));
  return election;
}

function rawHeartbeat(nowMs: number, groups: unknown): ElectionEvent {
  return {
    type: 'heartbeat',
    nowMs,
    from: 'n2',
    incarnation: 'n2#1',
    groups: groups as Record<string, PeerGroupState>,
  };
}

describe('malformed heartbeats', () => {
  // `dropped`: the whole heartbeat is unusable, so nothing changes. Otherwise only the web
  // entry is: n2 advertises neither web nor db any more, and n1, the only candidate, takes both.
  const cases: { name: string; groups: unknown; dropped?: true }[] = [
    { name: 'priority above 255', groups: { web: { priority: 300, state: 'MASTER', epoch: 1 } } },
    { name: 'negative priority', groups: { web: { priority: -1, state: 'MASTER', epoch: 1 } } },
    { name: 'fractional priority', groups: { web: { priority: 1.5, state: 'MASTER', epoch: 1 } } },
    { name: 'unknown state', groups: { web: { priority: 200, state: 'BOSS', epoch: 1 } } },
    { name: 'negative epoch', groups: { web: { priority: 200, state: 'MASTER', epoch: -1 } } },
    { name: 'epoch NaN', groups: { web: { priority: 200, state: 'MASTER', epoch: Number.NaN } } },
    { name: 'advert is a string', groups: { web: 'MASTER' } },
    { name: 'advert is null', groups: { web: null } },
    { name: 'groups is null', groups: null, dropped: true },
  ];
  for (const c of cases) {
    it(`ignores ${c.name}: the entry counts as absent`, () => {
      const election = backup();
      assert.doesNotThrow(() => election.step(rawHeartbeat(50, c.groups)));
      const web = advertOf(election, 'web');
      if (c.dropped === true) {
        assert.equal(web.state, 'BACKUP');
        assert.equal(web.epoch, 1);
      } else {
        assert.equal(web.state, 'MASTER');
        assert.equal(web.epoch, 2);
      }
      // n2 stopped advertising db in the same heartbeat: n1 takes it, bad web entry or not.
      assert.equal(advertOf(election, 'db').state, c.dropped === true ? 'BACKUP' : 'MASTER');
    });
  }

  it('keys like __proto__ or constructor in a heartbeat are harmless', () => {
    const election = backup();
    const groups = JSON.parse(
      '{"web":{"priority":200,"state":"MASTER","epoch":1},"__proto__":{"priority":255,"state":"MASTER","epoch":9},"constructor":7}',
    ) as unknown;
    // n2 no longer advertises db: n1 takes db; web is unchanged; nothing else is read.
    replay(election, [
      { event: rawHeartbeat(50, groups), transitions: ['db:BACKUP->MASTER(master-resigned)'] },
    ]);
    assert.equal(advertOf(election, 'web').state, 'BACKUP');
    assert.equal(advertOf(election, 'db').epoch, 2);
  });

  it('heartbeats from unknown nodes or from itself are ignored', () => {
    const election = backup();
    replay(election, [
      { event: heartbeat(50, 'intruder', { web: [255, 'MASTER', 99] }) },
      { event: heartbeat(60, 'n1', { web: [255, 'MASTER', 99] }) },
      {
        event: tick(200),
        then: (e) => {
          assert.equal(advertOf(e, 'web').epoch, 1);
        },
      },
    ]);
  });
});

describe('time and misuse', () => {
  it('a timestamp older than the last event is treated as now, never as time going back', () => {
    const election = backup();
    election.step(tick(200));
    replay(election, [{ event: heartbeat(150, 'n2', BOTH_MASTER) }]);
    // Heard "at 200" (clamped), so n2 expires at 500, not 450.
    assert.equal(transitionsAt(election, 499), 0);
    assert.equal(transitionsAt(election, 500), 2);
  });

  it('rejects non-finite times and re-entrant calls', () => {
    const election = backup();
    assert.throws(() => election.step(tick(Number.NaN)), RangeError);
    assert.throws(() => new Election(config('n1', [], []), Number.POSITIVE_INFINITY), RangeError);
  });

  it('asks for a tick at the next deadline: the master silence deadline', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    election.step(tick(0));
    const actions = election.step(heartbeat(10, 'n2', { web: [200, 'MASTER', 1] }));
    // The startup timer (300) is still armed and earlier than n2's expiry (310).
    assert.deepEqual(
      actions.filter((a) => a.type === 'arm-timer'),
      [],
    );
    const next = election.step(tick(DOWN_AFTER_MS));
    assert.deepEqual(
      next.filter((a) => a.type === 'arm-timer'),
      [{ type: 'arm-timer', atMs: 310 }],
    );
  });

  it('the same events give the same actions (determinism)', () => {
    const run = () => {
      const election = backup();
      return [election.step(tick(200)), election.step(tick(600)), election.localState()];
    };
    assert.deepEqual(run(), run());
  });
});

function transitionsAt(election: Election, nowMs: number): number {
  return election.step(tick(nowMs)).filter((a) => a.type === 'transition').length;
}
