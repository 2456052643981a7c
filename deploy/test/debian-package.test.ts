// The Debian package: built by `npm run package:deb`'s own code, its contents are what
// docs/operations.md says, lintian finds no error, and an install → `vipd --version`,
// `vipd check` (as the service user, on the shipped example), `systemd-analyze verify` →
// purge round trip on this machine leaves it as it was: files, user, group, statoverrides.
// Skips, loudly, where dpkg-deb or lintian is missing or (for the round trip) not root.
// run-tests: exclusive (it installs into /etc/vipd and /usr/lib/vipd and adds the vipd user)

import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { buildDeb, type BuiltPackage } from '../src/debian/build-deb.js';
import { findTool, REPO_ROOT, withoutVipdSecrets } from './vipd-cli.js';

const dpkgDeb = findTool('dpkg-deb');
const lintian = findTool('lintian');
const systemdAnalyze = findTool('systemd-analyze');
const isRoot = process.getuid?.() === 0;
const noBuild = dpkgDeb === null || findTool('dpkg-shlibdeps') === null;

function run(command: string, args: readonly string[], env?: NodeJS.ProcessEnv) {
  return spawnSync(command, args, { encoding: 'utf8', timeout: 180_000, env });
}

function ok(result: SpawnSyncReturns<string>, what: string): string {
  assert.equal(result.status, 0, `${what}: ${result.stdout}${result.stderr}`);
  return result.stdout;
}

let built: BuiltPackage;
before(() => {
  if (!noBuild) built = buildDeb(REPO_ROOT);
});

/** Every path the package installs or its scripts make, plus the account databases. */
const TRACES = [
  '/usr/lib/vipd',
  '/usr/bin/vipd',
  '/usr/bin/vipctl',
  '/usr/lib/systemd/system/vipd.service',
  '/usr/lib/sysusers.d/vipd.conf',
  '/usr/share/doc/vipd',
  '/usr/share/man/man8/vipd.8.gz',
  '/usr/share/man/man5/vipd.yaml.5.gz',
  '/usr/share/bash-completion/completions/vipd',
  '/etc/vipd',
  '/var/lib/vipd',
  '/etc/systemd/system/multi-user.target.wants/vipd.service',
];
const DATABASES = ['/etc/passwd', '/etc/group', '/etc/shadow', '/etc/gshadow'];
/** The backups that useradd/userdel write beside each database: restored, not compared. */
const BACKUPS = DATABASES.map((file) => `${file}-`);

function machineState(): Record<string, string> {
  const state: Record<string, string> = {};
  for (const path of TRACES) state[path] = existsSync(path) ? 'present' : 'absent';
  for (const file of DATABASES) state[file] = readFileSync(file, 'utf8');
  state['statoverride'] = readFileSync('/var/lib/dpkg/statoverride', 'utf8');
  state['dpkg status'] = run('dpkg-query', ['-W', '-f=${Status}', 'vipd']).stdout;
  return state;
}

/** dpkg, retried while another process (an apt-get elsewhere) holds its lock. */
function dpkg(args: readonly string[]): SpawnSyncReturns<string> {
  for (let attempt = 0; ; attempt++) {
    const result = run('dpkg', args);
    if (!/lock/.test(result.stderr) || attempt === 120) return result;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000);
  }
}

