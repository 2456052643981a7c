import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import type { ConfigProblem } from '../../src/config/types.js';
import { VipdError } from '../../src/errors.js';
import { API_TOKEN, CLUSTER_KEY, ISSUE_EXAMPLE, configDir, loadOrProblems } from './fixture.js';

const MINIMAL = `node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key }
`;

function problemsOf(
  yaml: string,
  env: Record<string, string> = {},
  withSecrets = true,
): ConfigProblem[] {
  const result = loadOrProblems(yaml, { env, withSecrets });
  return Array.isArray(result) ? result : [];
}

describe('loadConfigFile: valid files', () => {
  it('accepts the issue example verbatim and normalises it', () => {
    const dir = configDir(ISSUE_EXAMPLE);
    try {
      const { config, warnings } = loadConfigFile(dir.file, { env: {} });
      assert.deepEqual(warnings, []);
      assert.equal(config.node.id, 'n1');
      assert.equal(config.node.listen, '10.213.0.1:7410');
      // Parsed once here; the daemon binds and dials these, never the text.
      assert.deepEqual(config.node.listenEndpoint, { host: '10.213.0.1', port: 7410 });
      assert.equal(config.cluster.heartbeatIntervalMs, 100);
      assert.equal(config.cluster.downMultiplier, 3);
      assert.equal(config.cluster.quorum, false);
      assert.equal(config.cluster.heartbeatDatagram, true, 'datagrams on unless switched off');
      assert.deepEqual(config.cluster.peers, [
        { id: 'n2', address: '10.213.0.2:7410', endpoint: { host: '10.213.0.2', port: 7410 } },
      ]);
      assert.equal(
        config.cluster.key.reveal().toString(),
        CLUSTER_KEY,
        'trailing newline stripped',
      );
      assert.equal(config.api.token?.reveal().toString(), API_TOKEN);
      assert.equal(config.api.listen, '127.0.0.1:7411');
      assert.deepEqual(config.api.listenEndpoint, { host: '127.0.0.1', port: 7411 });
      const [web] = config.groups;
      assert.ok(web);
      assert.deepEqual(web.vips, [
        { address: '10.213.0.100', prefixLength: 24, interface: 'eth0' },
      ]);
      assert.equal(web.priority, 150);
      assert.equal(web.preempt, true);
      assert.equal(web.preemptDelayMs, 0);
    } finally {
      dir.remove();
    }
  });

  it('takes heartbeat_datagram: false (the stream alone, as before datagrams)', () => {
    const dir = configDir(
      MINIMAL.replace(
        '{ key_file: cluster.key }',
        '{ key_file: cluster.key, heartbeat_datagram: false }',
      ),
    );
    try {
      const { config } = loadConfigFile(dir.file, { env: {} });
      assert.equal(config.cluster.heartbeatDatagram, false);
    } finally {
      dir.remove();
    }
  });

  it('fills defaults: API on loopback, JSON logs, no peers, witness when no groups', () => {
    const dir = configDir(MINIMAL);
    try {
      const { config, warnings } = loadConfigFile(dir.file, { env: {} });
      assert.equal(config.api.listen, '127.0.0.1:7411');
      assert.equal(config.api.token, null);
      assert.equal(config.log.format, 'json');
      assert.equal(config.log.level, 'info');
      assert.equal(config.cluster.name, 'vipd');
      assert.equal(config.cluster.heartbeatIntervalMs, 100);
      assert.deepEqual(config.groups, []);
      assert.match(warnings.map((w) => w.message).join('\n'), /read-only/);
    } finally {
      dir.remove();
    }
  });

  it('takes secrets from VIPD_CLUSTER_KEY / VIPD_API_TOKEN without the files', () => {
    const dir = configDir(`node: { id: n1, listen: 127.0.0.1:7410 }\n`, { withSecrets: false });
    try {
      const { config } = loadConfigFile(dir.file, {
        env: { VIPD_CLUSTER_KEY: 'e'.repeat(32), VIPD_API_TOKEN: 'a'.repeat(20) },
      });
      assert.equal(config.cluster.key.reveal().toString(), 'e'.repeat(32));
      assert.equal(config.api.token?.reveal().toString(), 'a'.repeat(20));
    } finally {
      dir.remove();
    }
  });

  it('resolves relative paths against the config file, not the working directory', () => {
    const yaml = `${MINIMAL}trackers:
  - { name: chk, type: script, path: ./check.sh }
  - { name: weight, type: file, path: run/weight }
groups:
  - name: web
    interface: eth0
    addresses: [10.213.0.100/24, "fd00:213::0100/64", 10.213.0.101]
    notify: [./notify.sh, { path: ./ka.sh, args: [VG_1], convention: keepalived }]
    track: [{ tracker: chk, weight: -20 }, { tracker: weight, weight: 5 }]
    announce: { repeat: 2 }
notify: { scripts: [./all.sh], timeout: 2s }
announce: { interval: 50ms, mode: both }
`;
    const dir = configDir(yaml);
    for (const script of ['check.sh', 'notify.sh', 'ka.sh', 'all.sh'])
      dir.write(script, '#!/bin/sh\n', 0o755);
    try {
      const { config } = loadConfigFile(dir.file, { env: {} });
      const [chk, weight] = config.trackers;
      assert.equal(chk?.type === 'script' ? chk.path : '', `${dir.dir}/check.sh`);
      assert.equal(weight?.type === 'file' ? weight.path : '', `${dir.dir}/run/weight`);
      const web = config.groups[0]!;
      assert.deepEqual(web.notify, [
        { path: `${dir.dir}/all.sh`, args: [], convention: 'vipd' },
        { path: `${dir.dir}/notify.sh`, args: [], convention: 'vipd' },
        { path: `${dir.dir}/ka.sh`, args: ['VG_1'], convention: 'keepalived' },
      ]);
      assert.deepEqual(
        web.vips.map((v) => `${v.address}/${v.prefixLength}`),
        ['10.213.0.100/24', 'fd00:213::100/64', '10.213.0.101/32'],
      );
      assert.deepEqual(web.announce, {
        repeat: 2,
        intervalMs: 50,
        secondBurstDelayMs: 5000,
        refreshMs: 0,
        mode: 'both',
      });
      assert.equal(config.notifyTimeoutMs, 2000);
      assert.deepEqual(web.track, [
        { tracker: 'chk', weight: -20 },
        { tracker: 'weight', weight: 5 },
      ]);
    } finally {
      dir.remove();
    }
  });

  it('accepts a real-server role section and hands the role its config', () => {
    const dir = configDir(
      `${MINIMAL}realserver:\n  vips: [10.213.0.100, "fd00:213::0100"]\n  interfaces: [eth0]\n`,
    );
    try {
      const { config } = loadConfigFile(dir.file, { env: {} });
      assert.deepEqual(config.realserver?.vips, ['10.213.0.100', 'fd00:213::100']);
      assert.deepEqual(config.realserver.interfaces, ['eth0']);
      assert.equal(config.realserver.arpAnnounce, 2);
    } finally {
      dir.remove();
    }
  });

  it('resolves an https tracker ca_file against the config; warns when nothing uses it', () => {
    const dir = configDir(`${MINIMAL}trackers:
  - { name: api, type: http, url: "https://10.0.0.5/health", ca_file: ca.pem }
  - { name: plain, type: http, url: "http://10.0.0.5/health", ca_file: ca.pem }
groups:
  - name: web
    interface: eth0
    addresses: [10.0.0.1]
    track: [{ tracker: api }, { tracker: plain }]
`);
    dir.write('ca.pem', '-----BEGIN CERTIFICATE-----\n');
    try {
      const { config, warnings } = loadConfigFile(dir.file, { env: {} });
      const api = config.trackers[0];
      assert.equal(api?.type === 'http' ? api.caFile : null, `${dir.dir}/ca.pem`);
      const caWarnings = warnings.filter((w) => w.path.endsWith('ca_file'));
      assert.deepEqual(
        caWarnings.map((w) => w.path),
        ['trackers[1].ca_file'],
        JSON.stringify(warnings),
      );
      assert.match(caWarnings[0]?.message ?? '', /only used for an https:\/\/ URL/);
    } finally {
      dir.remove();
    }
    assert.deepEqual(
      problemsOf(`${MINIMAL}trackers:
  - { name: api, type: http, url: "https://10.0.0.5/", ca_file: nope.pem }
`).map((p) => [p.path, p.message.replace(/\/.*\//, '/…/')]),
      [['trackers[0].ca_file', '/…/nope.pem does not exist']],
    );
  });

  it('names what is wrong with a notify hook mapping, and checks its script like a path', () => {
    const dir = configDir(`${MINIMAL}notify:
  scripts:
    - { path: ./ka.sh, convention: keepalive }
    - { path: ./ka.sh, argv: [x] }
    - { args: [x] }
    - 7
    - { path: ./missing.sh, convention: keepalived }
`);
    dir.write('ka.sh', '#!/bin/sh\n', 0o755);
    let problems: ConfigProblem[] = [];
    try {
      loadConfigFile(dir.file, { env: {} });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = [...error.problems];
    } finally {
      dir.remove();
    }
    assert.deepEqual(
      problems.map((p) => [p.path, p.message.replace(/\/.*\//, '/…/')]),
      [
        [
          'notify.scripts[0].convention',
          'must be one of: vipd, keepalived (got the string "keepalive")',
        ],
        ['notify.scripts[1].argv', 'unknown key "argv"; did you mean "args"?'],
        ['notify.scripts[2]', 'missing required key "path"'],
        ['notify.scripts[3]', 'must be a string or a mapping (key: value) (got number 7)'],
        ['notify.scripts[4].path', '/…/missing.sh does not exist'],
      ],
    );
  });

  it('a real server only (no groups, no peers) needs no listen address and no key', () => {
    const realServer = `node: { id: rs1 }
realserver: { vips: [10.213.0.100], interfaces: [eth0] }
`;
    const dir = configDir(realServer, { withSecrets: false });
    try {
      const { config } = loadConfigFile(dir.file, { env: {} });
      assert.equal(config.node.listen, '127.0.0.1:0', 'the mesh listens on loopback only');
      assert.ok(config.cluster.key.reveal().length >= 32, 'a random key nobody knows');
      assert.deepEqual(config.cluster.peers, []);
    } finally {
      dir.remove();
    }
    // A peer (or a group) makes it a cluster member again: both are required.
    assert.deepEqual(
      problemsOf(
        `${realServer}cluster: { peers: [{ id: n1, address: 10.0.0.1:7410 }] }\n`,
        {},
        false,
      ).map((p) => [p.path, p.message.replace(/ \(.*\)$/, '')]),
      [
        ['node', 'missing required key "listen"'],
        ['cluster', 'missing required key "key_file"'],
      ],
    );
  });

  it('accepts a key file other users can read only with cluster.allow_readable_key_file, warning', () => {
    const dir = configDir(
      MINIMAL.replace('cluster.key }', 'cluster.key, allow_readable_key_file: true }'),
    );
    dir.write('cluster.key', CLUSTER_KEY, 0o644);
    try {
      const { config, warnings } = loadConfigFile(dir.file, { env: {} });
      assert.equal(config.cluster.key.reveal().toString(), CLUSTER_KEY);
      const warning = warnings.find((w) => w.path === 'cluster.key_file');
      assert.equal(warning?.code, 'KEY_FILE_EXPOSED');
      assert.match(warning.message, /mode 0644: other users can read it; chmod 600/);
    } finally {
      dir.remove();
    }
  });
});

describe('loadConfigFile: key and token files', () => {
  /** The problems of MINIMAL (plus `extra`) with this cluster.key content and mode. */
  function keyProblems(content: Buffer | string, mode = 0o600, extra = ''): ConfigProblem[] {
    const dir = configDir(`${MINIMAL}${extra}`);
    dir.write('cluster.key', '', mode);
    writeFileSync(`${dir.dir}/cluster.key`, content);
    try {
      loadConfigFile(dir.file, { env: {} });
      return [];
    } catch (error) {
      if (error instanceof ConfigError) return [...error.problems];
      throw error;
    } finally {
      dir.remove();
    }
  }

  function loadKey(content: Buffer | string): Buffer {
    const dir = configDir(MINIMAL);
    dir.write('cluster.key', '', 0o600);
    writeFileSync(`${dir.dir}/cluster.key`, content);
    try {
      return Buffer.from(loadConfigFile(dir.file, { env: {} }).config.cluster.key.reveal());
    } finally {
      dir.remove();
    }
  }

  it('keeps every byte of a binary key, spaces and bytes >= 0x80 included', () => {
    const key = Buffer.concat([
      Buffer.from('  '),
      Buffer.from(Array.from({ length: 40 }, (_, i) => (0x80 + i * 3) % 256)),
      Buffer.from([0x00, 0xff, 0xc3, 0x28]), // not UTF-8: would be mangled if decoded
      Buffer.from(' \t '),
    ]);
    assert.deepEqual(loadKey(key), key);
  });

  it('drops exactly one trailing newline, as `vipd keygen > file` writes it', () => {
    const text = 'A'.repeat(43) + '=';
    assert.deepEqual(loadKey(`${text}\n`), Buffer.from(text));
    assert.deepEqual(loadKey(`${text}\r\n`), Buffer.from(text));
    assert.deepEqual(loadKey(`${text}\n\n`), Buffer.from(`${text}\n`));
    assert.deepEqual(loadKey(`${text} \n`), Buffer.from(`${text} `));
  });

  it('refuses a key of 31 bytes with KEY_TOO_SHORT and takes one of 32', () => {
    const [problem, ...rest] = keyProblems(`${'k'.repeat(31)}\n`);
    assert.deepEqual(rest, []);
    assert.equal(problem?.code, 'KEY_TOO_SHORT');
    assert.equal(problem.path, 'cluster.key_file');
    assert.match(problem.message, /cluster key in .*cluster\.key is 31 bytes; at least 32 needed/);
    assert.deepEqual(keyProblems(`${'k'.repeat(32)}\n`), []);
  });

  it('measures VIPD_CLUSTER_KEY in UTF-8 bytes, untrimmed', () => {
    const dir = configDir(`node: { id: n1, listen: 127.0.0.1:7410 }\n`, { withSecrets: false });
    try {
      // 16 two-byte characters: 32 bytes, enough although only 16 characters.
      const key = 'é'.repeat(16);
      const { config } = loadConfigFile(dir.file, { env: { VIPD_CLUSTER_KEY: key } });
      assert.deepEqual(config.cluster.key.reveal(), Buffer.from(key, 'utf8'));
      const spaced = ` ${'k'.repeat(30)} `;
      const loaded = loadConfigFile(dir.file, { env: { VIPD_CLUSTER_KEY: spaced } });
      assert.deepEqual(loaded.config.cluster.key.reveal(), Buffer.from(spaced));
      assert.throws(
        () => loadConfigFile(dir.file, { env: { VIPD_CLUSTER_KEY: 'k'.repeat(31) } }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.some(
            (p) => p.code === 'KEY_TOO_SHORT' && /VIPD_CLUSTER_KEY is 31 bytes/.test(p.message),
          ),
      );
    } finally {
      dir.remove();
    }
  });

  it('refuses a key file group or others can read, naming the file, its mode and the way out', () => {
    for (const mode of [0o644, 0o640, 0o604, 0o660]) {
      const [problem, ...rest] = keyProblems(CLUSTER_KEY, mode);
      assert.deepEqual(rest, []);
      assert.equal(problem?.code, 'KEY_FILE_EXPOSED', mode.toString(8));
      assert.equal(problem.path, 'cluster.key_file');
      assert.match(
        problem.message,
        new RegExp(
          `cluster\\.key is mode 0${mode.toString(8)}: other users can read.*chmod 600 .*cluster\\.key \\(or set cluster\\.allow_readable_key_file: true\\)`,
        ),
      );
    }
    assert.deepEqual(keyProblems(CLUSTER_KEY, 0o400), []);
  });

  it('applies the same rule to accepted keys and to the API token file', () => {
    const dir = configDir(
      `${MINIMAL.replace('cluster.key }', 'cluster.key, accept_key_files: [old.key] }')}api: { token_file: api.token }\n`,
    );
    dir.write('old.key', CLUSTER_KEY, 0o644);
    dir.write('api.token', `${API_TOKEN}\n`, 0o644);
    try {
      assert.throws(
        () => loadConfigFile(dir.file, { env: {} }),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual(
            error.problems.map((p) => [p.path, p.code]),
            [
              ['cluster.accept_key_files[0]', 'KEY_FILE_EXPOSED'],
              ['api.token_file', 'KEY_FILE_EXPOSED'],
            ],
          );
          assert.match(error.problems[1]?.message ?? '', /api\.allow_readable_token_file: true/);
          return true;
        },
      );
    } finally {
      dir.remove();
    }
  });

  it('refuses an API token that cannot travel in an HTTP header', () => {
    const dir = configDir(`${MINIMAL}api: { token_file: api.token }\n`);
    dir.write('api.token', `${'t'.repeat(20)} x\n`);
    try {
      assert.throws(
        () => loadConfigFile(dir.file, { env: {} }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.problems.some(
            (p) => p.path === 'api.token_file' && /visible ASCII without spaces/.test(p.message),
          ),
      );
    } finally {
      dir.remove();
    }
  });
});

describe('loadConfigFile: scripts others could change', () => {
  const WITH_SCRIPTS = `${MINIMAL}trackers:
  - { name: chk, type: script, path: ./bin/check.sh }
notify: { scripts: [./bin/notify.sh] }
api: { token_file: api.token }
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.1/24], priority: 100, track: [{ tracker: chk }] }
`;

  /** Loads WITH_SCRIPTS after `arrange` has had its way with the bin directory. */
  function scriptProblems(
    arrange: (bin: string) => void,
    yaml = WITH_SCRIPTS,
  ): { problems: ConfigProblem[]; warnings: readonly ConfigProblem[] } {
    const dir = configDir(yaml);
    try {
      mkdirSync(`${dir.dir}/bin`, { mode: 0o755 });
      chmodSync(`${dir.dir}/bin`, 0o755);
      dir.write('bin/check.sh', '#!/bin/sh\n', 0o755);
      dir.write('bin/notify.sh', '#!/bin/sh\n', 0o755);
      arrange(`${dir.dir}/bin`);
      const { warnings } = loadConfigFile(dir.file, { env: {} });
      return { problems: [], warnings };
    } catch (error) {
      if (error instanceof ConfigError) return { problems: [...error.problems], warnings: [] };
      throw error;
    } finally {
      dir.remove();
    }
  }

  it('accepts scripts only root can change', () => {
    assert.deepEqual(
      scriptProblems(() => undefined),
      { problems: [], warnings: [] },
    );
  });

  it('refuses a group- or world-writable script with SCRIPT_UNSAFE, naming the file and its mode', () => {
    const { problems } = scriptProblems((bin) => {
      chmodSync(`${bin}/check.sh`, 0o777);
      chmodSync(`${bin}/notify.sh`, 0o775);
    });
    assert.deepEqual(
      problems.map((p) => [p.path, p.code]),
      [
        ['trackers[0].path', 'SCRIPT_UNSAFE'],
        ['notify.scripts[0]', 'SCRIPT_UNSAFE'],
      ],
    );
    assert.match(
      problems[0]?.message ?? '',
      /bin\/check\.sh is mode 0777: other users can change it/,
    );
    assert.match(
      problems[1]?.message ?? '',
      /bin\/notify\.sh is mode 0775: other users can change it/,
    );
    assert.match(problems[0]?.message ?? '', /node\.allow_unsafe_scripts: true/);
  });

  it('refuses a script owned by another user', () => {
    const { problems } = scriptProblems((bin) => {
      chownSync(`${bin}/notify.sh`, 65534, 65534);
    });
    const [problem, ...rest] = problems;
    assert.deepEqual(rest, []);
    assert.equal(problem?.code, 'SCRIPT_UNSAFE');
    assert.match(problem.message, /notify\.sh is owned by uid 65534, not by root/);
  });

  it('refuses scripts in a directory others can write to (they could replace them)', () => {
    const { problems } = scriptProblems((bin) => {
      chmodSync(bin, 0o777);
    });
    assert.deepEqual(
      problems.map((p) => p.code),
      ['SCRIPT_UNSAFE', 'SCRIPT_UNSAFE'],
    );
    assert.match(
      problems[0]?.message ?? '',
      /bin is mode 0777: other users can replace what is in it/,
    );
    // With the sticky bit (like /tmp) others cannot replace a file they do not own.
    assert.deepEqual(
      scriptProblems((bin) => {
        chmodSync(bin, 0o1777);
      }).problems,
      [],
    );
  });

  it('refuses a script reached through a symlink to a file others can change', () => {
    const { problems } = scriptProblems((bin) => {
      writeFileSync(`${bin}/real-check.sh`, '#!/bin/sh\n');
      chmodSync(`${bin}/real-check.sh`, 0o757);
      unlinkSync(`${bin}/check.sh`);
      symlinkSync(`${bin}/real-check.sh`, `${bin}/check.sh`);
    });
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.match(problems[0]?.message ?? '', /real-check\.sh is mode 0757/);
  });

  it('turns the refusal into a warning with node.allow_unsafe_scripts: true', () => {
    const { problems, warnings } = scriptProblems(
      (bin) => {
        chmodSync(`${bin}/check.sh`, 0o777);
      },
      WITH_SCRIPTS.replace(
        'listen: 127.0.0.1:7410 }',
        'listen: 127.0.0.1:7410, allow_unsafe_scripts: true }',
      ),
    );
    assert.deepEqual(problems, []);
    assert.deepEqual(
      warnings.map((w) => [w.path, w.code]),
      [['trackers[0].path', 'SCRIPT_UNSAFE']],
    );
  });
});

interface Case {
  readonly name: string;
  readonly yaml: string;
  /** Every expected problem: path, line (when known), and a fragment of the reason. */
  readonly problems: readonly { path: string; line?: number; message: RegExp }[];
}

const CASES: readonly Case[] = [
  {
    name: 'YAML syntax error, with its line',
    yaml: `node:\n  id: n1\n  listen: [unclosed\ncluster: {}\n`,
    problems: [{ path: '', line: 4, message: /YAML syntax/ }],
  },
  {
    name: 'duplicate YAML key',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }\nnode: { id: n2 }\n`,
    problems: [{ path: '', line: 2, message: /YAML syntax: Map keys must be unique/ }],
  },
  {
    name: 'unknown key, pointing at the key',
    yaml: `${MINIMAL}groups:\n  - name: web\n    interface: eth0\n    addresses: [10.0.0.1]\n    priorty: 10\n`,
    problems: [{ path: 'groups[0].priorty', line: 7, message: /unknown key "priorty"/ }],
  },
  {
    name: 'unknown top-level section',
    yaml: `${MINIMAL}vrrp: {}\n`,
    problems: [{ path: 'vrrp', line: 3, message: /unknown key "vrrp"/ }],
  },
  {
    name: 'missing required keys',
    yaml: `node: { id: n1 }\ncluster: {}\n`,
    problems: [
      { path: 'node', line: 1, message: /missing required key "listen"/ },
      {
        path: 'cluster',
        line: 2,
        message: /missing required key "key_file" \(or set VIPD_CLUSTER_KEY\)/,
      },
    ],
  },
  {
    name: 'wrong types',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }\ncluster: { key_file: cluster.key, quorum: "yes", heartbeat_datagram: udp, down_multiplier: 2.5 }\ngroups: {}\n`,
    problems: [
      { path: 'cluster.quorum', line: 2, message: /must be true or false, got the string "yes"/ },
      {
        path: 'cluster.heartbeat_datagram',
        line: 2,
        message: /must be true or false, got the string "udp"/,
      },
      { path: 'cluster.down_multiplier', line: 2, message: /must be an integer/ },
      { path: 'groups', line: 3, message: /must be a list, got a mapping/ },
    ],
  },
  {
    name: 'out-of-range values',
    yaml: `${MINIMAL.replace('cluster.key }', 'cluster.key, heartbeat_interval: 5ms, down_multiplier: 1 }')}groups:\n  - { name: web, interface: eth0, addresses: [10.0.0.1], priority: 256, preempt_delay: 2h }\n`,
    problems: [
      { path: 'cluster.heartbeat_interval', line: 2, message: /between 10ms and 10s \(got 5ms\)/ },
      { path: 'cluster.down_multiplier', line: 2, message: />= 2 \(got 1\)/ },
      { path: 'groups[0].priority', line: 4, message: /<= 255 \(got 256\)/ },
      { path: 'groups[0].preempt_delay', line: 4, message: /between 0ms and 1h \(got 2h\)/ },
    ],
  },
  {
    name: 'durations need a unit',
    yaml: MINIMAL.replace('cluster.key }', 'cluster.key, heartbeat_interval: 100 }'),
    problems: [
      {
        path: 'cluster.heartbeat_interval',
        line: 2,
        message: /^must be a duration, got number 100: durations need a unit: 100ms or 100s\?$/,
      },
    ],
  },
  {
    name: 'bad addresses',
    yaml: `node: { id: n1, listen: "10.0.0.1" }\ncluster:\n  key_file: cluster.key\n  peers: [{ id: n2, address: "10.0.0.2:0" }]\ngroups:\n  - name: web\n    interface: eth0\n    addresses:\n      - 10.0.0.300/24\n      - 10.0.0.3/33\n      - fe80::1%eth0\n      - fd00::1/129\n`,
    problems: [
      { path: 'node.listen', line: 1, message: /must be ip:port/ },
      { path: 'cluster.peers[0].address', line: 4, message: /must be host:port/ },
      {
        path: 'groups[0].addresses[0]',
        line: 9,
        message: /IPv4 or IPv6 address.*10\.0\.0\.300\/24/,
      },
      { path: 'groups[0].addresses[1]', line: 10, message: /IPv4 or IPv6/ },
      { path: 'groups[0].addresses[2]', line: 11, message: /IPv4 or IPv6/ },
      { path: 'groups[0].addresses[3]', line: 12, message: /IPv4 or IPv6/ },
    ],
  },
  {
    name: 'duplicate VIP across groups and within a group, IPv6 compared canonically',
    yaml: `${MINIMAL}groups:\n  - { name: a, interface: eth0, addresses: [10.0.0.1/24, "fd00::1/64"] }\n  - { name: b, interface: eth1, addresses: [10.0.0.1/32, "fd00:0::0001"] }\n`,
    problems: [
      {
        path: 'groups[1].addresses[0]',
        line: 5,
        message: /duplicate VIP 10\.0\.0\.1 \(also groups\[0\]\.addresses\[0\] in group "a"\)/,
      },
      { path: 'groups[1].addresses[1]', line: 5, message: /duplicate VIP fd00::1/ },
    ],
  },
  {
    name: 'duplicate group, peer and tracker names; peer equal to this node',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }
cluster:
  key_file: cluster.key
  peers:
    - { id: n1, address: 10.0.0.2:7410 }
    - { id: n3, address: 10.0.0.3:7410 }
    - { id: n3, address: 10.0.0.4:7410 }
trackers:
  - { name: up, type: interface, interface: eth1 }
  - { name: up, type: tcp, address: 127.0.0.1:80 }
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.1], track: [{ tracker: up }] }
  - { name: web, interface: eth0, addresses: [10.0.0.20] }
`,
    problems: [
      { path: 'cluster.peers[0].id', line: 5, message: /this node's own id/ },
      { path: 'cluster.peers[2].id', line: 7, message: /duplicate peer id "n3"/ },
      { path: 'trackers[1].name', line: 10, message: /duplicate tracker name "up"/ },
      { path: 'groups[1].name', line: 13, message: /duplicate group name "web"/ },
    ],
  },
  {
    name: 'missing key file and token file',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }\ncluster: { key_file: nope.key }\napi: { token_file: /nonexistent/api.token }\n`,
    problems: [
      { path: 'cluster.key_file', line: 2, message: /cluster key file .*nope\.key does not exist/ },
      {
        path: 'api.token_file',
        line: 3,
        message: /API token file \/nonexistent\/api\.token does not exist/,
      },
    ],
  },
  {
    name: 'accepted cluster keys: a missing file is named by its index; a good one passes',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }
cluster:
  key_file: cluster.key
  accept_key_files:
    - gone.key
    - cluster.key
`,
    problems: [
      {
        path: 'cluster.accept_key_files[0]',
        line: 5,
        message: /accepted cluster key file .*gone\.key does not exist/,
      },
    ],
  },
  {
    name: 'trackers: unknown type, unknown reference, bad URL, missing script',
    yaml: `${MINIMAL}trackers:
  - { name: a, type: smtp }
  - { name: b, type: http, url: "ftp://x", expect_status: [99] }
  - { name: c, type: script, path: ./missing.sh }
  - { name: d, type: file, path: ./w, timeout: 1s }
groups:
  - { name: web, interface: eth0, addresses: [10.0.0.1], track: [{ tracker: zz, weight: -300 }] }
`,
    problems: [
      {
        path: 'trackers[0]',
        line: 4,
        message: /unknown tracker type "smtp"; one of: interface, http, tcp, bird, script, file/,
      },
      { path: 'trackers[1].url', line: 5, message: /http:\/\/ or https:\/\/ URL/ },
      { path: 'trackers[1].expect_status[0]', line: 5, message: />= 100/ },
      { path: 'trackers[2].path', line: 6, message: /missing\.sh does not exist/ },
      { path: 'trackers[3].timeout', line: 7, message: /unknown key "timeout"/ },
      {
        path: 'groups[0].track[0].tracker',
        line: 9,
        message: /unknown tracker "zz"; defined: a, b, c, d/,
      },
      { path: 'groups[0].track[0].weight', line: 9, message: />= -254/ },
    ],
  },
  {
    name: 'label must start with the interface name; interface names are at most 15 bytes',
    yaml: `${MINIMAL}groups:\n  - { name: web, interface: eth0, addresses: [10.0.0.1], label: "lo:vip" }\n  - { name: db, interface: averyveryverylongname, addresses: [10.0.0.2] }\n`,
    problems: [
      { path: 'groups[0].label', line: 4, message: /must start with the interface name "eth0"/ },
      { path: 'groups[1].interface', line: 5, message: /Linux interface name/ },
    ],
  },
  {
    name: 'an announce refresh faster than 100ms',
    yaml: `${MINIMAL}announce: { refresh: 50ms }\ngroups:\n  - { name: web, interface: eth0, addresses: [10.0.0.1], announce: { refresh: 1ms } }\n`,
    problems: [
      {
        path: 'announce.refresh',
        line: 3,
        message: /must be 0s \(off\) or at least 100ms \(got 50ms\)/,
      },
      { path: 'groups[0].announce.refresh', line: 5, message: /at least 100ms/ },
    ],
  },
  {
    name: 'API on the heartbeat port',
    yaml: `${MINIMAL}api: { listen: 127.0.0.1:7410 }\n`,
    problems: [{ path: 'api.listen', line: 3, message: /same address as node\.listen/ }],
  },
  {
    name: 'a too-short key from the environment',
    yaml: `node: { id: n1, listen: 127.0.0.1:7410 }\n`,
    problems: [
      {
        path: 'cluster.key_file',
        message: /VIPD_CLUSTER_KEY is 5 bytes; the cluster key needs at least 32/,
      },
    ],
  },
  {
    name: 'real-server section: bad address, unknown key, the same VIP spelled twice',
    yaml: `${MINIMAL}realserver:\n  vips: [10.0.0.300]\n  interfaces: [eth0]\n  arp_ignor: 1\n`,
    problems: [
      {
        path: 'realserver.vips[0]',
        line: 4,
        message: /must be an IPv4 address or an IPv6 address \(got the string "10.0.0.300"\)/,
      },
      { path: 'realserver.arp_ignor', line: 6, message: /unknown key "arp_ignor"/ },
    ],
  },
  {
    name: 'real-server section: the same VIP in two spellings',
    yaml: `${MINIMAL}realserver:\n  vips: ["fd00::1", "fd00:0::1"]\n  interfaces: [eth0]\n`,
    problems: [{ path: 'realserver', line: 4, message: /lists fd00::1 twice/ }],
  },
  {
    name: 'a top level that is not a mapping',
    yaml: `- just\n- a list\n`,
    problems: [{ path: '', line: 1, message: /must be a mapping/ }],
  },
];

describe('loadConfigFile: every problem listed with path, line and reason', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const env = c.name.includes('environment') ? { VIPD_CLUSTER_KEY: 'short' } : {};
      const problems = problemsOf(c.yaml, env);
      for (const expected of c.problems) {
        const found = problems.find(
          (p) =>
            p.path === expected.path &&
            expected.message.test(p.message) &&
            (expected.line === undefined || p.line === expected.line),
        );
        assert.ok(
          found,
          `expected ${JSON.stringify({ ...expected, message: String(expected.message) })} in\n${JSON.stringify(problems, null, 1)}`,
        );
      }
      assert.equal(problems.length, c.problems.length, JSON.stringify(problems, null, 1));
    });
  }

  it('reports a missing config file as CONFIG_UNREADABLE', () => {
    assert.throws(
      () => loadConfigFile('/nonexistent/vipd.yaml'),
      (error: unknown) =>
        error instanceof VipdError &&
        error.code === 'CONFIG_UNREADABLE' &&
        /ENOENT/.test(error.message),
    );
  });

  it('never puts a secret in an error or in the serialised config', () => {
    const dir = configDir(ISSUE_EXAMPLE);
    try {
      const { config } = loadConfigFile(dir.file, { env: {} });
      const text = JSON.stringify(config);
      assert.ok(!text.includes(CLUSTER_KEY) && !text.includes(API_TOKEN));
      assert.match(text, /\[REDACTED\]/);
    } finally {
      dir.remove();
    }
  });
});
