// The chaos sections of docs/benchmarks.md, one per mode (quorum guard on / off) so a long
// campaign in one mode leaves the other's figures alone: the run's parameters, the machine
// and how loaded it was, the figures per fault kind, every violation with its seed.
import { execFileSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { writeDocSection } from '../src/benchmarks-doc.js';
import type { CampaignResult } from './campaign.js';
import { describeFinding, figuresByKind, figuresTable, replayCommand } from './report.js';

/** Where and when the figures were measured; gathered once, passed in so rendering is pure. */
export interface MeasuredOn {
  /** ISO date-time (UTC). */
  readonly date: string;
  /** Short commit, `-dirty` when the tree had changes besides docs/benchmarks.md. */
  readonly commit: string;
  readonly machine: string;
}

function git(args: readonly string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  } catch {
    return '';
  }
}

export function measuredOnHere(): MeasuredOn {
  const head = git(['rev-parse', '--short', 'HEAD']).trim();
  // A previous --write leaves docs/benchmarks.md changed: that does not change what ran.
  const dirty = git(['status', '--porcelain', '--', '.', ':!docs/benchmarks.md']).trim() !== '';
  return {
    date: new Date().toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    commit: head === '' ? 'unknown' : `${head}${dirty ? '-dirty' : ''}`,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Linux ${release()}, Node ${process.version}`,
  };
}

/** A run on a busy machine can find hundreds; the page lists the first, the run prints all. */
export const LISTED_VIOLATIONS = 20;

/** The docs/benchmarks.md marker of a mode's section. */
export function sectionName(quorum: boolean): string {
  return quorum ? 'bench:chaos-quorum' : 'bench:chaos-no-quorum';
}

/** "start / max / end" of the 1-minute load averages sampled over the run. */
function loadSummary(loadAverages: readonly number[]): string {
  if (loadAverages.length === 0) return 'not sampled';
  const fixed = (n: number): string => n.toFixed(1);
  return `${fixed(loadAverages[0]!)} / ${fixed(Math.max(...loadAverages))} / ${fixed(loadAverages.at(-1)!)}`;
}

function parametersTable(result: CampaignResult, on: MeasuredOn): string {
  const o = result.options;
  return [
    '| seed | minutes | nodes | groups | interval | down multiplier | load margin | load average (1 min: start / max / end) | date | commit |',
    '| ---: | ------: | ----: | -----: | -------: | --------------: | ----------: | --------------------------------------- | ---- | ------ |',
    `| ${o.seed} | ${+(o.durationMs / 60_000).toFixed(2)} | ${o.nodes} | ${o.groups} | ${o.intervalMs} ms | ${o.downMultiplier} | ${o.loadMarginMs} ms | ${loadSummary(result.loadAverages)} | ${on.date} | ${on.commit} |`,
  ].join('\n');
}

export function benchmarkSection(result: CampaignResult, on: MeasuredOn): string {
  const { options, verdict, history } = result;
  const mode = options.quorum ? 'quorum guard on' : 'no quorum guard';
  return [
    `## Fault-injection campaign, ${mode} (\`npm run chaos -- …${options.quorum ? ' --quorum' : ''} --write\`)`,
    '',
    `Measured on ${on.machine}. Replay: \`${replayCommand(options)}\`. Method and bounds: ` +
      '[chaos.md](chaos.md). A dual owner or an unavailability counts for every fault kind whose ' +
      'window (the fault, then its recovery) covers it; `none` collects what no window covers. ' +
      'The longest dual owners are the two the bounds allow by design: a killed daemon leaves its ' +
      'VIPs on the interface until its successor starts (in this lab; under systemd the unit’s ' +
      'ExecStopPost `vipd cleanup` removes them when the process dies), and the kernel of a ' +
      'SIGSTOPped daemon answers for its VIPs while the process cannot fence itself (a paused VM ' +
      'freezes its kernel too). Overlapping faults share those findings.',
    '',
    parametersTable(result, on),
    '',
    figuresTable(figuresByKind([result])),
    '',
    `${history.faults.length} faults injected, ${verdict.violations.length} violation(s); ` +
      `${verdict.checkpoints.judged} of ${verdict.checkpoints.sampled} checkpoints judged ` +
      '(the others were sampled during a fault or its aftermath, or while their group moved).',
    ...verdict.violations
      .slice(0, LISTED_VIOLATIONS)
      .map((v) => `- seed ${options.seed}: ${describeFinding(v, history.originMs)}`),
    ...(verdict.violations.length > LISTED_VIOLATIONS
      ? [
          `- … and ${verdict.violations.length - LISTED_VIOLATIONS} more: the run prints them all, with the schedule.`,
        ]
      : []),
  ].join('\n');
}

export function writeBenchmarkSection(result: CampaignResult, on: MeasuredOn): string {
  return writeDocSection(sectionName(result.options.quorum), benchmarkSection(result, on));
}
