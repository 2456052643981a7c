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
  // Seed 2002 found the one-way cuts whose claim lost the race with the TCP stall: two
  // masters for the whole cut. Heartbeat datagrams cross a one-way path, so the deaf side
  // is heard throughout (docs/chaos.md, "Found so far").
  it('without the quorum guard, seed 2002', () => campaign(2002, false));
});
