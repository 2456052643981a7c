// One-way cuts (README, "One-way cuts"): a master that hears a rival master which does not
// hear it yields, nobody preempts a master that does not hear them, and without the quorum
// guard a master that fell silent right after saying it could not hear us is presumed alive
// for a while (the cut stalls TCP both ways a moment later). Not in RFC 5798: VRRP keeps
// both masters (§6.4.3 discards the lower-priority advert), which is what this replaces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Election } from '../src/election.js';
import type { GroupConfig } from '../src/types.js';
import {
  advertOf,
  config,
  DOWN_AFTER_MS,
  every,
  group,
  heartbeat,
  replay,
  tick,
  type Advert,
  type ScriptLine,
} from './support/script.js';

/** 20 down intervals, the hold of README "One-way cuts". */
const HOLD_MS = 20 * DOWN_AFTER_MS;

/**
 * n1 (200) becomes master of the groups at epoch 1 as soon as it hears n2 (150), then hears
 * n2 follow it, hearing n1 back, every interval until 1000 ms.
 */
function masterHeardByN2(groups: readonly GroupConfig[] = [group('web', 200)]): Election {
  const election = new Election(config('n1', ['n2'], groups), 0);
  const names = groups.map((g) => g.name);
  const as = (advert: Advert): Record<string, Advert> =>
    Object.fromEntries(names.map((name) => [name, advert]));
  replay(election, [
    { event: tick(0), transitions: names.map((g) => `${g}:INIT->BACKUP(startup)`) },
    {
      event: heartbeat(10, 'n2', as([150, 'BACKUP', 0, null]), { hears: ['n1'] }),
      transitions: names.map((g) => `${g}:BACKUP->MASTER(master-down)`),
      epoch: 1,
    },
    ...every(100, 1000, (at) =>
      heartbeat(at, 'n2', as([150, 'BACKUP', 1, 'n1']), { hears: ['n1'] }),
    ),
  ]);
  return election;
}

/** n2's heartbeat as a master at `epoch` that hears `hears`. */
const n2Master = (atMs: number, epoch: number, hears: readonly string[] = []) =>
  heartbeat(atMs, 'n2', { web: [150, 'MASTER', epoch, 'n2'] }, { hears });

function stateOf(election: Election): { state: string; master: string | null; epoch: number } {
  const web = election.status().groups.find((g) => g.name === 'web');
  assert.ok(web);
  return { state: web.state, master: web.master, epoch: web.epoch };
}

