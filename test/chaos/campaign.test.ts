// The short chaos campaign of `npm test`: fixed seeds, about 3 minutes in all, real vipd
// daemons in the namespace lab, one lab at a time (the e2e lock). Any violation of a bound
// (docs/chaos.md) fails with the seed, the violations and the fault schedule to replay it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { e2eSkipReason, withE2eLock } from '../e2e/support.js';
import { runCampaign, type CampaignOptions } from './campaign.js';
import { failureReport, figuresByKind, figuresTable } from './report.js';

const skip = e2eSkipReason();

const base: Omit<CampaignOptions, 'seed' | 'quorum'> = {
  durationMs: 80_000,
  nodes: 3,
  groups: 2,
  intervalMs: 100,
  downMultiplier: 3,
  // The suite runs beside other labs on 2 cores: a wider margin than the CLI's default.
  loadMarginMs: 400,
  probeIntervalMs: 5,
};

async function campaign(seed: number, quorum: boolean): Promise<void> {
  const result = await withE2eLock(() => runCampaign({ ...base, seed, quorum }));
  console.log(figuresTable(figuresByKind([result])).replace(/^/gm, '# '));
  assert.ok(result.history.faults.length >= 5, 'the nemesis injected faults');
  assert.ok(
    result.history.probes.every((p) => p.replies.length > 0),
    'the client probed every VIP',
  );
  assert.deepEqual(result.verdict.violations, [], failureReport(result));
}

describe('chaos campaign', { skip, timeout: 10 * 60_000 }, () => {
  it('with the quorum guard, seed 1001', () => campaign(1001, true));
  // Known violation (seed 1, `--minutes 1`, load margin 250 ms): without the guard a one-way
  // cut keeps two masters for the whole cut (2–3 s), because the side nobody hears re-claims
  // over the new master's epoch and its claim never arrives. Fails until the election fixes it.
  it(
    'without the quorum guard, seed 2002',
    { todo: 'one-way cuts keep two masters (docs/chaos.md)' },
    () => campaign(2002, false),
  );
});
