// Runs every compiled test file (`*.test.js` under each package's dist/test and test/dist)
// with Node's built-in runner and the TAP reporter, so a run closes on "# pass N / # fail N".
// Node 20's --test takes no globs, hence this small finder.
//
// Suites that need the namespace lab, root, or a Debian tool skip themselves with a reason
// when it is missing. A run with skips is not the run it claims to be, so it ends with a loud
// list of every skip and the one apt-get line that enables them; under CI=true or
// VIPD_REQUIRE_LAB=1 any skip fails the run, so a green CI always means the lab tests ran.
//
// Files run two at a time, except those that change the machine itself (install the Debian
// package into /etc/vipd and /usr/lib/vipd, add the vipd user): a line `// run-tests:
// exclusive` in the source puts a file in a second pass that runs alone, so no other test sees
// a half-installed package. The run ends with the totals of both passes.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** Everything the skipping suites look for (kept in step with .ci/run). */
const LAB_PACKAGES =
  'iproute2 keepalived tcpdump tshark nftables iputils-ping iputils-arping prometheus procps ' +
  'systemd openssl curl util-linux dpkg-dev lintian adduser man-db chromium strace bird2';

const roots = [
  ...readdirSync('packages').map((name) => join('packages', name, 'dist', 'test')),
  join('test', 'dist'),
  join('deploy', 'dist', 'test'),
];

function findTests(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return findTests(path);
    return entry.endsWith('.test.js') ? [path] : [];
  });
}

/** The TypeScript file a compiled test came from: `tsc -b` never deletes the output of a
 * source that was removed or renamed, and such a stale test must not run. */
function sourceOf(compiled) {
  return compiled.replace(/(^|\/)dist\//, '$1').replace(/\.js$/, '.ts');
}

const filter = process.argv[2];
const compiled = roots.flatMap(findTests).filter((f) => !filter || f.includes(filter));
const stale = compiled.filter((f) => !existsSync(sourceOf(f)));
if (stale.length > 0) {
  console.error(
    `run-tests: ${stale.length.toString()} compiled test(s) without a source, not run:`,
  );
  for (const file of stale) console.error(`  ${file}`);
}
const files = compiled.filter((f) => existsSync(sourceOf(f))).sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found; run `npm run build` first');
  process.exit(1);
}

const requireLab = process.env['CI'] === 'true' || process.env['VIPD_REQUIRE_LAB'] === '1';
// A TAP result line that the runner marked as skipped: "ok 3 - name # SKIP reason".
const SKIPPED = /^\s*ok \d+ - (.*?) # SKIP ?(.*)$/;
const skipped = [];

const EXCLUSIVE_MARK = /^\/\/ run-tests: exclusive/m;
const exclusive = files.filter((f) => EXCLUSIVE_MARK.test(readFileSync(sourceOf(f), 'utf8')));
const shared = files.filter((f) => !exclusive.includes(f));
// The runner's closing "# pass N" style lines, summed over both passes.
const SUMMARY = /^# (tests|suites|pass|fail|cancelled|skipped|todo) (\d+)$/;
const totals = new Map();

/** One `node --test` run; resolves to its exit code. */
async function runPass(passFiles, concurrency) {
  const child = spawn(
    process.execPath,
    ['--test', '--test-reporter=tap', `--test-concurrency=${concurrency.toString()}`, ...passFiles],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout });
  lines.on('line', (line) => {
    process.stdout.write(`${line}\n`);
    const match = SKIPPED.exec(line);
    if (match !== null) skipped.push({ name: match[1], reason: match[2] || 'no reason given' });
    const summary = SUMMARY.exec(line);
    if (summary !== null) {
      totals.set(summary[1], (totals.get(summary[1]) ?? 0) + Number(summary[2]));
    }
  });
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve(code ?? 1);
    });
  });
}

let status = shared.length > 0 ? await runPass(shared, 2) : 0;
if (exclusive.length > 0) {
  console.log(`# run-tests: ${exclusive.length.toString()} file(s) that change the machine, alone`);
  const exclusiveStatus = await runPass(exclusive, 1);
  if (status === 0) status = exclusiveStatus;
  console.log('# run-tests: totals of both passes');
  for (const [name, count] of totals) console.log(`# ${name} ${count.toString()}`);
}

if (skipped.length > 0) {
  const verdict = requireLab
    ? 'and CI=true / VIPD_REQUIRE_LAB=1 forbids skips: this run FAILS'
    : 'so this run did NOT test everything';
  console.error(`\n!!! ${skipped.length.toString()} test(s) skipped, ${verdict}:`);
  for (const { name, reason } of skipped) console.error(`!!!   ${name}: ${reason}`);
  console.error(
    `!!! Run as root on Debian 12 after: apt-get install -y --no-install-recommends ${LAB_PACKAGES}\n`,
  );
}
process.exit(requireLab && skipped.length > 0 && status === 0 ? 1 : status);
