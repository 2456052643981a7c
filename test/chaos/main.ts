// `npm run chaos -- --seed S --minutes M [--nodes 3] [--quorum] [--interval 100ms]`: one
// campaign; prints the figures per fault kind, and on a violation the seed and schedule.
// Exit 0: every bound held; 1: a violation; 2: bad arguments or the lab could not run.
import { writeFileSync } from 'node:fs';
import { labSupport } from '@vipd/testkit';
import { runCampaign, type CampaignResult } from './campaign.js';
import { parseCampaignArgs } from './options.js';
import { failureReport, figuresByKind, figuresTable, replayCommand } from './report.js';
import { measuredOnHere, writeBenchmarkSection } from './benchmarks.js';

/** After the figures: a history too large to serialise must not cost the run its verdict. */
function saveHistory(path: string, result: CampaignResult): void {
  try {
    writeFileSync(path, JSON.stringify(result.history));
    console.log(`chaos: history saved to ${path}`);
  } catch (error) {
    console.error(`chaos: could not save the history to ${path}: ${String(error)}`);
  }
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseCampaignArgs(process.argv.slice(2));
  } catch (error) {
    // commander printed the problem already.
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const support = labSupport();
  if (!support.ok) {
    console.error(`chaos: the namespace lab cannot run here: ${support.reason}`);
    return 2;
  }
  console.log(`chaos: ${replayCommand(options)}`);
  // The commit and date the run started from, not those of the moment it ends.
  const measuredOn = measuredOnHere();
  const result = await runCampaign({
    ...options,
    log: (line) => {
      console.log(line);
    },
  });
  const figures = figuresByKind([result]);
  console.log(figuresTable(figures));
  if (options.write)
    console.log(`chaos: figures written to ${writeBenchmarkSection(result, measuredOn)}`);
  if (options.historyPath !== undefined) saveHistory(options.historyPath, result);
  if (result.verdict.violations.length > 0) {
    console.error(failureReport(result));
    return 1;
  }
  const { judged, sampled } = result.verdict.checkpoints;
  console.log(
    `chaos: no violation (seed ${options.seed}, ${result.verdict.findings.length} findings within bounds, ${judged} of ${sampled} checkpoints judged)`,
  );
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('chaos:', error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