describe('one-way cuts: the master that hears the other yields', () => {
  it('n2 no longer hears n1 and takes over: n1, which would re-claim above it, steps down instead', () => {
    replay(masterHeardByN2(), [
      {
        event: n2Master(1000, 2),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
        sendsState: true,
        then: (e) => {
          assert.equal(advertOf(e, 'web').state, 'BACKUP');
          assert.equal(advertOf(e, 'web').master, 'n2');
        },
      },
    ]);
  });

  it('yields even when its own claim is the stronger one: the rival never sees it', () => {
    // Same epoch, lower priority: by (epoch, priority, node id) n1 wins, but n2 cannot hear it.
    replay(masterHeardByN2(), [
      { event: n2Master(1000, 1), transitions: ['web:MASTER->BACKUP(higher-master-seen)'] },
    ]);
  });

  it('does not preempt a master that does not hear it, and preempts once it does', () => {
    replay(masterHeardByN2(), [
      { event: n2Master(1000, 2), transitions: ['web:MASTER->BACKUP(higher-master-seen)'] },
      ...every(1100, 2000, (at) => n2Master(at, 2)),
      { event: n2Master(2000, 2, ['n1']), transitions: ['web:BACKUP->MASTER(preempt)'], epoch: 3 },
    ]);
  });

  it('a sync group yields as a whole', () => {
    const election = masterHeardByN2([
      group('web', 200, { syncGroup: 'pair' }),
      group('db', 200, { syncGroup: 'pair' }),
    ]);
    const groups = { web: [150, 'MASTER', 2, 'n2'], db: [150, 'MASTER', 2, 'n2'] } as const;
    replay(election, [
      {
        event: heartbeat(1000, 'n2', groups, { hears: [] }),
        transitions: [
          'web:MASTER->BACKUP(higher-master-seen)',
          'db:MASTER->BACKUP(higher-master-seen)',
        ],
      },
    ]);
  });

  it('with the quorum guard too: the rival holds a majority n1 cannot see', () => {
    const election = new Election(
      config('n1', ['n2', 'n3'], [group('web', 200)], { quorum: true }),
      0,
    );
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      { event: heartbeat(10, 'n2', { web: [150, 'BACKUP', 0, null] }, { hears: ['n1', 'n3'] }) },
      {
        event: heartbeat(20, 'n3', { web: [100, 'BACKUP', 0, null] }, { hears: ['n1', 'n2'] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      ...every(100, 1000, (at) =>
        heartbeat(at, 'n2', { web: [150, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n3'] }),
      ),
      {
        event: heartbeat(1000, 'n2', { web: [150, 'MASTER', 2, 'n2'] }, { hears: ['n3'] }),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
      },
    ]);
  });
});

describe('one-way cuts: what does not count as one', () => {
  it('an older peer that does not say whom it hears: the re-claim of RFC-style two masters stays', () => {
    const election = new Election(config('n1', ['n2'], [group('web', 200)]), 0);
    replay(election, [
      { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
      {
        event: heartbeat(10, 'n2', { web: [150, 'BACKUP', 0] }),
        transitions: ['web:BACKUP->MASTER(master-down)'],
      },
      ...every(100, 1000, (at) => heartbeat(at, 'n2', { web: [150, 'BACKUP', 1] })),
      {
        event: heartbeat(1000, 'n2', { web: [150, 'MASTER', 2] }),
        then: (e) => {
          assert.deepEqual(stateOf(e), { state: 'MASTER', master: 'n1', epoch: 3 });
        },
      },
    ]);
  });

  it('a healed partition: a rival just heard again has the down interval to hear us back', () => {
    const election = masterHeardByN2();
    const healedAt = 2000;
    const script: ScriptLine[] = [
      // n2 silent from 1000 ms (a partition); n1 stays master alone.
      { event: tick(1000 + DOWN_AFTER_MS) },
      // Healed: n2 took over meanwhile and has not heard n1 yet. n1 would preempt it at
      // once, so it re-claims above it (the addresses stay) instead of yielding.
      {
        event: n2Master(healedAt, 2),
        then: (e) => {
          assert.deepEqual(stateOf(e), { state: 'MASTER', master: 'n1', epoch: 3 });
        },
      },
      { event: n2Master(healedAt + 100, 2) },
      { event: n2Master(healedAt + 200, 2) },
      // Still not hearing n1 a down interval after n1 first heard it again: one-way after all.
      { event: tick(healedAt + DOWN_AFTER_MS - 1) },
      {
        event: tick(healedAt + DOWN_AFTER_MS),
        transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
      },
    ];
    replay(election, script);
  });

  it('a healed partition where the rival hears us back in time: no yield, the re-claim wins', () => {
    replay(masterHeardByN2(), [
      { event: tick(1000 + DOWN_AFTER_MS) },
      { event: n2Master(2000, 2) },
      { event: n2Master(2050, 2, ['n1']) },
      { event: tick(2000 + DOWN_AFTER_MS) },
      {
        event: tick(2000 + 2 * DOWN_AFTER_MS),
        then: (e) => {
          assert.deepEqual(stateOf(e), { state: 'MASTER', master: 'n1', epoch: 3 });
        },
      },
    ]);
  });
});

describe('one-way cuts: the silence that follows', () => {
  it('without the guard, a master that went silent after saying it could not hear us is presumed alive for the hold', () => {
    const lastHeardMs = 1000;
    replay(masterHeardByN2(), [
      { event: n2Master(lastHeardMs, 2), transitions: ['web:MASTER->BACKUP(higher-master-seen)'] },
      // Its heartbeats stop (the cut stalls TCP): no takeover on silence.
      {
        event: tick(lastHeardMs + DOWN_AFTER_MS),
        then: (e) => {
          assert.deepEqual(e.hearing(), []);
          assert.deepEqual(stateOf(e), { state: 'BACKUP', master: 'n2', epoch: 2 });
        },
      },
      { event: tick(lastHeardMs + HOLD_MS - 1) },
      {
        event: tick(lastHeardMs + HOLD_MS),
        transitions: ['web:BACKUP->MASTER(master-down)'],
        epoch: 3,
        then: (_e, actions) => {
          const claim = actions.find((a) => a.type === 'transition');
          assert.match(claim?.type === 'transition' ? claim.detail : '', /one-way cut/);
        },
      },
    ]);
  });

  it('the hold arms a timer: the claim comes without any other event', () => {
    const election = masterHeardByN2();
    election.step(n2Master(1000, 2));
    replay(election, [{ event: tick(1000 + DOWN_AFTER_MS), armsTimerAt: 1000 + HOLD_MS }]);
  });

  it('heard again during the hold: ordinary rules (it hears us, so n1 preempts)', () => {
    replay(masterHeardByN2(), [
      { event: n2Master(1000, 2), transitions: ['web:MASTER->BACKUP(higher-master-seen)'] },
      { event: tick(1000 + DOWN_AFTER_MS) },
      { event: n2Master(3000, 2, ['n1']), transitions: ['web:BACKUP->MASTER(preempt)'], epoch: 3 },
    ]);
  });

  it('a master that heard us when it went silent is down after the down interval, as ever', () => {
    // Nopreempt, so n1 steps down to n2's newer epoch instead of re-claiming above it.
    replay(masterHeardByN2([group('web', 200, { preempt: false })]), [
      { event: n2Master(1000, 2, ['n1']), transitions: ['web:MASTER->BACKUP(higher-master-seen)'] },
      { event: tick(1000 + DOWN_AFTER_MS - 1) },
      { event: tick(1000 + DOWN_AFTER_MS), transitions: ['web:BACKUP->MASTER(master-down)'] },
    ]);
  });

  for (const quorum of [false, true])
    it(`three nodes, the third lost n2 too: ${quorum ? 'with the quorum guard nothing is presumed (the cut-off master fences itself)' : 'without the guard n1 keeps presuming n2'}`, () => {
      const election = new Election(config('n1', ['n2', 'n3'], [group('web', 200)], { quorum }), 0);
      const n3 = (at: number, epoch: number, hears: readonly string[]) =>
        heartbeat(at, 'n3', { web: [100, 'BACKUP', epoch, null] }, { hears });
      replay(election, [
        { event: tick(0), transitions: ['web:INIT->BACKUP(startup)'] },
        {
          event: heartbeat(10, 'n2', { web: [150, 'BACKUP', 0, null] }, { hears: ['n1', 'n3'] }),
        },
        { event: n3(20, 0, ['n1', 'n2']), transitions: ['web:BACKUP->MASTER(master-down)'] },
        ...every(100, 1000, (at) =>
          heartbeat(at, 'n2', { web: [150, 'BACKUP', 1, 'n1'] }, { hears: ['n1', 'n3'] }),
        ),
        {
          event: heartbeat(1000, 'n2', { web: [150, 'MASTER', 2, 'n2'] }, { hears: ['n3'] }),
          transitions: ['web:MASTER->BACKUP(higher-master-seen)'],
        },
        // The cut stalls every connection of n2: n3 loses it too and follows nobody.
        ...every(1050, 1000 + DOWN_AFTER_MS, (at) => n3(at, 2, ['n1'])),
        {
          event: tick(1000 + DOWN_AFTER_MS),
          transitions: quorum ? ['web:BACKUP->MASTER(master-down)'] : [],
          then: (e) => {
            assert.equal(stateOf(e).master, quorum ? 'n1' : 'n2');
          },
        },
      ]);
    });
});
