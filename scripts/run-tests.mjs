// Runs every compiled test file (`*.test.js` under each package's dist/test and test/dist)
// with Node's built-in runner and the TAP reporter, so a run closes on "# pass N / # fail N".
// Node 20's --test takes no globs, hence this small finder.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';

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

const filter = process.argv[2];
const files = roots
  .flatMap(findTests)
  .filter((f) => !filter || f.includes(filter))
  .sort();
if (files.length === 0) {
  console.error('run-tests: no compiled test files found; run `npm run build` first');
  process.exit(1);
}
const result = spawnSync(
  process.execPath,
  ['--test', '--test-reporter=tap', '--test-concurrency=2', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
