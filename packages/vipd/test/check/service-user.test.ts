// Root's `vipd check` looking at the files as the service user, against a made-up file system
// and user: the kernel's owner/group/other rule, file-trust's rule for secrets, and the fix
// each problem names. service-user-host.test.ts runs it on real files as root.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FileFacts, FileView } from '../../src/check/file-access.js';
import { serviceUserChecks } from '../../src/check/service-user-checks.js';
import { serviceUserOnThisHost } from '../../src/check/service-user-on-host.js';
import type { ServiceUser } from '../../src/check/service-user.js';
import { ProblemList } from '../../src/config/problems.js';

const VIPD: ServiceUser = { name: 'vipd', uid: 990, groupName: 'vipd', gids: [990] };
const ROOT = 0;

const facts = (uid: number, gid: number, mode: number, isDirectory = false): FileFacts => ({
  uid,
  gid,
  mode: (isDirectory ? 0o40000 : 0o100000) | mode,
  isDirectory,
});
const dir = (uid: number, gid: number, mode: number) => facts(uid, gid, mode, true);

/** The layout docs/operations.md's table asks for. */
const DOCUMENTED: Record<string, FileFacts> = {
  '/': dir(ROOT, ROOT, 0o755),
  '/etc': dir(ROOT, ROOT, 0o755),
  '/etc/vipd': dir(ROOT, 990, 0o750),
  '/etc/vipd/vipd.yaml': facts(ROOT, 990, 0o640),
  '/etc/vipd/cluster.key': facts(990, 990, 0o600),
  '/etc/vipd/api.token': facts(990, 990, 0o600),
  '/etc/vipd/notify.sh': facts(ROOT, ROOT, 0o755),
  '/var': dir(ROOT, ROOT, 0o755),
  '/var/lib': dir(ROOT, ROOT, 0o755),
  '/var/lib/vipd': dir(990, 990, 0o700),
};

function view(files: Record<string, FileFacts>, links: Record<string, string> = {}): FileView {
  return {
    stat: (path) => files[links[path] ?? path] ?? null,
    realpath: (path) => (path in files || path in links ? (links[path] ?? path) : null),
  };
}

const DOCUMENT = {
  node: { id: 'n1', state_file: '/var/lib/vipd/node-state.json' },
  cluster: { key_file: 'cluster.key' },
  api: { token_file: 'api.token' },
  notify: { scripts: ['notify.sh'] },
};

function check(
  files: Record<string, FileFacts>,
  document: Record<string, unknown> = DOCUMENT,
  links: Record<string, string> = {},
) {
  const problems = new ProblemList(() => undefined);
  serviceUserChecks('/etc/vipd/vipd.yaml', VIPD, view(files, links))(document, problems);
  const text = (list: ProblemList['errors']) => list.map((p) => `${p.path}: ${p.message}`);
  assert.ok(
    [...problems.errors, ...problems.warnings].every((p) => p.code === 'SERVICE_USER_ACCESS'),
  );
  return { errors: text(problems.errors), warnings: text(problems.warnings) };
}

