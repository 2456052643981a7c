// Scripted scenarios: each replays events against one node and checks the transitions it
// makes, citing the RFC 5798 section the behaviour follows or deliberately departs from.
// Timing everywhere: interval 100ms, downMultiplier 3, so a silent master is down after 300ms.
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
  every,
  merge,
  replay,
  tick,
} from './support/script.js';

describe('RFC 5798 §6.4.1 Initialize', () => {
  it('a non-owner starts as BACKUP and waits downMultiplier x interval for a master', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      {
        event: tick(0),
        transitions: ['web:INIT->BACKUP(startup)'],
        sendsState: true,
        armsTimerAt: DOWN_AFTER_MS,
      },
      { event: tick(299) },
      // Nobody answered: it is the best live candidate and claims at exactly 300ms.
      {
        event: tick(300),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        epoch: 1,
        sendsState: true,
      },
    ]);
  });

  it('stops listening as soon as every peer has been heard', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      // n2 is a lower backup and no one is master: n1 ranks first and claims at once.
      {
        event: heartbeat(20, 'n2', { web: [100, 'BACKUP', 0] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('a lone node (no peers) is master at once', () => {
    const election = new Election(config('solo', [], [group('web', 100)]), 5);
    replay(election, [
      {
        event: tick(5),
        transitions: ['web:INIT->BACKUP(startup)', 'web:BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('the owner (255) claims after one interval, not straight from Initialize (deviation)', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 255)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'], armsTimerAt: INTERVAL_MS },
      { event: tick(INTERVAL_MS), transitions: ['web:BACKUP->MASTER(owner)'], epoch: 1 },
    ]);
  });

  it('the owner that hears the current master first claims an epoch above it', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 255, { preempt: false })]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      // §6.1 Preempt_Mode note: the owner preempts whatever Preempt_Mode says.
      {
        event: heartbeat(30, 'n2', { web: [100, 'MASTER', 7] }),
        transitions: ['web:BACKUP->MASTER(owner)'],
        epoch: 8,
      },
    ]);
  });
});

describe('RFC 5798 §6.4.2 Backup', () => {
  it('declares the master down after exactly downMultiplier x interval of silence (no Skew_Time)', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [200, 'MASTER', 1] }) },
      { event: heartbeat(110, 'n2', { web: [200, 'MASTER', 1] }) },
      { event: heartbeat(210, 'n2', { web: [200, 'MASTER', 1] }) },
      { event: tick(300) },
      { event: tick(509) },
      {
        event: tick(510),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        epoch: 2,
        then: (e) => {
          assert.equal(e.status().groups[0]?.master, 'n1');
          assert.deepEqual(e.status().peersAlive, []);
        },
      },
    ]);
  });

  it('a lower-ranked backup waits one more interval per rank', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 100)]), 0);
    const n3 = (at: number, hears: string[]) =>
      heartbeat(at, 'n3', { web: [150, 'BACKUP', 1] }, { hears });
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [200, 'MASTER', 1] }, { hears: ['n1', 'n3'] }) },
      { event: n3(20, ['n1', 'n2']) },
      { event: n3(120, ['n1', 'n2']) },
      { event: n3(220, ['n1', 'n2']) },
      { event: n3(320, ['n1', 'n2']) },
      // n2 expired here at 310, but n3 still says it hears n2: the master is not dead.
      { event: n3(420, ['n1', 'n2']) },
      // n3 stops hearing n2 too: now the master is down. n3 (150) ranks above n1 (100).
      { event: n3(520, ['n1']) },
      // n3 never claims (it died silently right after): n1 waited its one interval.
      { event: tick(619) },
      { event: tick(620), transitions: ['web:BACKUP->MASTER(master-down)'], epoch: 2 },
    ]);
  });

  it('priority 0 from the master: the best backup takes over at once, not after the down interval', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [200, 'MASTER', 3] }) },
      {
        event: heartbeat(60, 'n2', { web: [0, 'BACKUP', 3] }),
        transitions: ['web:BACKUP->MASTER(master-resigned)'],
        epoch: 4,
      },
    ]);
  });

  it('preempt on: a higher-priority backup takes over a live master at once (no master-down wait)', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: heartbeat(10, 'n2', { web: [100, 'MASTER', 4] }),
        transitions: ['web:BACKUP->MASTER(preempt)'],
        epoch: 5,
      },
    ]);
  });

  it('equal priority never preempts (the greater node id only breaks ties between claims)', () => {
    const election = new Election(config('n9', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      ...every(10, 1000, (at) => heartbeat(at, 'n2', { web: [100, 'MASTER', 4] })),
      { event: tick(1000) },
    ]);
  });

  it('preempt delay: waits the delay after it first could preempt, restarting if the chance goes away', () => {
    const election = new Election(
      config('n1', ['n2'], [group('web', 200, { preemptDelayMs: 250 })]),
      0,
    );
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      // Startup listening ends at 10 (every peer heard): the wait starts there.
      { event: heartbeat(10, 'n2', { web: [100, 'MASTER', 4] }), armsTimerAt: 260 },
      // The master's priority rises above ours: no preemption, the wait is forgotten.
      { event: heartbeat(110, 'n2', { web: [220, 'MASTER', 4] }) },
      { event: heartbeat(210, 'n2', { web: [100, 'MASTER', 4] }) },
      { event: tick(260) },
      { event: heartbeat(310, 'n2', { web: [100, 'MASTER', 4] }) },
      { event: heartbeat(410, 'n2', { web: [100, 'MASTER', 4] }) },
      { event: tick(460), transitions: ['web:BACKUP->MASTER(preempt)'], epoch: 5 },
    ]);
  });

  it('nopreempt: never takes a live lower master, but takes over when it dies', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200, { preempt: false })]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [100, 'MASTER', 4] }) },
      { event: heartbeat(110, 'n2', { web: [100, 'MASTER', 4] }) },
      { event: tick(409) },
      { event: tick(410), transitions: ['web:BACKUP->MASTER(master-down)'], epoch: 5 },
    ]);
  });

  it('only the best backup preempts; a middle one leaves it to the best', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 150)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      ...merge(
        every(10, 500, (at) =>
          heartbeat(at, 'n2', { web: [100, 'MASTER', 4] }, { hears: ['n1', 'n3'] }),
        ),
        every(20, 500, (at) =>
          heartbeat(at, 'n3', { web: [200, 'BACKUP', 4] }, { hears: ['n1', 'n2'] }),
        ),
      ),
      {
        event: tick(500),
        then: (e) => {
          assert.equal(e.status().groups[0]?.master, 'n2');
        },
      },
    ]);
  });
});

