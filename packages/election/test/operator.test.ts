// Operator commands: every one gets a command-result, refusals carry a RefusalCode, and the
// accepted ones change state exactly as the README's tables say. None of these exist in
// RFC 5798; they are keepalived-style operations made explicit.
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
  operator,
  replay,
  tick,
  tracker,
} from './support/script.js';

/** n1 (priority 100) as backup of n2 (priority 200, master at epoch 3), n3 a backup at 150. */
function backupOfN2(extra: Parameters<typeof group>[2] = {}): Election {
  const election = new Election(config('n1', ['n2', 'n3'], [group('web', 100, extra)]), 0);
  election.step(tick(0));
  election.step(heartbeat(10, 'n2', { web: [200, 'MASTER', 3] }, { hears: ['n1', 'n3'] }));
  election.step(heartbeat(20, 'n3', { web: [150, 'BACKUP', 3] }, { hears: ['n1', 'n2'] }));
  assert.equal(advertOf(election, 'web').state, 'BACKUP');
  return election;
}

/** n1 (priority 200) master at epoch 1 with n2 (priority 150) a live backup. */
function masterWithBackup(): Election {
  const election = new Election(config('n1', ['n2'], [group('web', 200)]), 0);
  election.step(tick(0));
  election.step(heartbeat(10, 'n2', { web: [150, 'BACKUP', 0] }, { hears: ['n1'] }));
  assert.equal(advertOf(election, 'web').state, 'MASTER');
  return election;
}

describe('forced takeover', () => {
  it('takes the group at a new epoch, advertising 255, even with preempt off', () => {
    replay(backupOfN2({ preempt: false }), [
      {
        event: operator(50, { command: 'takeover', group: 'web' }),
        transitions: ['web:BACKUP->MASTER(forced-takeover)'],
        epoch: 4,
        sendsState: true,
        result: { ok: true },
        then: (e) => {
          assert.deepEqual(advertOf(e, 'web'), {
            priority: 255,
            state: 'MASTER',
            epoch: 4,
            master: 'n1',
          });
          assert.equal(e.status().groups[0]?.forced, true);
          assert.equal(e.status().groups[0]?.weightedPriority, 100);
        },
      },
      // The old master has not seen it yet: its claim (3, 200) is lower, n1 stays.
      { event: heartbeat(60, 'n2', { web: [200, 'MASTER', 3] }, { hears: ['n1', 'n3'] }) },
      // The old master accepts the new epoch and becomes a backup: nothing preempts 255.
      ...every(110, 1000, (at) =>
        heartbeat(at, 'n2', { web: [200, 'BACKUP', 4] }, { hears: ['n1', 'n3'] }),
      ),
    ]);
  });

  it('a backup with a higher priority and preempt on does not preempt a forced master', () => {
    // Seen from n3 (150): n1 holds the group by force (advertises 255), n2 is backup at 200.
    const election = new Election(config('n3', ['n1', 'n2'], [group('web', 150)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      ...every(5, 2000, (at) =>
        heartbeat(at, 'n1', { web: [255, 'MASTER', 4] }, { hears: ['n2', 'n3'] }),
      ),
      {
        event: tick(2000),
        then: (e) => {
          assert.equal(e.status().groups[0]?.master, 'n1');
        },
      },
    ]);
  });

  it('takeover on the master marks it held, without a transition', () => {
    replay(masterWithBackup(), [
      {
        event: operator(50, { command: 'takeover', group: 'web' }),
        result: { ok: true },
        sendsState: true,
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 255);
        },
      },
    ]);
  });

  it('is refused with a code that says why', () => {
    const faulty = backupOfN2();
    faulty.step(tracker(30, 'link', 'web', 0, true));
    replay(faulty, [
      {
        event: operator(40, { command: 'takeover', group: 'web' }),
        result: { ok: false, code: 'GROUP_IN_FAULT' },
      },
      {
        event: operator(41, { command: 'takeover', group: 'nope' }),
        result: { ok: false, code: 'UNKNOWN_GROUP' },
      },
      {
        event: operator(42, { command: 'release', group: 'nope' }),
        result: { ok: false, code: 'UNKNOWN_GROUP' },
      },
      {
        event: operator(43, { command: 'release', group: 'web' }),
        result: { ok: false, code: 'NOT_MASTER' },
      },
    ]);

    const drained = backupOfN2();
    replay(drained, [
      {
        event: operator(30, { command: 'maintenance', enabled: true }),
        transitions: ['web:BACKUP->MAINTENANCE(maintenance-on)'],
        result: { ok: true },
      },
      {
        event: operator(40, { command: 'takeover', group: 'web' }),
        result: { ok: false, code: 'NODE_IN_MAINTENANCE' },
      },
    ]);

    const resigned = backupOfN2();
    replay(resigned, [
      { event: operator(30, { command: 'resign' }), result: { ok: true } },
      {
        event: operator(40, { command: 'takeover', group: 'web' }),
        result: { ok: false, code: 'NODE_RESIGNED' },
      },
    ]);

    const never = new Election(config('n1', ['n2'], [group('web', 0)]), 0);
    replay(never, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: operator(10, { command: 'takeover', group: 'web' }),
        result: { ok: false, code: 'NODE_RESIGNED' },
      },
    ]);
  });
});

