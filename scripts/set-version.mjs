// Sets the one vipd version: every workspace's "version" and every pin of one @vipd package on
// another, then refreshes package-lock.json. `node scripts/set-version.mjs 0.3.0`; add the
// CHANGELOG.md entry for it (a test checks the two agree).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const version = process.argv[2];
if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
  console.error('usage: node scripts/set-version.mjs MAJOR.MINOR.PATCH');
  process.exit(2);
}

const root = JSON.parse(readFileSync('package.json', 'utf8'));
for (const dir of root.workspaces) {
  const file = join(dir, 'package.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8'));
  manifest.version = version;
  for (const field of ['dependencies', 'devDependencies']) {
    for (const name of Object.keys(manifest[field] ?? {})) {
      if (name.startsWith('@vipd/')) manifest[field][name] = version;
    }
  }
  writeFileSync(file, `${JSON.stringify(manifest, null, 2)}\n`);
}
execFileSync('npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit'], {
  stdio: 'inherit',
});
console.log(`every workspace is at ${version}; now add "## [${version}]" to CHANGELOG.md`);
