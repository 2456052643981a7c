// One version for all of vipd: every workspace carries it, every @vipd package pins its
// siblings at exactly it, CHANGELOG.md's newest entry is it, and the built CLIs print it.
// `node scripts/set-version.mjs X.Y.Z` keeps the first two true; the changelog is by hand.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { VIPD_VERSION } from '@vipd/vipd';
import { parseChangelog } from '../src/debian/release-notes.js';
import { readWorkspaces } from '../src/workspaces.js';
import { REPO_ROOT, runVipd } from './vipd-cli.js';

const workspaces = readWorkspaces(REPO_ROOT);
const vipdManifest = workspaces.find((w) => w.manifest.name === '@vipd/vipd');
const version = vipdManifest?.manifest.version ?? '';

describe('the vipd version', () => {
  it('is a plain semantic version', () => {
    assert.match(version, /^\d+\.\d+\.\d+$/);
  });

  it('is the version of every workspace', () => {
    const others = workspaces
      .filter((w) => w.manifest.version !== version)
      .map((w) => `${w.dir}: ${w.manifest.version}`);
    assert.deepEqual(others, [], `every workspace must be at ${version}`);
  });

  it('is what every @vipd package pins its @vipd dependencies at', () => {
    const stray = workspaces.flatMap(({ dir, manifest }) =>
      Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })
        .filter(([name, range]) => name.startsWith('@vipd/') && range !== version)
        .map(([name, range]) => `${dir}: ${name}@${range}`),
    );
    assert.deepEqual(stray, []);
  });

  it("is CHANGELOG.md's newest entry", () => {
    const changelog = readFileSync(join(REPO_ROOT, 'CHANGELOG.md'), 'utf8');
    const newest = parseChangelog(changelog).at(0);
    assert.ok(newest !== undefined, 'CHANGELOG.md has no release entry');
    assert.equal(newest.version, version);
    assert.match(newest.date, /^\d{4}-\d{2}-\d{2}$/);
    assert.ok(newest.changes.length > 0, 'the entry lists its changes');
  });

  it('is what the library reports (/v1/status, vipd_build_info) and the CLIs print', () => {
    assert.equal(VIPD_VERSION, version);
    const vipd = runVipd(['--version']);
    assert.equal(vipd.status, 0, vipd.stderr);
    assert.equal(vipd.stdout.trim(), version);
    const vipctl = spawnSync(
      process.execPath,
      [join(REPO_ROOT, 'packages', 'vipd', 'bin', 'vipctl.js'), '--version'],
      { encoding: 'utf8', timeout: 30_000 },
    );
    assert.equal(vipctl.stdout.trim(), version);
  });
});