describe(
  'the Debian package',
  {
    skip: noBuild && 'dpkg-deb / dpkg-shlibdeps not installed (apt-get install dpkg-dev)',
    timeout: 600_000,
  },
  () => {
    it('is named vipd_<version>_<arch>.deb and depends on Node >= 20.9', () => {
      assert.match(built.path, /\/dist\/vipd_\d+\.\d+\.\d+_[a-z0-9]+\.deb$/);
      const control = ok(run('dpkg-deb', ['--field', built.path]), 'dpkg-deb --field');
      assert.match(control, /^Version: (.+)$/m);
      assert.equal(/^Version: (.+)$/m.exec(control)?.[1], built.version);
      assert.match(control, /^Depends: .*nodejs \(>= 20\.9\)/m);
      const conffiles = ok(run('dpkg-deb', ['--info', built.path, 'conffiles']), 'conffiles');
      assert.equal(conffiles, '/etc/vipd/vipd.yaml\n');
    });

    it('holds the app, the commands, the unit, the user, the config, docs, man pages, completion', () => {
      const listing = ok(run('dpkg-deb', ['--contents', built.path]), 'dpkg-deb --contents');
      const entry = (path: string) =>
        listing
          .split('\n')
          .find((line) => line.includes(` .${path}`) && !line.includes(` .${path}/`)) ?? '';
      for (const path of [
        '/usr/lib/vipd/packages/vipd/dist/src/index.js',
        // The web view's page and compiled script (GET /ui/).
        '/usr/lib/vipd/packages/vipd/ui/index.html',
        '/usr/lib/vipd/packages/vipd/dist/ui/main.js',
        '/usr/lib/vipd/node_modules/fastify/package.json',
        '/usr/lib/systemd/system/vipd.service',
        '/usr/lib/sysusers.d/vipd.conf',
        '/usr/share/doc/vipd/copyright',
        '/usr/share/doc/vipd/changelog.gz',
        '/usr/share/doc/vipd/operations.md',
        '/usr/share/man/man8/vipd.8.gz',
        '/usr/share/man/man8/vipctl.8.gz',
        '/usr/share/man/man5/vipd.yaml.5.gz',
        '/usr/share/bash-completion/completions/vipd',
        '/usr/share/bash-completion/completions/vipctl',
      ])
        assert.notEqual(entry(path), '', `${path} is missing`);
      assert.match(entry('/usr/bin/vipd'), /-> \.\.\/lib\/vipd\/packages\/vipd\/bin\/vipd\.js$/);
      assert.match(
        entry('/usr/bin/vipctl'),
        /-> \.\.\/lib\/vipd\/packages\/vipd\/bin\/vipctl\.js$/,
      );
      assert.match(entry('/etc/vipd/vipd.yaml'), /^-rw-r----- root\/root/);
      // Dev tooling never ships: no test kit, no TypeScript, no lab.
      for (const absent of ['/node_modules/@vipd/testkit', '/node_modules/typescript/', '/test/'])
        assert.equal(listing.includes(absent), false, `${absent} is in the package`);
    });

    it(
      'passes lintian without errors',
      { skip: lintian === null && 'lintian not installed (apt-get install lintian)' },
      () => {
        const result = run('lintian', ['--no-cfg', built.path]);
        const tags = `${result.stdout}${result.stderr}`.split('\n');
        const errors = tags.filter((line) => line.startsWith('E:'));
        console.log(
          tags
            .filter((line) => line.startsWith('W:'))
            .map((l) => `# lintian ${l}`)
            .join('\n'),
        );
        assert.deepEqual(errors, []);
      },
    );

    it(
      'installs, runs, verifies and purges without a trace',
      {
        skip:
          (!isRoot && 'needs root (dpkg -i)') ||
          (run('dpkg-query', ['-W', 'vipd']).status === 0 &&
            'a vipd package is already installed here') ||
          (run('getent', ['passwd', 'vipd']).status === 0 && 'a vipd user already exists here'),
      },
      () => {
        const backups = new Map(
          BACKUPS.filter(existsSync).map((file) => [file, readFileSync(file)]),
        );
        const beforeState = machineState();
        try {
          ok(dpkg(['-i', built.path]), 'dpkg -i');
          // A reinstall runs the upgrade path of prerm and postinst.
          ok(dpkg(['-i', built.path]), 'dpkg -i (upgrade path)');
          assert.equal(
            ok(run('/usr/bin/vipd', ['--version']), 'vipd --version').trim(),
            built.version,
          );
          assert.equal(
            ok(run('/usr/bin/vipctl', ['--version']), 'vipctl --version').trim(),
            built.version,
          );
          const group = ok(run('getent', ['group', 'vipd']), 'getent group vipd').split(':')[2];
          for (const [path, mode] of [
            ['/etc/vipd', 0o750],
            ['/etc/vipd/vipd.yaml', 0o640],
          ] as const) {
            const stat = statSync(path);
            assert.equal(stat.mode & 0o777, mode, `${path} mode`);
            assert.equal(String(stat.gid), group, `${path} group is vipd`);
            assert.equal(stat.uid, 0, `${path} owner is root`);
          }
          // As the service user: it must be able to read the shipped configuration.
          const secrets = {
            ...withoutVipdSecrets(process.env),
            VIPD_CLUSTER_KEY: randomBytes(32).toString('base64'),
            VIPD_API_TOKEN: randomBytes(32).toString('base64'),
          };
          const help = run('/usr/bin/vipd', ['check', '--help']).stdout;
          const check = run(
            'setpriv',
            [
              '--reuid=vipd',
              '--regid=vipd',
              '--init-groups',
              '/usr/bin/vipd',
              'check',
              '--config',
              '/etc/vipd/vipd.yaml',
              ...(help.includes('--offline') ? ['--offline'] : []),
            ],
            secrets,
          );
          assert.equal(check.status, 0, `vipd check as vipd: ${check.stdout}${check.stderr}`);
          if (systemdAnalyze !== null) {
            const verify = run('systemd-analyze', [
              'verify',
              '/usr/lib/systemd/system/vipd.service',
            ]);
            const complaints = `${verify.stdout}${verify.stderr}`
              .split('\n')
              .filter((l) => l.includes('vipd.service'));
            assert.deepEqual(complaints, []);
          }
          ok(
            run('man', ['--warnings', '-l', '-Tutf8', '/usr/share/man/man5/vipd.yaml.5.gz']),
            'man vipd.yaml',
          );
        } finally {
          const purge = dpkg(['--purge', 'vipd']);
          for (const [file, content] of backups) writeFileSync(file, content);
          ok(purge, 'dpkg --purge');
        }
        assert.deepEqual(machineState(), beforeState);
      },
    );
  },
);