describe('service user checks (an injected user and file system)', () => {
  it('passes the documented layout', () => {
    assert.deepEqual(check(DOCUMENTED), { errors: [], warnings: [] });
  });

  it('names the fix for a config saved under umask 077 (root:root 0600)', () => {
    const { errors } = check({ ...DOCUMENTED, '/etc/vipd/vipd.yaml': facts(ROOT, ROOT, 0o600) });
    assert.deepEqual(errors, [
      ': user vipd cannot read /etc/vipd/vipd.yaml (uid 0, gid 0, mode 0600), so the service cannot start; fix: chgrp vipd /etc/vipd/vipd.yaml && chmod g+r /etc/vipd/vipd.yaml',
    ]);
  });

  it('asks for a secret of its own, mode 0600 — group access is not enough', () => {
    const { errors } = check({
      ...DOCUMENTED,
      '/etc/vipd/cluster.key': facts(ROOT, ROOT, 0o600),
      '/etc/vipd/api.token': facts(ROOT, 990, 0o640),
    });
    assert.deepEqual(errors, [
      "cluster.key_file: user vipd cannot read /etc/vipd/cluster.key (uid 0, gid 0, mode 0600), and a secret's file must be its own and mode 0600; fix: chown vipd: /etc/vipd/cluster.key",
      "api.token_file: user vipd reads /etc/vipd/api.token (uid 0, gid 990, mode 0640), and a secret's file must be its own and mode 0600; fix: chown vipd: /etc/vipd/api.token && chmod 0600 /etc/vipd/api.token",
    ]);
  });

  it('accepts group access to a secret when allow_readable_* says so', () => {
    const files = { ...DOCUMENTED, '/etc/vipd/cluster.key': facts(ROOT, 990, 0o640) };
    const document = {
      ...DOCUMENT,
      cluster: { key_file: 'cluster.key', allow_readable_key_file: true },
    };
    assert.deepEqual(check(files, document).errors, []);
  });

  it('names a directory it cannot enter once, not once per file in it', () => {
    const { errors } = check({ ...DOCUMENTED, '/etc/vipd': dir(ROOT, ROOT, 0o700) });
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(
      errors[0]!,
      /user vipd cannot enter \/etc\/vipd \(uid 0, gid 0, mode 0700\), so the service cannot reach \/etc\/vipd\/vipd\.yaml; fix: chgrp vipd \/etc\/vipd && chmod g\+x \/etc\/vipd$/,
    );
  });

  it('follows a symlink to the directories its target lies in', () => {
    const files = {
      ...DOCUMENTED,
      '/srv': dir(ROOT, ROOT, 0o700),
      '/srv/notify.sh': facts(ROOT, ROOT, 0o755),
    };
    const { errors } = check(files, DOCUMENT, { '/etc/vipd/notify.sh': '/srv/notify.sh' });
    assert.deepEqual(errors, [
      'notify.scripts[0]: user vipd cannot enter /srv (uid 0, gid 0, mode 0700), so the service cannot reach /etc/vipd/notify.sh; fix: chgrp vipd /srv && chmod g+x /srv',
    ]);
  });

  it('needs read and execute on a script, through the owner bits when the user owns it', () => {
    const { errors } = check({ ...DOCUMENTED, '/etc/vipd/notify.sh': facts(990, ROOT, 0o300) });
    assert.deepEqual(errors, [
      'notify.scripts[0]: user vipd cannot read and run /etc/vipd/notify.sh (uid 990, gid 0, mode 0300), so the service cannot start; fix: chmod u+rx /etc/vipd/notify.sh',
    ]);
  });

  it("warns when the state file's directory is not writable (the node runs, maintenance is lost)", () => {
    const result = check({ ...DOCUMENTED, '/var/lib/vipd': dir(ROOT, ROOT, 0o755) });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.warnings, [
      'node.state_file: user vipd cannot write files in /var/lib/vipd (uid 0, gid 0, mode 0755), so the service loses maintenance mode on restart; fix: chgrp vipd /var/lib/vipd && chmod g+wx /var/lib/vipd',
    ]);
  });

  it('leaves files that do not exist to the file checks', () => {
    const files: Record<string, FileFacts> = { ...DOCUMENTED };
    delete files['/etc/vipd/cluster.key'];
    delete files['/var/lib/vipd'];
    assert.deepEqual(check(files), { errors: [], warnings: [] });
  });

  it('checks TLS, CA, webhook secret and tracker files too', () => {
    const hidden = facts(ROOT, ROOT, 0o600);
    const files = {
      ...DOCUMENTED,
      '/etc/vipd/tls.crt': hidden,
      '/etc/vipd/ca.crt': hidden,
      '/etc/vipd/hook.secret': hidden,
      '/etc/vipd/track.sh': hidden,
    };
    const document = {
      ...DOCUMENT,
      cluster: {
        key_file: 'cluster.key',
        tls: { cert_file: 'tls.crt', ca_file: '/etc/vipd/ca.crt' },
      },
      notify: { webhooks: [{ url: 'https://x', secret_file: 'hook.secret' }] },
      trackers: [
        { name: 't', type: 'script', path: 'track.sh' },
        { name: 'h', type: 'http', url: 'https://x', ca_file: 'ca.crt' },
      ],
    };
    assert.deepEqual(
      check(files, document).errors.map((line) => line.split(':')[0]),
      [
        'cluster.tls.cert_file',
        'cluster.tls.ca_file',
        'notify.webhooks[0].secret_file',
        'trackers[0].path',
        'trackers[1].ca_file',
      ],
    );
  });
});

describe('which user vipd check looks as', () => {
  const lookup = (name: string) => (name === 'vipd' ? VIPD : null);

  it('as root: vipd when the host has it, a note when it does not', () => {
    const found = serviceUserOnThisHost('/etc/vipd/vipd.yaml', undefined, { isRoot: true, lookup });
    assert.equal(found.checks.length, 1);
    assert.equal(found.note, 'files checked as user vipd');
    const absent = serviceUserOnThisHost('/etc/vipd/vipd.yaml', undefined, {
      isRoot: true,
      lookup: () => null,
    });
    assert.equal(absent.checks.length, 0);
    assert.match(absent.note, /no such user here/);
    assert.equal(absent.unknownUser, undefined);
  });

  it('as another user: nothing unless --user names one; an unknown --user is refused', () => {
    assert.equal(
      serviceUserOnThisHost('/etc/vipd/vipd.yaml', undefined, { isRoot: false, lookup }).checks
        .length,
      0,
    );
    assert.equal(
      serviceUserOnThisHost('/etc/vipd/vipd.yaml', 'vipd', { isRoot: false, lookup }).checks.length,
      1,
    );
    const unknown = serviceUserOnThisHost('/etc/vipd/vipd.yaml', 'vpid', { isRoot: true, lookup });
    assert.equal(unknown.unknownUser, 'vpid');
  });
});
