// SIGHUP: reconfigure() keeps every group whose settings did not change exactly where it is.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidElectionConfigError } from '../src/config.js';
import { Election } from '../src/election.js';
import {
  advertOf,
  config,
  describeTransition,
  group,
  heartbeat,
  tick,
  transitionsOf,
} from './support/script.js';

const base = [group('web', 200), group('db', 200), group('mail', 200)];

function mastersOfAll(): Election {
  const election = new Election(config('n1', ['n2'], base), 0);
  election.step(tick(0));
  election.step(
    heartbeat(10, 'n2', {
      web: [100, 'BACKUP', 0],
      db: [100, 'BACKUP', 0],
      mail: [100, 'BACKUP', 0],
    }),
  );
  for (const g of base) assert.equal(advertOf(election, g.name).state, 'MASTER');
  return election;
}

describe('reconfigure', () => {
  it('the same config again: no transition, no change', () => {
    const election = mastersOfAll();
    const before = election.localState();
    const actions = election.reconfigure(config('n1', ['n2'], base), 50);
    assert.deepEqual(transitionsOf(actions), []);
    assert.deepEqual(election.localState(), before);
  });

  it('one group changed, one removed, one added: only those move', () => {
    const election = mastersOfAll();
    const next = [group('web', 200), group('db', 120, { preemptDelayMs: 50 }), group('dns', 150)];
    const actions = election.reconfigure(config('n1', ['n2'], next), 50);
    assert.deepEqual(transitionsOf(actions).map(describeTransition), [
      'dns:INIT->BACKUP(reconfigured)',
      // Removed while master: stepping down tells the driver to drop its addresses.
      'mail:MASTER->BACKUP(reconfigured)',
    ]);
    assert.ok(actions.some((a) => a.type === 'send-state'));
    const state = election.localState();
    assert.equal(state.web?.state, 'MASTER');
    assert.deepEqual(state.db, { priority: 120, state: 'MASTER', epoch: 1, master: 'n1' });
    assert.equal(state.mail, undefined);
    assert.equal(
      election
        .status()
        .groups.map((g) => g.name)
        .join(','),
      'web,db,dns',
    );
  });

  it('a lowered priority is advertised and peers may preempt; nothing moves by itself', () => {
    const election = mastersOfAll();
    const lowered = [group('web', 50), group('db', 200), group('mail', 200)];
    const actions = election.reconfigure(config('n1', ['n2'], lowered), 50);
    assert.deepEqual(transitionsOf(actions), []);
    assert.equal(advertOf(election, 'web').priority, 50);
    // n2 (100) preempts with a higher epoch: n1 steps down.
    const after = election.step(
      heartbeat(60, 'n2', {
        web: [100, 'MASTER', 2],
        db: [100, 'BACKUP', 1],
        mail: [100, 'BACKUP', 1],
      }),
    );
    assert.deepEqual(transitionsOf(after).map(describeTransition), [
      'web:MASTER->BACKUP(higher-master-seen)',
    ]);
  });

  it('joining two groups into a sync group in the same state keeps them there', () => {
    const election = mastersOfAll();
    const synced = [
      group('web', 200, { syncGroup: 's' }),
      group('db', 200, { syncGroup: 's' }),
      group('mail', 200),
    ];
    assert.deepEqual(transitionsOf(election.reconfigure(config('n1', ['n2'], synced), 50)), []);
    assert.equal(advertOf(election, 'web').state, 'MASTER');
  });

  it('rejects an invalid config or a changed node id, and keeps running', () => {
    const election = mastersOfAll();
    assert.throws(
      () => election.reconfigure(config('n1', ['n2'], [group('web', 300)]), 50),
      InvalidElectionConfigError,
    );
    assert.throws(
      () => election.reconfigure(config('n9', ['n2'], base), 50),
      (e: unknown) => e instanceof InvalidElectionConfigError && e.errors[0]?.code === 'IMMUTABLE',
    );
    assert.equal(advertOf(election, 'web').state, 'MASTER');
    assert.doesNotThrow(() => election.step(tick(100)));
  });

  it('a new peer list and timing take effect at once', () => {
    const election = mastersOfAll();
    election.reconfigure(
      config('n1', ['n2', 'n3'], base, { heartbeatIntervalMs: 50, quorum: true }),
      50,
    );
    // Quorum on with 3 voters: n2 heard at 10 (expires at 10 + 150), n3 never: 2 of 3 until then.
    assert.equal(election.status().quorum.voters, 3);
    const actions = election.step(tick(160));
    assert.deepEqual(transitionsOf(actions).map(describeTransition), [
      'web:MASTER->BACKUP(quorum-lost)',
      'db:MASTER->BACKUP(quorum-lost)',
      'mail:MASTER->BACKUP(quorum-lost)',
    ]);
  });
});
