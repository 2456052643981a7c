// The packed packages install without the monorepo: `npm pack` of @vipd/vipd and its
// workspace dependencies, `npm install <tarballs>` in an empty directory (npm's cache first,
// the registry for the rest), then the installed `vipd` prints the version and checks the
// example configuration the Debian package ships. Nothing resolves back into this repository.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { installTarballs, packVipd } from '../src/pack.js';
import { readManifest, readWorkspaces, runtimeClosure } from '../src/workspaces.js';
import { checkArgs, EXAMPLE_CONFIG } from './package-checks.js';
import { REPO_ROOT, withoutVipdSecrets } from './vipd-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'vipd-pack-'));
const app = join(scratch, 'app');
const version = readManifest(join(REPO_ROOT, 'packages', 'vipd')).version;
let tarballs: string[] = [];

before(() => {
  tarballs = packVipd(REPO_ROOT, scratch);
  mkdirSync(app);
  installTarballs(app, tarballs);
});
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function installedVipd(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(join(app, 'node_modules', '.bin', 'vipd'), args, {
    cwd: app,
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...withoutVipdSecrets(process.env), ...env },
  });
}

describe('npm pack + npm install of @vipd/vipd', { timeout: 120_000 }, () => {
  it('packs one tarball per runtime workspace, each at the one version', () => {
    const expected = runtimeClosure(readWorkspaces(REPO_ROOT), '@vipd/vipd')
      .map((w) => `${w.manifest.name.replace('@', '').replace('/', '-')}-${version}.tgz`)
      .sort();
    assert.deepEqual(tarballs.map((path) => path.slice(scratch.length + 1)).sort(), expected);
  });

  it('installs real copies, not links into the repository', () => {
    for (const name of readdirSync(join(app, 'node_modules', '@vipd'))) {
      const path = join(app, 'node_modules', '@vipd', name);
      assert.equal(lstatSync(path).isSymbolicLink(), false, `${path} is a link`);
      assert.ok(realpathSync(path).startsWith(realpathSync(app)), path);
    }
  });

  it('runs `vipd --version`', () => {
    const result = installedVipd(['--version']);
    assert.equal(result.status, 0, result.stderr);
    assert.equal(result.stdout.trim(), version);
  });

  it('runs `vipd check` on the example configuration', () => {
    const secrets = {
      VIPD_CLUSTER_KEY: randomBytes(32).toString('base64'),
      VIPD_API_TOKEN: randomBytes(32).toString('base64'),
    };
    const result = installedVipd(checkArgs(installedVipd, EXAMPLE_CONFIG), secrets);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, /: OK\n/);
  });
});
