import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { ISSUE_EXAMPLE, configDir } from '../config/fixture.js';
import { VIPCTL, VIPD, runSync } from './process.js';

describe('vipd check (real process)', () => {
  it('accepts the issue example --offline (its addresses are not this host): exit 0 and a summary', () => {
    const dir = configDir(ISSUE_EXAMPLE);
    try {
      const result = runSync(VIPD, ['check', '--offline', '--config', dir.file]);
      assert.equal(result.status, EXIT.OK, result.stderr);
      assert.match(result.stdout, /: OK\n/);
      assert.match(result.stdout, /groups: web on eth0 priority 150: 10\.213\.0\.100\/24/);
      assert.match(result.stdout, /\nhost: not checked \(--offline\)\n/);
    } finally {
      dir.remove();
    }
  });

  it('lists every problem as FILE:LINE:COL: path: reason and exits 3', () => {
    const dir = configDir(`node: { id: n1, listen: 127.0.0.1:7410, extra: 1 }
cluster:
  key_file: ./missing.key
  heartbeat_interval: 100
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.1/24, 10.0.0.1/32], priority: 0 }
`);
    try {
      const result = runSync(VIPD, ['check', '--offline', '--config', dir.file]);
      assert.equal(result.status, EXIT.CONFIG_INVALID);
      const lines = result.stderr.trim().split('\n');
      assert.match(lines[0] ?? '', /is invalid \(5 problems\):$/);
      const source = readFileSync(dir.file, 'utf8').split('\n');
      const at = (line: number, token: string) =>
        `${dir.file}:${line}:${source[line - 1]!.indexOf(token) + 1}`;
      const expected = [
        `${at(1, 'extra')}: node.extra: unknown key "extra"`,
        `${at(3, './missing.key')}: cluster.key_file: cluster key file ${dir.dir}/missing.key does not exist`,
        `${at(4, '100')}: cluster.heartbeat_interval: must be a duration, got number 100: durations need a unit: 100ms or 100s?`,
        `${at(6, '10.0.0.1/32')}: groups[0].addresses[1]: duplicate VIP 10.0.0.1`,
        `${at(6, '0 }')}: groups[0].priority: must be >= 1 (got 0)`,
      ];
      for (const [i, prefix] of expected.entries())
        assert.ok(
          lines[i + 1]?.trim().startsWith(prefix),
          `${lines[i + 1]}\n  should start with\n${prefix}`,
        );
    } finally {
      dir.remove();
    }
  });

  it('suggests the key meant, and a unit for a bare number', () => {
    const dir = configDir(`node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key, heartbeat_intervall: 100ms }
groups:
  - { name: web, interface: lo, addresses: [10.0.0.100/24], priority: 100, preempt_delay: 100 }
`);
    try {
      const result = runSync(VIPD, ['check', '--offline', '--config', dir.file]);
      assert.equal(result.status, EXIT.CONFIG_INVALID);
      assert.match(
        result.stderr,
        /:2:35: cluster\.heartbeat_intervall: unknown key "heartbeat_intervall"; did you mean "heartbeat_interval"\?\n/,
      );
      assert.match(
        result.stderr,
        /groups\[0\]\.preempt_delay: must be a duration, got number 100: durations need a unit: 100ms or 100s\?\n/,
      );
    } finally {
      dir.remove();
    }
  });

  it('--cluster: one table of what the files disagree on, exit 3; --json; agreeing files exit 0', () => {
    const nodeFile = (id: string, listen: string, peer: string, priority: number) =>
      `node: { id: ${id}, listen: ${listen} }
cluster: { key_file: cluster.key, peers: [{ id: ${id === 'n1' ? 'n2' : 'n1'}, address: ${peer} }] }
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.100/24], priority: ${priority} }
api: { token_file: api.token }
`;
    const dir = configDir(nodeFile('n1', '10.0.0.1:7410', '10.0.0.2:7410', 150));
    try {
      const good = dir.write(
        'b.yaml',
        nodeFile('n2', '10.0.0.2:7410', '10.0.0.1:7410', 100),
        0o644,
      );
      const ok = runSync(VIPD, ['check', '--cluster', dir.file, good]);
      assert.equal(ok.status, EXIT.OK, ok.stdout + ok.stderr);
      assert.match(ok.stdout, /^cluster: n1 \(.*vipd\.yaml\), n2 \(.*b\.yaml\)\n/);
      assert.match(ok.stdout, /OK: the files agree\n/);

      const bad = dir.write('c.yaml', nodeFile('n2', '10.0.0.2:7410', '10.0.0.1:7411', 150), 0o644);
      const table = runSync(VIPD, ['check', '--cluster', dir.file, bad]);
      assert.equal(table.status, EXIT.CONFIG_INVALID, table.stdout + table.stderr);
      const lines = table.stdout.split('\n');
      const header = lines.findIndex((line) => /^FILE +LEVEL +PATH +PROBLEM$/.test(line));
      assert.ok(header > 0, table.stdout);
      assert.match(
        lines[header + 1] ?? '',
        /^\S*vipd\.yaml:4:\d+ +warning +groups\[0\]\.priority +priority 150 ties for the top of group "web" with n2/,
      );
      assert.match(
        lines[header + 2] ?? '',
        /^\S*c\.yaml:2:\d+ +error +cluster\.peers\[0\]\.address +dials 10\.0\.0\.1:7411, but n1 listens on 10\.0\.0\.1:7410 .*\[CLUSTER_MISMATCH\]$/,
      );
      assert.match(table.stdout, /\n1 error\(s\), 2 warning\(s\)\n$/);

      const json = runSync(VIPD, ['check', '--cluster', dir.file, bad, '--json']);
      assert.equal(json.status, EXIT.CONFIG_INVALID);
      const body = JSON.parse(json.stdout) as {
        valid: boolean;
        nodes: { id: string }[];
        problems: { file: string; severity: string; path: string; code?: string }[];
      };
      assert.equal(body.valid, false);
      assert.deepEqual(
        body.nodes.map((n) => n.id),
        ['n1', 'n2'],
      );
      assert.deepEqual(
        body.problems.filter((p) => p.severity === 'error').map((p) => [p.file, p.path, p.code]),
        [[bad, 'cluster.peers[0].address', 'CLUSTER_MISMATCH']],
      );

      const alone = runSync(VIPD, ['check', '--cluster', dir.file]);
      assert.equal(alone.status, EXIT.USAGE);
      assert.match(alone.stderr, /needs the files of at least two nodes/);
    } finally {
      dir.remove();
    }
  });

  it('--json: machine-readable problems', () => {
    const dir = configDir('node: { id: n1 }\n');
    try {
      const result = runSync(VIPD, ['check', '--json', '--config', dir.file]);
      assert.equal(result.status, EXIT.CONFIG_INVALID);
      const body = JSON.parse(result.stdout) as {
        valid: boolean;
        problems: { path: string; line: number; message: string }[];
      };
      assert.equal(body.valid, false);
      assert.deepEqual(body.problems.map((p) => p.message).sort(), [
        'missing required key "key_file" (or set VIPD_CLUSTER_KEY)',
        'missing required key "listen"',
      ]);
    } finally {
      dir.remove();
    }
  });

  it('refuses a tracker script other users can change, naming it and its mode (exit 3)', () => {
    const dir = configDir(`node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key }
api: { token_file: api.token }
trackers:
  - { name: chk, type: script, path: ./check.sh }
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.1/24], priority: 100, track: [{ tracker: chk }] }
`);
    try {
      const script = dir.write('check.sh', '#!/bin/sh\n', 0o777);
      const result = runSync(VIPD, ['check', '--offline', '--config', dir.file]);
      assert.equal(result.status, EXIT.CONFIG_INVALID, result.stdout);
      assert.ok(
        result.stderr.includes(
          `trackers[0].path: ${script} is mode 0777: other users can change it, and the script runs with vipd's capabilities`,
        ),
        result.stderr,
      );
      assert.match(result.stderr, /\[SCRIPT_UNSAFE\]/);
    } finally {
      dir.remove();
    }
  });

  it('refuses a key file other users can read, and a 31-byte key (exit 3)', () => {
    const dir = configDir(
      'node: { id: n1, listen: 127.0.0.1:7410 }\ncluster: { key_file: cluster.key }\n',
    );
    try {
      dir.write('cluster.key', `${'k'.repeat(40)}\n`, 0o644);
      const exposed = runSync(VIPD, ['check', '--config', dir.file]);
      assert.equal(exposed.status, EXIT.CONFIG_INVALID, exposed.stdout);
      assert.match(
        exposed.stderr,
        /cluster\.key is mode 0644: other users can read it; chmod 600 .*\[KEY_FILE_EXPOSED\]/,
      );
      dir.write('cluster.key', `${'k'.repeat(31)}\n`, 0o600);
      const short = runSync(VIPD, ['check', '--config', dir.file]);
      assert.equal(short.status, EXIT.CONFIG_INVALID, short.stdout);
      assert.match(short.stderr, /is 31 bytes; at least 32 needed.*\[KEY_TOO_SHORT\]/);
    } finally {
      dir.remove();
    }
  });

  it('reads the config path from VIPD_CONFIG and the key from VIPD_CLUSTER_KEY', () => {
    const dir = configDir('node: { id: n1, listen: 127.0.0.1:7410 }\n', { withSecrets: false });
    try {
      const result = runSync(VIPD, ['check'], {
        env: { VIPD_CONFIG: dir.file, VIPD_CLUSTER_KEY: 'x'.repeat(32) },
      });
      assert.equal(result.status, EXIT.OK, result.stderr);
      assert.match(result.stdout, /groups: none \(a witness\)/);
      assert.match(result.stdout, /read-only/);
    } finally {
      dir.remove();
    }
  });

  it('a missing file is CONFIG_UNREADABLE with exit 3; a bad flag is a usage error (2)', () => {
    const missing = runSync(VIPD, ['check', '--config', '/nonexistent/vipd.yaml']);
    assert.equal(missing.status, EXIT.CONFIG_INVALID);
    assert.match(missing.stderr, /cannot read config file \/nonexistent\/vipd\.yaml: ENOENT/);
    const usage = runSync(VIPD, ['check', '--no-such-flag']);
    assert.equal(usage.status, EXIT.USAGE);
    assert.match(usage.stderr, /unknown option/);
  });

  it('--version and --help exit 0 for both commands; keygen prints a usable key', () => {
    for (const bin of [VIPD, VIPCTL]) {
      const version = runSync(bin, ['--version']);
      assert.equal(version.status, 0);
      assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
      assert.equal(runSync(bin, ['--help']).status, 0);
    }
    const key = runSync(VIPD, ['keygen']);
    assert.equal(key.status, 0);
    assert.equal(Buffer.from(key.stdout.trim(), 'base64').length, 32);
  });
});
