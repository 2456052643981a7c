// `npm run fuzz:vrrp`: the codec properties of test/codec/fuzz.test.ts over many more inputs,
// bounded by count (and a time cap). Prints what it covered: how many inputs, how fast, and
// how often each reason came up. A failure prints its seed; `--seed N` replays it.
//
//   npm run fuzz:vrrp                       # 200,000 inputs per property
//   npm run fuzz:vrrp -- --runs 20000 --seed 42
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import {
  anyContext,
  mutatedAdvert,
  validAdvert,
  vrrpLikeBytes,
} from '../test/codec/arbitraries.js';
import { decodesCleanly, roundTrips } from '../test/codec/properties.js';
import { KEEPALIVED_ADVERTS } from '../test/fixtures/keepalived-adverts.js';
import { decodeAdvert } from '../src/codec/decode.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200000' },
    seed: { type: 'string' },
    'max-minutes': { type: 'string', default: '10' },
  },
});

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    console.error(`--${name} must be a non-negative integer, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return value;
}

const runs = integer('runs', values.runs) ?? 200_000;
const seed = integer('seed', values.seed) ?? Number(process.hrtime.bigint() % 1_000_000_000n);
const maxMs = (integer('max-minutes', values['max-minutes']) ?? 10) * 60_000;
const reasons = new Map<string, number>();

function tally(outcome: string): void {
  reasons.set(outcome, (reasons.get(outcome) ?? 0) + 1);
}

console.log(`fuzz:vrrp  seed ${seed}  ${runs.toLocaleString('en')} inputs per property`);

/** Runs one property, prints inputs, time, rate and the spread of outcomes; true if it held. */
function runProperty<T extends [unknown, ...unknown[]]>(
  name: string,
  property: fc.IProperty<T>,
): boolean {
  reasons.clear();
  const started = performance.now();
  const details = fc.check(property, { seed, numRuns: runs, interruptAfterTimeLimit: maxMs });
  const seconds = (performance.now() - started) / 1000;
  const done = details.numRuns;
  console.log(
    `${details.failed ? 'FAIL' : 'ok  '}  ${name.padEnd(30)} ${done.toLocaleString('en').padStart(9)} inputs ` +
      `${seconds.toFixed(1).padStart(6)} s  ${Math.round(done / seconds)
        .toLocaleString('en')
        .padStart(8)} /s`,
  );
  if (reasons.size > 0) {
    const spread = [...reasons]
      .sort((a, b) => b[1] - a[1])
      .map(([reason, count]) => `${reason} ${((100 * count) / done).toFixed(1)}%`);
    console.log(`      outcomes: ${spread.join(', ')}`);
  }
  if (details.failed) {
    console.log(`      replay: npm run fuzz:vrrp -- --seed ${seed} --runs ${runs}`);
    console.log(fc.defaultReportMessage(details));
  }
  return !details.failed;
}

const held = [
  runProperty(
    'arbitrary bytes never throw',
    fc.property(vrrpLikeBytes, anyContext, (bytes, context) => {
      const result = decodesCleanly(bytes, context);
      tally(result.ok ? 'ok' : result.reason);
    }),
  ),
  runProperty(
    'mutated adverts never throw',
    fc.property(mutatedAdvert, ({ payload, context }) => {
      const result = decodesCleanly(payload, context);
      tally(result.ok ? 'ok' : result.reason);
    }),
  ),
  runProperty(
    'encode -> decode round-trips',
    fc.property(validAdvert, ({ fields, context }) => {
      roundTrips(fields, context);
    }),
  ),
];

/** Decode cost alone, on a captured keepalived advert: what one received packet costs. */
function decodeRate(): void {
  const fixture = KEEPALIVED_ADVERTS.find((f) => f.tshark.version === 3 && f.family === 4);
  if (fixture === undefined) throw new Error('no keepalived IPv4 VRRPv3 fixture to time');
  const payload = Buffer.from(fixture.payloadHex, 'hex');
  const { family, sourceAddress, destinationAddress, ttl } = fixture;
  const context = { family, sourceAddress, destinationAddress, ttl };
  const count = 200_000;
  const started = performance.now();
  for (let i = 0; i < count; i++) decodeAdvert(payload, context);
  const ms = performance.now() - started;
  console.log(
    `decode    ${fixture.name}: ${Math.round((count / ms) * 1000).toLocaleString('en')} /s ` +
      `(${((ms * 1000) / count).toFixed(2)} µs each)`,
  );
}

decodeRate();
process.exit(held.every(Boolean) ? 0 : 1);
