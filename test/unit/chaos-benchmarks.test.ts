// The chaos section of docs/benchmarks.md, rendered from a campaign result built by hand:
// one table per mode with the figures per fault kind, the run's parameters and the machine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  benchmarkSection,
  LISTED_VIOLATIONS,
  sectionName,
  type MeasuredOn,
} from '../chaos/benchmarks.js';
import { deriveBounds } from '../chaos/bounds.js';
import type { CampaignOptions, CampaignResult } from '../chaos/campaign.js';
import { check } from '../chaos/checker.js';
import type { History } from '../chaos/history.js';
import type { Fault } from '../chaos/schedule.js';

const options: CampaignOptions = {
  seed: 7,
  durationMs: 300_000,
  nodes: 3,
  groups: 1,
  quorum: true,
  intervalMs: 100,
  downMultiplier: 3,
  loadMarginMs: 250,
  probeIntervalMs: 5,
};

const vip = '10.0.0.100';
const kill: Fault = { id: 1, kind: 'kill', target: 'n1', startMs: 1_000, durationMs: 1_000 };
const tracker: Fault = {
  id: 2,
  kind: 'tracker',
  target: 'n2',
  startMs: 9_000,
  durationMs: 1_000,
  periodMs: 200,
};

/** Answers from n1 every 5 ms over [fromMs, toMs), as the client's prober records them. */
function answers(fromMs: number, toMs: number, node: string) {
  return Array.from({ length: (toMs - fromMs) / 5 }, (_, i) => ({
    seq: fromMs / 5 + i,
    sentAtMs: fromMs + i * 5,
    receivedAtMs: fromMs + i * 5 + 1,
    node,
  }));
}

/**
 * A kill of n1 (master) at 1 s: n2 takes over 400 ms later while the kernel keeps n1's VIP
 * for 1,100 ms (dual owner, excused by the kill), the client gets no answer for 405 ms. Then,
 * at 20 s with no fault about, 505 ms without answers: one violation. Two checkpoints.
 */
function result(quorum: boolean): CampaignResult {
  const bounds = deriveBounds({ ...options, quorum });
  const history: History = {
    seed: options.seed,
    quorum,
    originMs: 0,
    endMs: 30_000,
    nodes: ['n1', 'n2', 'n3'],
    groups: [{ name: 'g1', vips: [vip] }],
    clientMac: '02:00:00:00:00:ff',
    nodeMacs: {},
    faults: [
      { fault: kill, startedAtMs: 1_000, endedAtMs: 2_000 },
      { fault: tracker, startedAtMs: 9_000, endedAtMs: 10_000 },
    ],
    probes: [
      {
        vip,
        replies: [
          ...answers(0, 1_000, 'n1'),
          ...answers(1_400, 20_000, 'n2'),
          ...answers(20_500, 30_000, 'n2'),
        ],
      },
    ],
    arpFrames: [],
    initialHolders: [{ vip, node: 'n1' }],
    addressEvents: [
      { node: 'n2', vip, atMs: 1_400, added: true },
      { node: 'n1', vip, atMs: 2_500, added: false },
    ],
    initialStates: [
      { node: 'n1', group: 'g1', state: 'master' },
      { node: 'n2', group: 'g1', state: 'backup' },
    ],
    transitions: [
      { node: 'n2', atMs: 1_400, group: 'g1', from: 'BACKUP', to: 'MASTER', reason: 'master-down' },
      { node: 'n1', atMs: 2_000, group: 'g1', from: 'INIT', to: 'BACKUP', reason: 'startup' },
    ],
    // The first falls within the kill, so only the second is judged.
    checkpoints: [
      { atMs: 1_500, holders: [{ vip, node: 'n2' }] },
      { atMs: 25_000, holders: [{ vip, node: 'n2' }] },
    ],
  };
  return {
    options: { ...options, quorum },
    schedule: { seed: options.seed, faults: [kill, tracker], checkpointsMs: [] },
    bounds,
    history,
    verdict: check(history, bounds),
    runDir: '/tmp/chaos-run',
    loadAverages: [0.52, 3.24, 1.75, 0.98],
  };
}

const on: MeasuredOn = {
  date: '2026-12-07 18:00 UTC',
  commit: 'abc1234',
  machine: '2 × Test CPU, Linux 6.1, Node v20.0.0',
};

/** The cells of the table row whose first cell is `first`. */
function row(section: string, first: string): string[] | undefined {
  return section
    .split('\n')
    .map((line) => line.split('|').map((cell) => cell.trim()))
    .find((cells) => cells[1] === first)
    ?.slice(1, -1);
}

describe('benchmarkSection', () => {
  it('gives per fault kind the faults injected, worst dual owner, worst unavailability and violations', () => {
    const section = benchmarkSection(result(true), on);
    assert.deepEqual(row(section, 'kill'), ['kill', '1', '1100', '405', '0']);
    assert.deepEqual(row(section, 'tracker'), ['tracker', '1', '0', '0', '0']);
    // The outage at 20 s lies in no fault's window: it is the one violation.
    assert.deepEqual(row(section, 'none'), ['none', '0', '0', '505', '1']);
    assert.deepEqual(row(section, 'all'), ['all', '2', '1100', '505', '1']);
    assert.match(
      section,
      /\| fault kind \| injected \| worst dual owner \(ms\) \| worst unavailability \(ms\) \| violations \|/,
    );
    assert.match(section, /^- seed 7: \+19995 ms no-owner probe 10\.0\.0\.100/m);
  });

  it('states the seed, minutes, nodes, interval, load average, date and commit', () => {
    const section = benchmarkSection(result(true), on);
    assert.deepEqual(row(section, '7'), [
      '7',
      '5',
      '3',
      '1',
      '100 ms',
      '3',
      '250 ms',
      '0.5 / 3.2 / 1.0',
      '2026-12-07 18:00 UTC',
      'abc1234',
    ]);
    assert.match(section, /2 faults injected, 1 violation\(s\); 1 of 2 checkpoints judged/);
    assert.match(section, /Measured on 2 × Test CPU, Linux 6\.1, Node v20\.0\.0\./);
    assert.match(section, /`npm run chaos -- --seed 7 --minutes 5 .* --quorum`/);
  });

  it('lists the first violations only, and says how many more the run printed', () => {
    const one = result(true);
    const many = Array.from({ length: LISTED_VIOLATIONS + 5 }, (_, i) => ({
      ...one.verdict.violations[0]!,
      fromMs: 20_000 + i,
    }));
    const section = benchmarkSection({ ...one, verdict: { ...one.verdict, violations: many } }, on);
    assert.equal(section.match(/^- seed 7: /gm)?.length, LISTED_VIOLATIONS);
    assert.match(section, /^- … and 5 more: the run prints them all/m);
  });

  it('keeps one section per mode, so a run with the guard leaves the run without it alone', () => {
    assert.notEqual(sectionName(true), sectionName(false));
    assert.match(
      benchmarkSection(result(true), on),
      /^## Fault-injection campaign, quorum guard on/,
    );
    assert.match(
      benchmarkSection(result(false), on),
      /^## Fault-injection campaign, no quorum guard/,
    );
  });
});
