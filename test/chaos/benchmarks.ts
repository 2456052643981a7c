// The `chaos` section of docs/benchmarks.md: machine, campaigns run, figures per fault kind,
// every violation with its seed.
import { cpus, release } from 'node:os';
import { writeDocSection } from '../src/benchmarks-doc.js';
import type { CampaignResult } from './campaign.js';
import { describeFinding, figuresByKind, figuresTable, replayCommand } from './report.js';

export function benchmarkSection(results: readonly CampaignResult[]): string {
  const minutes = results.reduce((sum, r) => sum + r.options.durationMs, 0) / 60_000;
  const violations = results.flatMap((r) =>
    r.verdict.violations.map(
      (v) => `- seed ${r.options.seed}: ${describeFinding(v, r.history.originMs)}`,
    ),
  );
  return [
    '## Fault-injection campaign (`npm run chaos`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ` +
      `Linux ${release()}, Node ${process.version}; ${results.length} campaign(s), ${minutes.toFixed(1)} min of faults. ` +
      'Method and bounds: [chaos.md](chaos.md). A dual owner or outage counts for every fault kind whose window covers it.',
    '',
    ...results.map(
      (r) =>
        `- \`${replayCommand(r.options)}\`: ${r.history.faults.length} faults, ${r.verdict.violations.length} violation(s)`,
    ),
    '',
    figuresTable(figuresByKind(results)),
    '',
    violations.length === 0 ? 'No violation.' : 'Violations:',
    ...violations,
  ].join('\n');
}

export function writeBenchmarkSection(results: readonly CampaignResult[]): string {
  return writeDocSection('chaos', benchmarkSection(results));
}
