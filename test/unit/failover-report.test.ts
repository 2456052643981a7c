// The failover bench's Markdown sections: every table row has the header's cells, the routed
// section shows its medians, ranges, run counts and the load average, and each section shows
// only its own kinds.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatReport, formatRoutedReport, formatVrrpReport } from '../bench/failover-report.js';
import { newResult, type BenchOptions, type DaemonResult } from '../bench/failover-trials.js';
import type { DaemonKind } from '../src/cluster.js';

const options: BenchOptions = {
  trials: 3,
  crashTrials: 2,
  intervalsMs: [100, 20],
  daemons: ['keepalived', 'vipd', 'vipd-routed'],
  cpuSampleMs: 10_000,
  log: () => undefined,
};

function result(daemon: DaemonKind, fill: Partial<DaemonResult>): DaemonResult {
  return { ...newResult(daemon, `${daemon} 9.9`, 100), ...fill };
}

const routed = result('vipd-routed', {
  outagesMs: [310, 302, 330],
  pingOutagesMs: [312, 305, 340],
  routeAfterMs: [300, 298, 325],
  routerLagsMs: { silent: [0.4, 1.2, 0.8], crash: [0.5, 0.7], planned: [0.3, 0.9, 0.6] },
  crashTakeoversMs: [8, 12],
  crashOutagesMs: [2, 4],
  plannedGapsMs: [0, 0, 1],
  cpuMaster: 0.7,
  cpuBackup: 0.6,
  errors: ['crash #2: the backup never announced the VIP'],
});
const mesh = result('vipd', { outagesMs: [280, 290, 300] });
const keepalived = result('keepalived', { outagesMs: [350, 360, 370] });

/** The table's lines, each split into its cells. */
function tableOf(report: string): string[][] {
  return report
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .slice(1, -1)
        .split('|')
        .map((cell) => cell.trim()),
    );
}

describe('failover bench report', () => {
  it('routed section: medians, ranges, run counts, load average, one row per interval', () => {
    const report = formatRoutedReport([keepalived, mesh, routed], options, [], 90_000);
    assert.match(report, /^## Failover in routed mode/);
    assert.match(report, /load average at the end [\d.]+ \/ [\d.]+ \/ [\d.]+ \(1\/5\/15 min\)/);
    assert.match(report, /Medians of 3 silent deaths, 2 crashes and 3 planned takeovers/);
    const [header, align, row100, row20] = tableOf(report);
    assert.ok(header && align && row100 && row20);
    assert.equal(align.length, header.length);
    const cell = (name: string, row: string[]) => row[header.indexOf(name)];
    assert.deepEqual(row100.slice(0, 2), ['100 ms', '3 / 2 / 3']);
    assert.equal(cell('silent death: client outage ms (range)', row100), '310 (302–330)');
    assert.equal(cell('ping cross-check ms', row100), '312');
    assert.equal(
      cell("silent death: new master's route after ms (range)", row100),
      '300 (298–325)',
    );
    assert.equal(cell('silent death: router followed after ms (range)', row100), '0.8 (0.4–1.2)');
    assert.equal(cell('crash takeover ms (range)', row100), '10.0 (8.0–12.0)');
    assert.equal(cell('planned takeover: client gap ms (range)', row100), '0.0 (0.0–1.0)');
    assert.equal(cell('router followed after ms: crash / planned', row100), '0.6 / 0.6');
    assert.equal(cell('vipd CPU s/min (master / backup)', row100), '0.700 / 0.600');
    // 20 ms did not run: dashes, not zeros.
    assert.equal(cell('silent death: client outage ms (range)', row20), '– (–)');
    assert.match(report, /- vipd-routed @ 100 ms: crash #2: the backup never announced the VIP/);
  });

  it('every row of every section has as many cells as its header', () => {
    for (const format of [formatReport, formatVrrpReport, formatRoutedReport]) {
      const rows = tableOf(format([keepalived, mesh, routed], options, [], 1_000));
      assert.equal(rows.length, 2 + options.intervalsMs.length);
      for (const row of rows) assert.equal(row.length, rows[0]?.length);
    }
  });

  it('each section names only its own kinds and skips', () => {
    const skipped = [{ daemon: 'vipd-routed' as const, reason: 'needs bird2' }];
    const meshReport = formatReport([keepalived, mesh, routed], options, skipped, 1_000);
    assert.doesNotMatch(meshReport, /vipd-routed/);
    assert.match(meshReport, /keepalived 9\.9, vipd 9\.9\./);
    const routedReport = formatRoutedReport([keepalived, mesh, routed], options, skipped, 1_000);
    assert.match(routedReport, /; vipd-routed 9\.9\./);
    assert.match(routedReport, /Not measured: vipd-routed \(needs bird2\)\./);
  });
});