describe('RFC 5798 §6.4.3 Master', () => {
  function masterAt(epoch: number): Election {
    const election = new Election(config('n1', ['n2'], [group('web', 150)]), 0);
    election.step(tick(0));
    // A backup advertising an epoch nobody is master at: someone out of sight may hold the
    // group, so n1 waits a full down interval before claiming above it.
    election.step(heartbeat(5, 'n2', { web: [100, 'BACKUP', epoch - 1] }));
    assert.equal(election.status().groups[0]?.state, 'BACKUP');
    election.step(heartbeat(105, 'n2', { web: [100, 'BACKUP', epoch - 1] }));
    election.step(heartbeat(205, 'n2', { web: [100, 'BACKUP', epoch - 1] }));
    election.step(tick(5 + DOWN_AFTER_MS));
    assert.equal(election.status().groups[0]?.state, 'MASTER');
    assert.equal(election.status().groups[0]?.epoch, epoch);
    return election;
  }

  it('steps down on hearing a master with a greater (epoch, priority, node id)', () => {
    replay(masterAt(3), [
      {
        event: heartbeat(350, 'n2', { web: [200, 'MASTER', 4] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
        epoch: 4,
      },
    ]);
  });

  it('stays master when the other master is lower, on epoch then priority', () => {
    replay(masterAt(3), [
      { event: heartbeat(350, 'n2', { web: [250, 'MASTER', 2] }) },
      { event: heartbeat(360, 'n2', { web: [149, 'MASTER', 3] }) },
    ]);
  });

  it('equal epoch and priority: the greater node id wins (as the greater IP address in §6.4.3)', () => {
    replay(masterAt(3), [
      {
        event: heartbeat(350, 'n2', { web: [150, 'MASTER', 3] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
      },
    ]);
  });

  it('outbid on epoch alone by a lower master it would preempt at once: re-claims, addresses stay', () => {
    replay(masterAt(3), [
      {
        event: heartbeat(350, 'n2', { web: [100, 'MASTER', 5] }),
        sendsState: true,
        then: (e) => {
          assert.deepEqual(advertOf(e, 'web'), {
            priority: 150,
            state: 'MASTER',
            epoch: 6,
            master: 'n1',
          });
        },
      },
    ]);
  });

  it('outbid on epoch by a lower master with nopreempt: steps down and stays backup', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 150, { preempt: false })]), 0);
    election.step(tick(0));
    election.step(tick(DOWN_AFTER_MS));
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    replay(election, [
      {
        event: heartbeat(350, 'n2', { web: [100, 'MASTER', 5] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
        epoch: 5,
      },
      ...every(450, 1000, (at) => heartbeat(at, 'n2', { web: [100, 'MASTER', 5] })),
    ]);
  });

  it('steps down when a backup reports an epoch above its own (a master it cannot hear took over)', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 150)]), 0);
    election.step(tick(0));
    election.step(heartbeat(5, 'n2', { web: [100, 'BACKUP', 0] }));
    election.step(heartbeat(6, 'n3', { web: [90, 'BACKUP', 0] }));
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    replay(election, [
      {
        event: heartbeat(100, 'n3', { web: [90, 'BACKUP', 2] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
        epoch: 2,
      },
    ]);
  });

  it('an owner outbid only on epoch by a lower-priority master re-claims a higher epoch and stays', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 255)]), 0);
    election.step(tick(0));
    election.step(tick(INTERVAL_MS));
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    replay(election, [
      {
        event: heartbeat(150, 'n2', { web: [100, 'MASTER', 6] }),
        sendsState: true,
        then: (e) => {
          assert.deepEqual(advertOf(e, 'web'), {
            priority: 255,
            state: 'MASTER',
            epoch: 7,
            master: 'n1',
          });
        },
      },
    ]);
  });
});

describe('peer restart and connection loss', () => {
  it('a master that restarted (new incarnation, INIT) is replaced at once', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [200, 'MASTER', 2] }) },
      {
        event: heartbeat(90, 'n2', { web: [200, 'INIT', 0] }, { incarnation: 'n2#2' }),
        transitions: ['web:BACKUP->MASTER(master-resigned)'],
        epoch: 3,
      },
    ]);
  });
});