describe('release', () => {
  it('steps down advertising priority 0 so the best other node takes over at once', () => {
    replay(masterWithBackup(), [
      {
        event: operator(50, { command: 'release', group: 'web' }),
        transitions: ['web:MASTER->BACKUP(released)'],
        sendsState: true,
        result: { ok: true },
        then: (e) => {
          assert.deepEqual(advertOf(e, 'web'), {
            priority: 0,
            state: 'BACKUP',
            epoch: 1,
            master: null,
          });
        },
      },
      // n2 took over: n1 advertises its real priority again but does not preempt back.
      {
        event: heartbeat(55, 'n2', { web: [150, 'MASTER', 2] }, { hears: ['n1'] }),
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 200);
        },
      },
      ...every(155, 2000, (at) =>
        heartbeat(at, 'n2', { web: [150, 'MASTER', 2] }, { hears: ['n1'] }),
      ),
      // n2 dies: n1 is a normal backup again and takes over after the down interval.
      {
        event: tick(1955 + DOWN_AFTER_MS),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        epoch: 3,
      },
    ]);
  });

  it('takes the group back if nobody took it within the down interval', () => {
    replay(masterWithBackup(), [
      {
        event: operator(50, { command: 'release', group: 'web' }),
        transitions: ['web:MASTER->BACKUP(released)'],
      },
      ...every(110, 350, (at) =>
        heartbeat(at, 'n2', { web: [150, 'BACKUP', 1] }, { hears: ['n1'] }),
      ),
      {
        event: tick(50 + DOWN_AFTER_MS),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        epoch: 2,
      },
    ]);
  });

  it('is refused when no other live node could take the group', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200)]), 0);
    election.step(tick(0));
    election.step(tick(DOWN_AFTER_MS));
    replay(election, [
      {
        event: operator(400, { command: 'release', group: 'web' }),
        result: { ok: false, code: 'NO_CANDIDATE' },
      },
    ]);
  });
});

describe('maintenance and resign', () => {
  it('maintenance drains every group (MAINTENANCE, priority 0) and gives them back when off', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200), group('db', 200)]), 0);
    election.step(tick(0));
    election.step(heartbeat(10, 'n2', { web: [150, 'BACKUP', 0], db: [150, 'BACKUP', 0] }));
    replay(election, [
      {
        event: operator(50, { command: 'maintenance', enabled: true }),
        transitions: [
          'web:MASTER->MAINTENANCE(maintenance-on)',
          'db:MASTER->MAINTENANCE(maintenance-on)',
        ],
        result: { ok: true },
        then: (e) => {
          assert.deepEqual(advertOf(e, 'web'), {
            priority: 0,
            state: 'MAINTENANCE',
            epoch: 1,
            master: null,
          });
          assert.equal(e.status().maintenance, true);
        },
      },
      { event: operator(60, { command: 'maintenance', enabled: true }), result: { ok: true } },
      { event: heartbeat(70, 'n2', { web: [150, 'MASTER', 2], db: [150, 'MASTER', 2] }) },
      {
        // Back as backups; preempt on and 200 > 150: it takes the groups back by preemption.
        event: operator(80, { command: 'maintenance', enabled: false }),
        transitions: [
          'web:MAINTENANCE->BACKUP(maintenance-off)',
          'web:BACKUP->MASTER(preempt)',
          'db:MAINTENANCE->BACKUP(maintenance-off)',
          'db:BACKUP->MASTER(preempt)',
        ],
      },
    ]);
  });

  it('resign (SIGTERM) steps down every master and advertises 0 for all groups', () => {
    replay(masterWithBackup(), [
      {
        event: operator(50, { command: 'resign' }),
        transitions: ['web:MASTER->BACKUP(resign)'],
        sendsState: true,
        result: { ok: true },
        then: (e) => {
          assert.equal(advertOf(e, 'web').priority, 0);
        },
      },
      // Even alone, a resigned node never claims again.
      { event: tick(5000) },
    ]);
  });
});
