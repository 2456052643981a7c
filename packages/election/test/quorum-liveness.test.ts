// The quorum guard (not in RFC 5798: VRRP has no notion of a majority) and how liveness is
// judged: mutual hearing, vouching by third nodes, and the mesh's 'closed' signal.
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
  operator,
  peerLost,
  replay,
  tick,
} from './support/script.js';

/** n1 (200) with quorum on among n1, n2, n3 (n3 a witness: no groups). */
function quorumMaster(): Election {
  const election = new Election(
    config('n1', ['n2', 'n3'], [group('web', 200)], { quorum: true }),
    0,
  );
  election.step(tick(0));
  election.step(heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }, { hears: ['n1', 'n3'] }));
  election.step(heartbeat(20, 'n3', {}, { hears: ['n1', 'n2'] }));
  assert.equal(advertOf(election, 'web').state, 'MASTER');
  return election;
}

describe('quorum guard', () => {
  it('a node claims only once it hears a majority of voters that hear it back', () => {
    const election = new Election(
      config('n1', ['n2', 'n3'], [group('web', 200)], { quorum: true }),
      0,
    );
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      // n2 does not hear n1 yet: its vote does not count. n3 is not heard at all.
      { event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }, { hears: [] }) },
      {
        event: tick(DOWN_AFTER_MS),
        then: (e) => {
          assert.equal(e.status().quorum.hasQuorum, false);
        },
      },
      {
        event: heartbeat(310, 'n2', { web: [100, 'BACKUP', 0] }, { hears: ['n1'] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        then: (e) => {
          assert.deepEqual(e.status().quorum, {
            enabled: true,
            votersHeard: 2,
            voters: 3,
            hasQuorum: true,
          });
        },
      },
    ]);
  });

  it('a master that loses the majority demotes itself (self-fencing) and refuses takeovers', () => {
    replay(quorumMaster(), [
      // n2 stops hearing n1 (one-way loss): 2 of 3 still, with the witness.
      { event: heartbeat(110, 'n2', { web: [100, 'BACKUP', 1] }, { hears: ['n3'] }) },
      {
        event: heartbeat(120, 'n3', {}, { hears: ['n2'] }),
        transitions: ['web:MASTER->BACKUP(quorum-lost)'],
        sendsState: true,
      },
      {
        event: operator(130, { command: 'takeover', group: 'web' }),
        result: { ok: false, code: 'NO_QUORUM' },
      },
    ]);
  });

  it('silence fences the isolated master half an interval before anyone may replace it', () => {
    // A vote is a lease of downMultiplier x interval - interval/2 = 250ms from its heartbeat.
    const lease = DOWN_AFTER_MS - INTERVAL_MS / 2;
    replay(quorumMaster(), [
      // n2's vote (heard at 10) lapses at 260; n1 and n3 are still 2 of 3.
      {
        event: tick(10 + lease),
        then: (e) => {
          assert.equal(advertOf(e, 'web').state, 'MASTER');
        },
      },
      { event: tick(20 + lease - 1) },
      // n3's vote (heard at 20) lapses at 270: 1 of 3, n1 fences itself, 40ms before
      // n2 could declare it down (310).
      { event: tick(20 + lease), transitions: ['web:MASTER->BACKUP(quorum-lost)'] },
    ]);
  });

  it('arms timers for each moment a vote lapses, so a driver ticks in time to fence', () => {
    const lease = DOWN_AFTER_MS - INTERVAL_MS / 2;
    const election = new Election(
      config('n1', ['n2', 'n3'], [group('web', 200)], { quorum: true }),
      0,
    );
    const armed: number[] = [];
    const step = (event: Parameters<Election['step']>[0]) => {
      const actions = election.step(event);
      for (const a of actions) if (a.type === 'arm-timer') armed.push(a.atMs);
      return actions;
    };
    step(tick(0));
    step(heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }, { hears: ['n1', 'n3'] }));
    step(heartbeat(20, 'n3', {}, { hears: ['n1', 'n2'] }));
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    // The driver follows the latest arm-timer: n2's lease lapses first (260).
    assert.equal(armed.at(-1), 10 + lease);
    step(tick(10 + lease));
    assert.equal(armed.at(-1), 20 + lease);
    assert.deepEqual(
      step(tick(20 + lease))
        .filter((a) => a.type === 'transition')
        .map((a) => a.reason),
      ['quorum-lost'],
    );
  });

  it('without quorum enabled, the votes are still reported but never act', () => {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 200)]), 0);
    election.step(tick(0));
    election.step(tick(DOWN_AFTER_MS));
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    assert.deepEqual(election.status().quorum, {
      enabled: false,
      votersHeard: 1,
      voters: 3,
      hasQuorum: false,
    });
  });
});

