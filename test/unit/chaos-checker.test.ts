// The campaign's pure parts: the seeded schedule and the checker, on histories built by hand.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveBounds } from '../chaos/bounds.js';
import { check } from '../chaos/checker.js';
import type { AppliedFault, History } from '../chaos/history.js';
import { drawSchedule, MAX_FAULT_MS, type Fault, type ScheduleOptions } from '../chaos/schedule.js';

const scheduleOptions: ScheduleOptions = {
  seed: 7,
  durationMs: 120_000,
  nodes: ['n1', 'n2', 'n3'],
  groups: ['g1', 'g2'],
  intervalMs: 100,
  downMultiplier: 3,
  settleMs: 4_000,
};

describe('drawSchedule', () => {
  it('is the same for the same seed and differs for another', () => {
    assert.deepEqual(drawSchedule(scheduleOptions), drawSchedule(scheduleOptions));
    assert.notDeepEqual(
      drawSchedule(scheduleOptions),
      drawSchedule({ ...scheduleOptions, seed: 8 }),
    );
  });

  it('bounds every fault, overlaps some, and never puts a command on a node in another fault', () => {
    for (let seed = 0; seed < 50; seed += 1) {
      const { faults, checkpointsMs } = drawSchedule({ ...scheduleOptions, seed });
      assert.ok(faults.length > 0);
      for (const fault of faults) {
        assert.ok(fault.durationMs > 0 && fault.durationMs <= MAX_FAULT_MS, JSON.stringify(fault));
        if (fault.kind === 'pause')
          assert.ok(fault.durationMs > 300, 'a pause outlasts the down interval');
      }
      assert.ok(checkpointsMs.every((c) => c <= scheduleOptions.durationMs));
      for (const op of faults.filter((f) => f.kind === 'operator')) {
        const during = faults.find((f) => f.id === op.id - 1)!;
        assert.ok(op.startMs >= during.startMs && op.startMs <= during.startMs + during.durationMs);
        assert.notEqual(op.target, during.target);
      }
    }
    const all = Array.from(
      { length: 50 },
      (_, seed) => drawSchedule({ ...scheduleOptions, seed }).faults,
    ).flat();
    assert.ok(
      all.some((f) => f.kind === 'operator'),
      'some rounds overlap two faults',
    );
  });
});

const bounds = deriveBounds({
  intervalMs: 100,
  downMultiplier: 3,
  nodes: 3,
  quorum: false,
  loadMarginMs: 250,
});

function applied(
  fault: Partial<Fault> & Pick<Fault, 'kind'>,
  startedAtMs: number,
  endedAtMs: number,
): AppliedFault {
  return {
    fault: {
      id: 1,
      target: 'n1',
      startMs: 0,
      durationMs: endedAtMs - startedAtMs,
      ...fault,
    } as Fault,
    startedAtMs,
    endedAtMs,
  };
}

/** n1 holds the VIP from the start; n2 also holds it over [fromMs, toMs]. */
function history(quorum: boolean, faults: AppliedFault[], fromMs: number, toMs: number): History {
  return {
    seed: 1,
    quorum,
    originMs: 0,
    endMs: 30_000,
    nodes: ['n1', 'n2', 'n3'],
    groups: [{ name: 'g1', vips: ['10.0.0.100'] }],
    clientMac: '02:00:00:00:00:ff',
    nodeMacs: {},
    faults,
    probes: [],
    arpFrames: [],
    initialHolders: [{ vip: '10.0.0.100', node: 'n1' }],
    addressEvents: [
      { node: 'n2', vip: '10.0.0.100', atMs: fromMs, added: true },
      { node: 'n2', vip: '10.0.0.100', atMs: toMs, added: false },
    ],
    initialStates: [
      { node: 'n1', group: 'g1', state: 'master' },
      { node: 'n2', group: 'g1', state: 'backup' },
      { node: 'n3', group: 'g1', state: 'backup' },
    ],
    transitions: [],
    checkpoints: [{ atMs: 20_000, holders: [{ vip: '10.0.0.100', node: 'n1' }] }],
  };
}

