// `vipd check --user nobody` as root on real files: what it reports is what the kernel says
// (a process running as nobody is refused the same files), and the fixes it prints, run as
// printed, make both pass. Needs root to own files as others; creates no user.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync } from 'node:fs';
import { describe, it } from 'node:test';
import { readServiceUser } from '../../src/check/service-user.js';
import { EXIT } from '../../src/cli/exit-codes.js';
import { tempDir } from '../tmpdir.js';
import { VIPD, runSync } from './process.js';

const nobody = process.getuid?.() === 0 ? readServiceUser('nobody') : null;
const skip =
  process.getuid?.() !== 0
    ? 'needs root to give files other owners'
    : nobody === null
      ? 'this host has no user nobody'
      : false;

/** Whether `nobody` can open `file` for reading, asked of the kernel itself. */
function nobodyCanRead(file: string): boolean {
  const result = spawnSync('cat', [file], { uid: nobody!.uid, gid: nobody!.gids[0]! });
  return result.status === 0;
}

/** The commands each SERVICE_USER_ACCESS problem names after "; fix: ". */
function fixesIn(output: string): string[] {
  return [...output.matchAll(/; fix: (.*) \[SERVICE_USER_ACCESS\]$/gm)].map((m) => m[1]!);
}

function runAll(commands: readonly string[]): void {
  for (const command of commands) assert.equal(spawnSync('sh', ['-c', command]).status, 0, command);
}

describe('vipd check --user (real files, as root)', { skip }, () => {
  it('finds what nobody cannot open, names the fixes, and passes once they are run', () => {
    const dir = tempDir('vipd-check-user-');
    try {
      const config = dir.file(
        'vipd.yaml',
        `node: { id: n1, listen: 127.0.0.1:7410, state_file: ${dir.path}/state/node.json }
cluster: { key_file: cluster.key }
groups:
  - { name: web, interface: lo, addresses: [10.213.99.100/24], priority: 100 }
api: { listen: 127.0.0.1:7411, token_file: api.token }
`,
        0o600,
      );
      const key = dir.file('cluster.key', `${randomBytes(32).toString('base64')}\n`, 0o600);
      const token = dir.file('api.token', `${randomBytes(16).toString('hex')}\n`, 0o600);
      const stateDir = dir.file('state/.keep', '', 0o600).replace(/\/\.keep$/, '');
      chmodSync(stateDir, 0o755);
      chownSync(token, nobody!.uid, 0);
      chmodSync(token, 0o200);
      // mkdtemp made the directory 0700 root: nobody cannot even enter it.
      assert.equal(nobodyCanRead(config), false);

      // Root reads every file: as root, the check passes (what it did before for vipd too).
      const asRoot = runSync(VIPD, ['check', '--user', 'root', '--config', config]);
      assert.equal(asRoot.status, EXIT.OK, asRoot.stderr);
      assert.match(asRoot.stdout, /; files checked as user root\n/);

      const before = runSync(VIPD, ['check', '--user', 'nobody', '--config', config]);
      assert.equal(before.status, EXIT.CONFIG_INVALID, before.stdout + before.stderr);
      const group = nobody!.groupName;
      assert.deepEqual(
        fixesIn(before.stderr).sort(),
        [
          `chgrp ${group} ${dir.path} && chmod g+x ${dir.path}`,
          `chgrp ${group} ${config} && chmod g+r ${config}`,
          `chown nobody: ${key}`,
          `chmod 0600 ${token}`,
        ].sort(),
      );
      runAll(fixesIn(before.stderr));
      assert.equal(nobodyCanRead(config), true, 'the printed fixes let nobody read the config');
      assert.equal(nobodyCanRead(key), true, 'and the key');
      assert.equal(nobodyCanRead(token), true, 'and the token');

      // Valid now; the state directory it cannot write is a warning (the node runs without).
      const valid = runSync(VIPD, ['check', '--user', 'nobody', '--config', config]);
      assert.equal(valid.status, EXIT.OK, valid.stderr);
      assert.match(
        valid.stdout,
        /host: interfaces and addresses checked; files checked as user nobody\n/,
      );
      assert.deepEqual(fixesIn(valid.stdout), [
        `chgrp ${group} ${stateDir} && chmod g+wx ${stateDir}`,
      ]);
      runAll(fixesIn(valid.stdout));
      const clean = runSync(VIPD, ['check', '--user', 'nobody', '--config', config]);
      assert.equal(clean.status, EXIT.OK, clean.stderr);
      assert.doesNotMatch(clean.stdout, /warning/);

      const offline = runSync(VIPD, ['check', '--offline', '--user', 'nobody', '--config', config]);
      assert.match(offline.stdout, /host: not checked \(--offline\)\n/);
    } finally {
      dir.remove();
    }
  });

  it('refuses a --user the host does not have (exit 2)', () => {
    const dir = tempDir('vipd-check-user-');
    try {
      const config = dir.file('vipd.yaml', 'node: { id: n1 }\n');
      const result = runSync(VIPD, ['check', '--user', 'no-such-user-vipd', '--config', config]);
      assert.equal(result.status, EXIT.USAGE);
      assert.match(result.stderr, /--user no-such-user-vipd: no such user on this host/);
    } finally {
      dir.remove();
    }
  });
});
