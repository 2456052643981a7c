// A node that stalled (frozen process, paused VM, starved event loop) wakes with a view as
// old as the stall. Not in RFC 5798 (a router's VRRP runs in the kernel or on a real-time
// loop); see README, "Stalls". Time here jumps the way it does for the woken process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Election } from '../src/election.js';
import {
  advertOf,
  config,
  DOWN_AFTER_MS,
  group,
  heartbeat,
  INTERVAL_MS,
  peerLost,
  replay,
  tick,
  type ScriptLine,
} from './support/script.js';
import type { ElectionEvent } from '../src/types.js';

const PAUSE_MS = 10 * DOWN_AFTER_MS;
const WAKE_MS = 100 + PAUSE_MS;

function stalled(nowMs: number, stalledMs: number): ElectionEvent {
  return { type: 'stalled', nowMs, stalledMs };
}

/**
 * n1 (200) master of "web" among n2 (100) and n3 (50), epoch 1, at 100 ms. Preempt off, so
 * what the woken node does is what the stall makes it do, not a preemption.
 */
function master(quorum = false): Election {
  const election = new Election(
    config('n1', ['n2', 'n3'], [group('web', 200, { preempt: false })], { quorum }),
    0,
  );
  replay(election, [
    { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
    { event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }, { hears: ['n1', 'n3'] }) },
    {
      event: heartbeat(20, 'n3', { web: [50, 'BACKUP', 0] }, { hears: ['n1', 'n2'] }),
      transitions: ['web:BACKUP->MASTER(master-down)'],
    },
    { event: heartbeat(100, 'n2', { web: [100, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n3'] }) },
  ]);
  return election;
}

/** n2's heartbeat as the master that replaced n1 while it was frozen. */
const n2AsMaster = (nowMs: number) =>
  heartbeat(nowMs, 'n2', { web: [100, 'MASTER', 2, 'n2'] }, { hears: ['n3'] });
const n3FollowingN2 = (nowMs: number) =>
  heartbeat(nowMs, 'n3', { web: [50, 'BACKUP', 2, 'n2'] }, { hears: ['n2'] });

describe('a node that wakes from a stall', () => {
  for (const quorum of [false, true]) {
    it(`a master stalled past the down interval steps down before it reads anything (quorum ${quorum ? 'on' : 'off'})`, () => {
      replay(master(quorum), [
        {
          event: stalled(WAKE_MS, PAUSE_MS),
          transitions: ['web:MASTER->BACKUP(stalled)'],
          sendsState: true,
          then: (e) => {
            assert.equal(advertOf(e, 'web').state, 'BACKUP');
          },
        },
        // The heartbeats queued while it was frozen: it follows the new master.
        { event: n2AsMaster(WAKE_MS + 1) },
        {
          event: n3FollowingN2(WAKE_MS + 1),
          then: (e) => {
            const web = e.status().groups.find((g) => g.name === 'web');
            assert.equal(web?.master, 'n2');
          },
        },
      ]);
    });
  }

  it('with preempt on, the woken master steps down, then takes over again by preemption (a new epoch)', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 200)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }) },
      {
        event: heartbeat(20, 'n3', { web: [50, 'BACKUP', 0] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      { event: stalled(WAKE_MS, PAUSE_MS), transitions: ['web:MASTER->BACKUP(stalled)'] },
      { event: n2AsMaster(WAKE_MS + 1) },
      // n2 took over while n1 was frozen and does not hear it yet: a claim now would never
      // reach it (README, "One-way cuts"). Once n2 says it hears n1, n1 preempts.
      { event: n3FollowingN2(WAKE_MS + 2) },
      {
        event: heartbeat(
          WAKE_MS + 20,
          'n2',
          { web: [100, 'MASTER', 2, 'n2'] },
          { hears: ['n1', 'n3'] },
        ),
        transitions: ['web:BACKUP->MASTER(preempt)'],
        epoch: 3,
      },
    ]);
  });

  it('a stall shorter than peers wait (down interval - one interval) changes nothing', () => {
    replay(master(), [
      { event: stalled(300, DOWN_AFTER_MS - INTERVAL_MS - 1) },
      { event: tick(300) },
    ]);
    assert.equal(master().status().groups[0]?.state, 'MASTER');
  });

  it('a backup does not claim on the stale silence of a master whose heartbeats are still queued', () => {
    const script = (withStall: boolean): ScriptLine[] => [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: n2AsMaster(10) },
      { event: n3FollowingN2(20) },
      // Frozen from 20 ms to WAKE_MS: n2's last heartbeat looks PAUSE_MS old.
      ...(withStall ? [{ event: stalled(WAKE_MS, PAUSE_MS) }] : []),
      { event: tick(WAKE_MS) },
    ];
    const stale = new Election(config('n1', ['n2', 'n3'], [group('web', 200)]), 0);
    const claims = script(false).map((line) => stale.step(line.event));
    assert.ok(
      claims.flat().some((a) => a.type === 'transition' && a.to === 'MASTER'),
      'without the stall event the stale view claims (the bug this guards against)',
    );
    const woken = new Election(config('n1', ['n2', 'n3'], [group('web', 100)]), 0);
    replay(woken, [
      ...script(true),
      // What was queued in the socket: n2 is alive and master. Nothing to do.
      { event: n2AsMaster(WAKE_MS + 1) },
      { event: tick(WAKE_MS + INTERVAL_MS) },
    ]);
  });

  it('no peer heard after the stall: it claims again after the down interval', () => {
    replay(master(), [
      { event: stalled(WAKE_MS, PAUSE_MS), transitions: ['web:MASTER->BACKUP(stalled)'] },
      { event: tick(WAKE_MS + DOWN_AFTER_MS - 1) },
      { event: tick(WAKE_MS + DOWN_AFTER_MS), transitions: ['web:BACKUP->MASTER(master-down)'] },
    ]);
  });

  it('every peer heard after the stall and none took over: it claims at once', () => {
    replay(master(), [
      { event: stalled(WAKE_MS, PAUSE_MS), transitions: ['web:MASTER->BACKUP(stalled)'] },
      { event: heartbeat(WAKE_MS + 1, 'n2', { web: [100, 'BACKUP', 1, null] }) },
      {
        event: heartbeat(WAKE_MS + 2, 'n3', { web: [50, 'BACKUP', 1, null] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('a lone node has nobody to be replaced by: it keeps its VIPs', () => {
    const election = new Election(config('n1', [], [group('web', 200)]), 0);
    replay(election, [
      {
        event: tick(0),
        transitions: ['web:INIT->BACKUP(startup)', 'web:BACKUP->MASTER(master-down)'],
      },
      { event: stalled(PAUSE_MS, PAUSE_MS) },
    ]);
  });
});

describe('a master whose peers were all down when it stalled (issue #17)', () => {
  /** n1 (200) master of "web", its only peer n2 (100) gone at 200 ms (`how`). */
  function loneMaster(how: 'expired' | 'lost'): Election {
    const election = new Election(config('n1', ['n2'], [group('web', 200, { preempt: false })]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      { event: heartbeat(100, 'n2', { web: [100, 'BACKUP', 1, 'n1'] }) },
      { event: how === 'lost' ? peerLost(200, 'n2', 'closed') : tick(100 + DOWN_AFTER_MS) },
    ]);
    return election;
  }
  const webState = (e: Election) => e.status().groups.find((g) => g.name === 'web')?.state;

  for (const how of ['expired', 'lost'] as const) {
    it(`keeps MASTER across a stall: nobody could have replaced it (peer ${how})`, () => {
      replay(loneMaster(how), [
        { event: stalled(WAKE_MS, PAUSE_MS) },
        { event: tick(WAKE_MS + DOWN_AFTER_MS) },
        {
          event: tick(WAKE_MS + 2 * DOWN_AFTER_MS),
          then: (e) => {
            assert.equal(webState(e), 'MASTER');
          },
        },
      ]);
    });
  }

  it('a peer still alive when the stall began: the master steps down', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200, { preempt: false })]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      { event: stalled(WAKE_MS, PAUSE_MS), transitions: ['web:MASTER->BACKUP(stalled)'] },
    ]);
  });

  it('a peer (re)started during the stall and heard after it, master with a newer epoch: it yields by the normal rules', () => {
    const election = loneMaster('expired');
    replay(election, [
      { event: stalled(WAKE_MS, PAUSE_MS) },
      {
        event: heartbeat(WAKE_MS + 1, 'n2', { web: [100, 'MASTER', 2, 'n2'] }, { hears: [] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
      },
    ]);
    assert.equal(webState(election), 'BACKUP');
  });
});

describe('deadlines after a stall wait for the next tick (issue #17)', () => {
  // n1 master of "web" with the quorum guard; both peers last heard at 110 ms, so their
  // votes lapse at 110 + DOWN_AFTER_MS - INTERVAL_MS / 2 = 360 ms.
  const HEARD_MS = 110;
  const WOKEN_MS = HEARD_MS + DOWN_AFTER_MS - INTERVAL_MS + 90; // 400: votes lapsed
  // Short of a step-down (stalledMs + interval < down interval): only the votes are at stake.
  const SHORT_STALL_MS = DOWN_AFTER_MS - INTERVAL_MS - 10;
  function backedMaster(): Election {
    const election = master(true);
    replay(election, [
      {
        event: heartbeat(
          HEARD_MS,
          'n2',
          { web: [100, 'BACKUP', 1, 'n1'] },
          { hears: ['n1', 'n3'] },
        ),
      },
      {
        event: heartbeat(HEARD_MS, 'n3', { web: [50, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n2'] }),
      },
    ]);
    return election;
  }
  const queued = (nowMs: number): ScriptLine[] => [
    { event: heartbeat(nowMs, 'n2', { web: [100, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n3'] }) },
    { event: heartbeat(nowMs, 'n3', { web: [50, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n2'] }) },
  ];

  it('without a stall, the lapsed votes cost the master its quorum (what the hold guards)', () => {
    const actions = backedMaster().step(tick(WOKEN_MS));
    assert.ok(actions.some((a) => a.type === 'transition' && a.from === 'MASTER'));
  });

  it('woken from a stall, the heartbeats queued in the socket renew the votes first: no quorum loss', () => {
    replay(backedMaster(), [
      { event: stalled(WOKEN_MS, SHORT_STALL_MS) },
      ...queued(WOKEN_MS + 1),
      { event: tick(WOKEN_MS + 1) },
    ]);
  });

  it('nothing was queued: the next tick judges the votes as usual', () => {
    const election = backedMaster();
    replay(election, [{ event: stalled(WOKEN_MS, SHORT_STALL_MS) }]);
    const actions = election.step(tick(WOKEN_MS + 1));
    assert.ok(actions.some((a) => a.type === 'transition' && a.from === 'MASTER'));
  });
});