describe('check', () => {
  it('accepts two owners for the length of a partition that cuts every path, without quorum', () => {
    const h = history(false, [applied({ kind: 'partition' }, 1_000, 3_000)], 1_300, 3_200);
    assert.deepEqual(check(h, bounds).violations, []);
    assert.equal(check(h, bounds).findings.filter((f) => f.kind === 'dual-owner').length, 1);
  });

  it('flags two owners that outlast the partition by more than the rehear bound', () => {
    const h = history(false, [applied({ kind: 'partition' }, 1_000, 3_000)], 1_300, 5_000);
    const [violation] = check(h, bounds).violations;
    assert.equal(violation?.kind, 'dual-owner');
    assert.deepEqual(violation.nodes, ['n1', 'n2']);
  });

  it('with quorum, flags two owners during a partition beyond the self-fencing bound', () => {
    const h = history(true, [applied({ kind: 'partition' }, 1_000, 3_000)], 1_300, 2_000);
    assert.equal(check(h, bounds).violations[0]?.kind, 'dual-owner');
    const brief = history(
      true,
      [applied({ kind: 'partition' }, 1_000, 3_000)],
      1_300,
      1_300 + bounds.fencingMs,
    );
    assert.deepEqual(check(brief, bounds).violations, []);
  });

  it('with quorum, excuses a paused owner until D after it runs again, not longer', () => {
    const pause = applied({ kind: 'pause', target: 'n1' }, 1_000, 3_000);
    assert.deepEqual(check(history(true, [pause], 1_400, 3_050), bounds).violations, []);
    assert.equal(
      check(history(true, [pause], 1_400, 3_000 + bounds.fencingMs + 50), bounds).violations.length,
      1,
    );
  });

  it('does not excuse a one-way cut, where the two owners still hear one way', () => {
    const h = history(
      false,
      [applied({ kind: 'one-way', direction: 'unheard' }, 1_000, 3_000)],
      1_300,
      3_000,
    );
    assert.equal(check(h, bounds).violations[0]?.kind, 'dual-owner');
  });

  it('flags a transition no fault explains, and one whose reason belongs to another fault', () => {
    const base = history(
      false,
      [applied({ kind: 'silence', target: 'n2' }, 1_000, 2_000)],
      1_000,
      1_000,
    );
    const transitions = [
      {
        node: 'n2',
        atMs: 10_000,
        group: 'g1',
        from: 'BACKUP',
        to: 'MASTER',
        reason: 'master-down',
      },
      {
        node: 'n2',
        atMs: 1_500,
        group: 'g1',
        from: 'BACKUP',
        to: 'FAULT',
        reason: 'tracker-fault',
      },
      { node: 'n2', atMs: 1_600, group: 'g1', from: 'BACKUP', to: 'MASTER', reason: 'master-down' },
    ];
    const { violations } = check({ ...base, transitions }, bounds);
    assert.deepEqual(
      violations.filter((v) => v.kind === 'unexplained-transition').map((v) => v.fromMs),
      [1_500, 10_000],
    );
  });

  it('flags a VIP left on a node that is not master at a checkpoint', () => {
    const h = history(false, [], 1_000, 1_000);
    const stray = {
      ...h,
      checkpoints: [
        {
          atMs: 20_000,
          holders: [
            { vip: '10.0.0.100', node: 'n1' },
            { vip: '10.0.0.100', node: 'n3' },
          ],
        },
      ],
    };
    assert.deepEqual(check(h, bounds).violations, []);
    const [violation] = check(stray, bounds).violations;
    assert.equal(violation?.kind, 'not-converged');
    assert.deepEqual(violation.nodes, ['n3']);
  });

  it('does not judge a checkpoint sampled while a killed master is not yet back, and judges the next', () => {
    // Seed 1001 (--quorum): n1, master of g1, is killed; n2 takes over; the kernel keeps
    // n1's VIP and its log's last word is MASTER until the restarted daemon logs its start,
    // which came after the checkpoint drawn for that round.
    const kill = applied({ kind: 'kill', target: 'n1' }, 1_000, 7_000);
    const vip = '10.0.0.100';
    const killed: History = {
      ...history(true, [kill], 1_300, 1_300),
      addressEvents: [{ node: 'n2', vip, atMs: 1_300, added: true }],
      transitions: [
        {
          node: 'n2',
          atMs: 1_300,
          group: 'g1',
          from: 'BACKUP',
          to: 'MASTER',
          reason: 'master-down',
        },
      ],
      checkpoints: [
        {
          atMs: 6_000,
          holders: [
            { vip, node: 'n1' },
            { vip, node: 'n2' },
          ],
        },
      ],
    };
    const [sample] = check(killed, bounds).findings.filter((f) => f.kind === 'not-converged');
    assert.equal(sample?.violation, false, 'the sample falls within the kill');
    assert.deepEqual(sample.faultIds, [1]);
    assert.deepEqual(
      check(killed, bounds).violations.filter((v) => v.kind === 'not-converged'),
      [],
    );

    // Once the restart and its settle time are over, a VIP left on n1 is a violation again.
    const settledAtMs = 7_000 + bounds.restartMs + bounds.recoveryMs + 1;
    const restarted: History = {
      ...killed,
      transitions: [
        ...killed.transitions,
        { node: 'n1', atMs: 7_000, group: 'g1', from: 'INIT', to: 'BACKUP', reason: 'startup' },
      ],
      checkpoints: [{ atMs: settledAtMs, holders: killed.checkpoints[0]!.holders }],
    };
    const [stray] = check(restarted, bounds).violations.filter((v) => v.kind === 'not-converged');
    assert.deepEqual(stray?.nodes, ['n1']);
    assert.equal(stray.vip, vip);
  });

  it('does not judge a group that moved while the checkpoint was sampled, but flags the move', () => {
    // Seed 7 (--quorum, load 17): the checkpoint's `ip addr` on n2 ran after n2 took over
    // from n1, whose loop had stalled (no fault): n2 holds the VIP, the logs still say n1.
    const vip = '10.0.0.100';
    const base = history(true, [], 1_000, 1_000);
    const moved: History = {
      ...base,
      addressEvents: [
        { node: 'n2', vip, atMs: 20_200, added: true },
        { node: 'n1', vip, atMs: 20_600, added: false },
      ],
      transitions: [
        {
          node: 'n2',
          atMs: 20_201,
          group: 'g1',
          from: 'BACKUP',
          to: 'MASTER',
          reason: 'master-down',
        },
      ],
      checkpoints: [
        {
          atMs: 20_000,
          sampledUntilMs: 20_300,
          holders: [
            { vip, node: 'n1' },
            { vip, node: 'n2' },
          ],
        },
      ],
    };
    const { violations, findings, checkpoints } = check(moved, bounds);
    assert.deepEqual(
      violations.map((v) => v.kind),
      ['unexplained-transition'],
    );
    assert.ok(findings.some((f) => f.kind === 'not-converged' && !f.violation));
    assert.deepEqual(checkpoints, { sampled: 1, judged: 0 });
    // The same sample taken in an instant is judged: n2 holds a VIP it is not master of.
    const instant = {
      ...moved,
      checkpoints: [{ ...moved.checkpoints[0]!, sampledUntilMs: 20_000 }],
    };
    assert.ok(check(instant, bounds).violations.some((v) => v.kind === 'not-converged'));
  });

  it('flags an outage with no fault around it and accepts one inside a fault and its recovery', () => {
    const replies = [0, 1, 2, 600, 601].map((seq) => ({
      seq,
      sentAtMs: 5_000 + seq * 5,
      receivedAtMs: 5_000 + seq * 5 + 1,
      node: 'n1',
    }));
    const h = {
      ...history(false, [], 1_000, 1_000),
      endMs: 8_010,
      probes: [{ vip: '10.0.0.100', replies }],
    };
    assert.equal(check(h, bounds).violations[0]?.kind, 'no-owner');
    const during = { ...h, faults: [applied({ kind: 'kill' }, 4_990, 7_000)] };
    assert.deepEqual(check(during, bounds).violations, []);
  });
});