describe('liveness: vouching and closed connections', () => {
  /** n1 (200) backup of n2 (100, nopreempt irrelevant: n2 keeps priority above via 'owner'?). */
  function backupWithWitness(): Election {
    const election = new Election(config('n1', ['n2', 'n3'], [group('web', 100)]), 0);
    election.step(tick(0));
    election.step(heartbeat(10, 'n2', { web: [200, 'MASTER', 1] }, { hears: ['n1', 'n3'] }));
    election.step(heartbeat(20, 'n3', {}, { hears: ['n1', 'n2'] }));
    return election;
  }

  it('a closed connection to the master is not a failover while another node still hears it', () => {
    replay(backupWithWitness(), [
      {
        event: peerLost(50, 'n2', 'closed'),
        then: (e) => {
          assert.equal(e.status().groups[0]?.master, 'n2');
        },
      },
      { event: heartbeat(120, 'n3', {}, { hears: ['n1', 'n2'] }) },
      // n3 confirms it lost n2 too: the master is gone, n1 takes over at once.
      {
        event: heartbeat(130, 'n3', {}, { hears: ['n1'] }),
        transitions: ['web:BACKUP->MASTER(peer-connection-closed)'],
        epoch: 2,
      },
    ]);
  });

  it('with no third node to ask, a closed connection to the master is a failover at once', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 100)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [200, 'MASTER', 1] }) },
      {
        event: peerLost(50, 'n2', 'closed'),
        transitions: ['web:BACKUP->MASTER(peer-connection-closed)'],
      },
    ]);
  });

  /**
   * The preempt e2e flake: n1 (150, nopreempt) was master and went silent; n2 took over.
   * When n1's path heals, n2's backlog (epoch 2) arrives on the old connection and n1 steps
   * down; then n2's mesh cuts that connection, which it judged silent, and n1's mesh reports
   * it 'closed'. n2 is alive: n1 must not take that for its process gone and claim.
   */
  function silencedMasterBack(backlogHears: readonly string[]): Election {
    const election = new Election(config('n1', ['n2'], [group('web', 150, { preempt: false })]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: heartbeat(10, 'n2', { web: [100, 'BACKUP', 0] }, { hears: ['n1'] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      { event: heartbeat(110, 'n2', { web: [100, 'BACKUP', 1, 'n1'] }, { hears: ['n1'] }) },
      // Silence: n1 loses n2 and stays master, alone.
      { event: tick(2000) },
      {
        event: heartbeat(2010, 'n2', { web: [100, 'MASTER', 2] }, { hears: backlogHears }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
      },
    ]);
    return election;
  }

  it('a connection the master cut as silent is not its crash: the returning node stays backup', () => {
    replay(silencedMasterBack([]), [
      { event: peerLost(2020, 'n2', 'closed') },
      { event: tick(2010 + DOWN_AFTER_MS - 1) },
      // The redial brings n2's heartbeats back: n1 never claimed.
      { event: heartbeat(2200, 'n2', { web: [100, 'MASTER', 2] }, { hears: ['n1'] }) },
      {
        event: tick(2200 + DOWN_AFTER_MS - 1),
        then: (e) => {
          assert.equal(advertOf(e, 'web').state, 'BACKUP');
          assert.equal(e.status().groups[0]?.master, 'n2');
        },
      },
    ]);
  });

  it('a close just after a peer came back is its backlog being cut, even if the backlog says it hears us', () => {
    replay(silencedMasterBack(['n1']), [
      { event: peerLost(2050, 'n2', 'closed') },
      { event: tick(2010 + DOWN_AFTER_MS - 1) },
      // Never heard again: n2 is down once silent for downAfterMs, not at the close.
      {
        event: tick(2010 + DOWN_AFTER_MS),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
    ]);
  });

  it('once a returned peer has been heard for downAfterMs, its closed connection is a crash again', () => {
    const election = silencedMasterBack(['n1']);
    for (let at = 2100; at <= 2400; at += INTERVAL_MS)
      election.step(heartbeat(at, 'n2', { web: [100, 'MASTER', 2] }, { hears: ['n1'] }));
    replay(election, [
      {
        event: peerLost(2410, 'n2', 'closed'),
        transitions: ['web:BACKUP->MASTER(peer-connection-closed)'],
      },
    ]);
  });

  it('a master only this node cannot hear stays master (no takeover) while others vouch for it', () => {
    const election = backupWithWitness();
    for (let at = 120; at < 2000; at += 100)
      election.step(heartbeat(at, 'n3', {}, { hears: ['n1', 'n2'] }));
    assert.equal(advertOf(election, 'web').state, 'BACKUP');
    assert.equal(election.status().groups[0]?.master, 'n2');
    assert.deepEqual(election.status().peersAlive, ['n3']);
  });
});

describe('witness relay', () => {
  it('a witness relays every group it hears of: priority 0, greatest epoch, the master it follows', () => {
    const witness = new Election(config('w', ['n1', 'n2'], [], { quorum: true }), 0);
    witness.step(tick(0));
    replay(witness, [
      { event: heartbeat(10, 'n1', { web: [200, 'MASTER', 3] }), sendsState: true },
      {
        // Two masters it hears (n1 and n2 cannot hear each other): it follows the stronger.
        event: heartbeat(20, 'n2', { web: [100, 'MASTER', 4] }),
        sendsState: true,
        then: (e) => {
          assert.deepEqual(e.localState(), {
            web: { priority: 0, state: 'BACKUP', epoch: 4, master: 'n2' },
          });
          assert.deepEqual(e.status().groups, []);
        },
      },
      // Both fall silent: nothing left to relay.
      {
        event: tick(20 + DOWN_AFTER_MS),
        then: (e) => {
          assert.deepEqual(e.localState(), {});
        },
      },
    ]);
  });

  it('a master whose only other voter follows a master it cannot hear loses its quorum', () => {
    // n1 is master; n2 falls silent to n1 (expired at 310) and, out of n1's sight, claims
    // the same epoch. The witness n3 hears both and follows n2: its vote is exclusive.
    const election = quorumMaster();
    replay(election, [
      { event: heartbeat(120, 'n3', { web: [0, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n2'] }) },
      { event: heartbeat(220, 'n3', { web: [0, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n2'] }) },
      {
        event: tick(310),
        then: (e) => {
          assert.equal(advertOf(e, 'web').state, 'MASTER');
        },
      },
      {
        event: heartbeat(320, 'n3', { web: [0, 'BACKUP', 1, 'n2'] }, { hears: ['n1', 'n2'] }),
        transitions: ['web:MASTER->BACKUP(quorum-lost)'],
      },
    ]);
  });
});
