// The quick start's set-up: scripts/setup.sh installs every Debian package the lab and the
// test runner look for (one list, which .ci/run uses too), and `npm run demo` on a machine
// missing a lab tool says so in one sentence with the set-up command, not a stack trace.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasTool } from '@vipd/testkit';
import { DEMO_TOOLS, SETUP_COMMAND } from '../demo/lab-tools.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const SETUP = join(REPO, 'scripts', 'setup.sh');
const DEMO = join(REPO, 'test', 'dist', 'demo', 'main.js');

const setupPackages = (): string[] => {
  const result = spawnSync(SETUP, ['--print-packages'], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.trim().split(/\s+/);
};

const scratch = mkdtempSync(join(tmpdir(), 'vipd-setup-test-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A PATH holding only `tools` (symlinks to the real ones): every other program is "missing". */
function pathWith(tools: readonly string[]): string {
  const bin = mkdtempSync(join(scratch, 'bin-'));
  for (const tool of tools) {
    const real = spawnSync('sh', ['-c', 'command -v "$0"', tool], { encoding: 'utf8' });
    assert.equal(real.status, 0, `${tool} is needed to build the stripped PATH`);
    symlinkSync(real.stdout.trim(), join(bin, tool));
  }
  return bin;
}

function demoWithPath(path: string) {
  return spawnSync(process.execPath, [DEMO], {
    encoding: 'utf8',
    env: { ...process.env, PATH: path },
    timeout: 30_000,
  });
}

describe('scripts/setup.sh and the demo without a lab tool', () => {
  it('installs every package the test runner names in its skip summary, and every demo tool', () => {
    const packages = new Set(setupPackages());
    const runner = readFileSync(join(REPO, 'scripts', 'run-tests.mjs'), 'utf8');
    const listed = /const LAB_PACKAGES =([\s\S]*?);/.exec(runner)?.[1];
    assert.ok(listed !== undefined, 'run-tests.mjs has a LAB_PACKAGES list');
    const runnerPackages = [...listed.matchAll(/'([^']*)'/g)]
      .flatMap((m) => (m[1] ?? '').split(/\s+/))
      .filter((name) => name !== '');
    assert.ok(runnerPackages.length > 5);
    for (const name of runnerPackages) assert.ok(packages.has(name), `setup.sh lacks ${name}`);
    for (const tool of DEMO_TOOLS) assert.ok(packages.has(tool.debian), tool.debian);
  });

  it('.ci/run sets up through the same script, so CI and the quick start cannot drift', () => {
    const ci = readFileSync(join(REPO, '.ci', 'run'), 'utf8');
    assert.match(ci, /^\.\/scripts\/setup\.sh$/m);
    assert.doesNotMatch(ci, /apt-get/, 'no second package list');
    const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
    assert.match(readme, /scripts\/setup\.sh && npm run demo/);
  });

  it(
    'refuses to run as another user than root, in one sentence',
    {
      skip:
        process.getuid?.() === 0 && hasTool('setpriv')
          ? false
          : 'needs root and setpriv to run it as nobody',
    },
    () => {
      const result = spawnSync(
        'setpriv',
        ['--reuid=65534', '--regid=65534', '--clear-groups', SETUP],
        { encoding: 'utf8' },
      );
      assert.equal(result.status, 1);
      assert.match(result.stderr, /^setup: run it as root \(sudo \.\/scripts\/setup\.sh\)/);
    },
  );

  it('npm run demo without tcpdump: one sentence naming it and the set-up command', () => {
    const result = demoWithPath(pathWith(['sh', 'ip', 'bridge']));
    assert.equal(result.status, 1, result.stderr);
    assert.equal(result.stdout, '');
    assert.equal(
      result.stderr,
      `npm run demo: tcpdump is not installed (Debian package tcpdump); run \`${SETUP_COMMAND}\` to install everything the lab needs, then \`npm run demo\` again.\n`,
    );
  });

  it('npm run demo without iproute2: names ip first, still without a stack trace', () => {
    const result = demoWithPath(pathWith(['sh']));
    assert.equal(result.status, 1);
    assert.match(result.stderr, /^npm run demo: ip is not installed \(Debian package iproute2\)/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
});
