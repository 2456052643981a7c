// Trackers (keepalived's track_script / track_interface: weights and faults) and sync groups
// (keepalived's vrrp_sync_group). Neither is in RFC 5798.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Election } from '../src/election.js';
import {
  advertOf,
  config,
  DOWN_AFTER_MS,
  every,
  group,
  heartbeat,
  merge,
  replay,
  tick,
  tracker,
} from './support/script.js';

function master(groups = [group('web', 200)]): Election {
  const election = new Election(config('n1', ['n2'], groups), 0);
  election.step(tick(0));
  const backups = Object.fromEntries(groups.map((g) => [g.name, [150, 'BACKUP', 0] as const]));
  election.step(heartbeat(10, 'n2', backups));
  for (const g of groups) assert.equal(advertOf(election, g.name).state, 'MASTER');
  return election;
}

describe('trackers', () => {
  it('a weight changes the advertised priority at once (send-state), clamped to 1-254', () => {
    replay(master(), [
      {
        event: tracker(20, 'http', 'web', -60),
        sendsState: true,
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 140);
        },
      },
      {
        event: tracker(30, 'ping', 'web', -500),
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 1);
        },
      },
      {
        // Latest report of a tracker replaces its previous one.
        event: tracker(40, 'ping', 'web', 0),
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 140);
          assert.equal(e.status().groups[0]?.basePriority, 200);
        },
      },
    ]);
  });

  it('a fault moves the group to FAULT; recovery makes it a backup again', () => {
    replay(master(), [
      {
        event: tracker(20, 'link', 'web', 0, true),
        transitions: ['web:MASTER->FAULT(tracker-fault)'],
        sendsState: true,
      },
      { event: tracker(30, 'link', 'web', 0, true) },
      {
        // n2 did not take over in this script, so no master is known: n1 reclaims at once.
        event: tracker(40, 'link', 'web', 0, false),
        transitions: ['web:FAULT->BACKUP(tracker-recovered)', 'web:BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('recovered while its peers are silent (its own link was down): listens before claiming', () => {
    // n2 last heard at 10, so it expires at 310 while n1 is in FAULT (deaf, as with carrier
    // loss). n2 took over meanwhile; n1 must not reclaim before it could hear that.
    const election = master([group('web', 200, { preemptDelayMs: 3_000 })]);
    replay(election, [
      {
        event: tracker(20, 'link', 'web', 0, true),
        transitions: ['web:MASTER->FAULT(tracker-fault)'],
      },
      { event: tick(400) },
      {
        event: tracker(500, 'link', 'web', 0, false),
        transitions: ['web:FAULT->BACKUP(tracker-recovered)'],
        armsTimerAt: 500 + DOWN_AFTER_MS,
      },
      // n2's heartbeats get through within the window: it is master, so n1 waits its delay
      // (from 700) instead of claiming at 800.
      ...merge(
        every(700, 3_700, (at) => heartbeat(at, 'n2', { web: [150, 'MASTER', 2] })),
        every(750, 3_700, (at) => tick(at)),
      ),
      { event: tick(3_700), transitions: ['web:BACKUP->MASTER(preempt)'], epoch: 3 },
    ]);
  });

  it('recovered while its peers are silent: claims after downAfterMs if still nobody is heard', () => {
    replay(master(), [
      {
        event: tracker(20, 'link', 'web', 0, true),
        transitions: ['web:MASTER->FAULT(tracker-fault)'],
      },
      { event: tick(400) },
      {
        event: tracker(500, 'link', 'web', 0, false),
        transitions: ['web:FAULT->BACKUP(tracker-recovered)'],
      },
      { event: tick(500 + DOWN_AFTER_MS - 1) },
      { event: tick(500 + DOWN_AFTER_MS), transitions: ['web:BACKUP->MASTER(master-down)'] },
    ]);
  });

  it('recovered while its peers are silent: a stale heartbeat from before the outage does not end the wait', () => {
    replay(master(), [
      {
        event: tracker(20, 'link', 'web', 0, true),
        transitions: ['web:MASTER->FAULT(tracker-fault)'],
      },
      { event: tick(400) },
      {
        event: tracker(500, 'link', 'web', 0, false),
        transitions: ['web:FAULT->BACKUP(tracker-recovered)'],
      },
      // TCP delivers n2's backlog first: sent before it took over, it still follows n1.
      { event: heartbeat(550, 'n2', { web: [150, 'BACKUP', 1, 'n1'] }) },
      // Then its news: n2 is master at epoch 2. n1 preempts it by the ordinary rule, once
      // its listening window is over (as at startup).
      { event: heartbeat(650, 'n2', { web: [150, 'MASTER', 2, 'n2'] }) },
      { event: tick(500 + DOWN_AFTER_MS - 1) },
      {
        event: tick(500 + DOWN_AFTER_MS),
        transitions: ['web:BACKUP->MASTER(preempt)'],
        epoch: 3,
      },
    ]);
  });

  it('a tracker report for an unknown group or with a non-finite weight is ignored', () => {
    replay(master(), [
      { event: tracker(20, 'x', 'nope', -10, true) },
      { event: tracker(30, 'x', 'web', Number.NaN) },
    ]);
  });
});

describe('sync groups', () => {
  const synced = [
    group('outside', 200, { syncGroup: 'router' }),
    group('inside', 200, { syncGroup: 'router' }),
  ];

  it('a fault on one member moves every member (reason sync-group for the others)', () => {
    replay(master(synced), [
      {
        event: tracker(20, 'uplink', 'outside', 0, true),
        transitions: ['outside:MASTER->FAULT(tracker-fault)', 'inside:MASTER->FAULT(sync-group)'],
      },
    ]);
  });

  it('members share one epoch and take over together', () => {
    // RFC 5798 has no sync groups; keepalived's vrrp_sync_group moves members together.
    const election = new Election(config('n1', ['n2'], synced), 0);
    replay(election, [
      {
        event: tick(0),
        transitions: ['outside:INIT->BACKUP(startup)', 'inside:INIT->BACKUP(startup)'],
      },
      { event: heartbeat(10, 'n2', { outside: [250, 'MASTER', 3], inside: [250, 'MASTER', 5] }) },
      {
        // n2 resigns: both members move at once, above the greater of the two epochs.
        event: heartbeat(20, 'n2', { outside: [0, 'BACKUP', 3], inside: [0, 'BACKUP', 5] }),
        transitions: [
          'outside:BACKUP->MASTER(master-resigned)',
          'inside:BACKUP->MASTER(master-resigned)',
        ],
        epoch: 6,
      },
    ]);
  });

  it('ranks by the weakest member: a tracker lowering one member lowers the whole set', () => {
    const election = new Election(config('n1', ['n2'], synced), 0);
    election.step(tick(0));
    election.step(tracker(1, 'disk', 'inside', -150));
    replay(election, [
      // n1 is (200, 50) and n2 (120, 120): n2 is better (50 < 120), n1 does not preempt.
      { event: heartbeat(10, 'n2', { outside: [120, 'MASTER', 3], inside: [120, 'MASTER', 3] }) },
      {
        // The tracker recovers: n1 (200, 200) > n2 (120): both members preempt together.
        event: tracker(20, 'disk', 'inside', 0),
        transitions: ['outside:BACKUP->MASTER(preempt)', 'inside:BACKUP->MASTER(preempt)'],
        epoch: 4,
      },
    ]);
  });
});
