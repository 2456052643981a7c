// `npm run fuzz:election`: the property checks of test/properties.test.ts over many more
// random schedules. Bounded in count and time; stops by itself. Every schedule has its own
// seed, printed on failure; `--seed N` replays exactly that schedule (and shrinks it).
//
//   npm run fuzz:election                         # 100,000 schedules or 60 minutes
//   npm run fuzz:election -- --runs 5000 --from 42
//   npm run fuzz:election -- --seed 1234567       # replay one failing schedule
//   npm run fuzz:election -- --deep               # up to 7 nodes, longer chaos (--seed too)
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  checkAll,
  describeRun,
  play,
  scheduleArbitrary,
  type Schedule,
} from '../test/support/schedules.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '100000' },
    from: { type: 'string' },
    seed: { type: 'string' },
    'max-minutes': { type: 'string', default: '60' },
    'keep-going': { type: 'boolean', default: false },
    // Wider (slower) schedules: up to 7 nodes, longer chaos, more disturbances.
    deep: { type: 'boolean', default: false },
  },
});

function integer(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) {
    console.error(`--${name} must be an integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const shape = values.deep
  ? { maxDisturbances: 30, chaosIntervals: 80, maxNodes: 7 }
  : { maxDisturbances: 12 };
const property = fc.property(scheduleArbitrary(shape), (schedule: Schedule) => {
  const run = play(schedule);
  const problems = checkAll(run);
  if (problems.length > 0) throw new Error(`${problems.join('\n')}\n${describeRun(run, 200)}`);
});

function runOne(seed: number): fc.RunDetails<[Schedule]> {
  return fc.check(property, { seed, numRuns: 1 });
}

function report(seed: number, details: fc.RunDetails<[Schedule]>): void {
  console.log(`\nFAIL seed ${seed} (replay: npm run fuzz:election -- --seed ${seed})`);
  console.log(
    details.errorInstance instanceof Error
      ? details.errorInstance.message
      : String(details.errorInstance),
  );
}

if (values.seed !== undefined) {
  const seed = integer('seed', values.seed, 0);
  const details = runOne(seed);
  if (details.failed) {
    report(seed, details);
    process.exit(1);
  }
  console.log(`seed ${seed}: every property holds`);
  process.exit(0);
}

const runs = integer('runs', values.runs, 100_000);
const from = integer('from', values.from, Number(process.hrtime.bigint() % 1_000_000_000n));
const deadline = performance.now() + integer('max-minutes', values['max-minutes'], 60) * 60_000;
const started = performance.now();
let failures = 0;
let done = 0;
console.log(
  `fuzz:election: ${runs} schedules from seed ${from} (stops after ${values['max-minutes']} min)`,
);
for (let i = 0; i < runs && performance.now() < deadline; i++) {
  const seed = from + i;
  const details = runOne(seed);
  done++;
  if (details.failed) {
    failures++;
    report(seed, details);
    if (!values['keep-going']) break;
  }
  if (done % 1000 === 0) {
    const perSecond = done / ((performance.now() - started) / 1000);
    console.log(`  ${done} schedules, ${failures} failing, ${perSecond.toFixed(0)}/s`);
  }
}
const seconds = (performance.now() - started) / 1000;
console.log(`fuzz:election: ${done} schedules in ${seconds.toFixed(1)}s, ${failures} failing`);
process.exit(failures > 0 ? 1 : 0);
