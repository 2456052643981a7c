import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { API_TOKEN, configDir, type ConfigDir } from '../config/fixture.js';
import { DaemonProcess, VIPCTL, VIPD, runSync } from './process.js';

/** Outside the config dirs, which the tests rewrite: a file per test process. */
const STATE_FILE = join(tmpdir(), `vipd-run-test-${process.pid}-state.json`);
const WITNESS = `node: { id: w1, listen: 127.0.0.1:0, state_file: ${STATE_FILE} }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:0, token_file: api.token }
`;

describe('vipd run as a witness, driven by signals and vipctl (real processes)', () => {
  let dir: ConfigDir;
  let daemon: DaemonProcess;
  let api = '';
  let heartbeatPort = 0;
  const vipctl = (args: readonly string[], env: Record<string, string> = {}) =>
    runSync(VIPCTL, ['--api', api, ...args], { env });

  before(async () => {
    dir = configDir(WITNESS);
    daemon = new DaemonProcess(['run', '--config', dir.file]);
    const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'the ready line');
    api = String(ready['api']);
    heartbeatPort = Number(/heartbeat on port (\d+)/.exec(ready.msg)?.[1]);
    assert.match(
      ready.msg,
      /^vipd ready: node w1, heartbeat on port \d+, API http:\/\/127\.0\.0\.1:\d+, witness \(no groups\), peers: n1$/,
    );
  });
  after(async () => {
    await daemon.kill();
    dir.remove();
    rmSync(STATE_FILE, { force: true });
  });

  it('serves /readyz and /v1/status', async () => {
    assert.equal((await fetch(`${api}/readyz`)).status, 200);
    const status = (await (await fetch(`${api}/v1/status`)).json()) as {
      node: { id: string; witness: boolean };
    };
    assert.deepEqual([status.node.id, status.node.witness], ['w1', true]);
  });

  it('vipctl status: a table, or JSON with --json', () => {
    const table = vipctl(['status']);
    assert.equal(table.status, EXIT.OK, table.stderr);
    assert.match(table.stdout, /^node w1 {2}vipd \S+ {2}running {2}witness/);
    assert.match(table.stdout, /no groups \(witness\)/);
    assert.match(
      table.stdout,
      /PEER +ADDRESS +UP +RTT +LAST HEARTBEAT +PATH\nn1 +127\.0\.0\.1:9 +DOWN +- +never +-/,
    );
    const json = vipctl(['--json', 'status']);
    assert.equal(json.status, EXIT.OK);
    assert.equal((JSON.parse(json.stdout) as { node: { id: string } }).node.id, 'w1');
  });

  it('vipctl mutations: token from a file or VIPD_API_TOKEN, clear errors and exit codes', () => {
    const noToken = vipctl(['maintenance', 'on']);
    assert.equal(noToken.status, EXIT.UNAUTHORIZED);
    assert.match(
      noToken.stderr,
      /needs the API token: pass --token-file FILE or set VIPD_API_TOKEN/,
    );

    const wrong = vipctl(['maintenance', 'on'], { VIPD_API_TOKEN: 'not-the-token-at-all' });
    assert.equal(wrong.status, EXIT.UNAUTHORIZED);
    assert.match(wrong.stderr, /maintenance on failed: UNAUTHORIZED: wrong bearer token/);

    const on = vipctl(['--token-file', `${dir.dir}/api.token`, 'maintenance', 'on']);
    assert.equal(on.status, EXIT.OK, on.stderr);
    assert.equal(on.stdout, 'maintenance on\n');
    assert.equal(
      (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { maintenance: boolean }).maintenance,
      true,
      'kept in node.state_file',
    );
    const off = vipctl(['maintenance', 'off'], { VIPD_API_TOKEN: API_TOKEN });
    assert.equal(off.status, EXIT.OK, off.stderr);
    assert.equal(
      (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { maintenance: boolean }).maintenance,
      false,
    );

    const unknown = vipctl(['takeover', 'web'], { VIPD_API_TOKEN: API_TOKEN });
    assert.equal(unknown.status, EXIT.NOT_FOUND);
    assert.match(unknown.stderr, /takeover web failed: UNKNOWN_GROUP/);

    const json = vipctl(['--json', 'release', 'web'], { VIPD_API_TOKEN: API_TOKEN });
    assert.equal(json.status, EXIT.NOT_FOUND);
    assert.equal((JSON.parse(json.stdout) as { code: string }).code, 'UNKNOWN_GROUP');

    const usage = vipctl(['maintenance', 'maybe']);
    assert.equal(usage.status, EXIT.USAGE);
  });

  it('SIGHUP: a broken file or a restart-only change keeps the running config; a good one applies', async () => {
    writeFileSync(dir.file, `${WITNESS}groups: [ {name: web\n`);
    daemon.signal('SIGHUP');
    const rejected = await daemon.waitFor(
      (l) => /^reload rejected/.test(l.msg),
      10_000,
      'the rejected reload',
    );
    assert.equal(rejected.level, 'error');
    assert.match(rejected.msg, /YAML syntax/);
    assert.equal((await fetch(`${api}/readyz`)).status, 200, 'still running');

    writeFileSync(dir.file, WITNESS.replace('id: w1', 'id: w2'));
    daemon.signal('SIGHUP');
    const restartOnly = await daemon.waitFor(
      (l) => l['code'] === 'CONFIG_RELOAD_UNSUPPORTED',
      10_000,
      'the restart-only rejection',
    );
    assert.match(restartOnly.msg, /node\.id: every peer and every epoch knows the node by it/);

    // A peer moved and the log level: both reload in place.
    writeFileSync(
      dir.file,
      `${WITNESS.replace('127.0.0.1:9', '127.0.0.1:10')}log: { level: debug }\n`,
    );
    daemon.signal('SIGHUP');
    await daemon.waitFor((l) => /^configuration reloaded/.test(l.msg), 10_000, 'the reload');
    const metrics = await (await fetch(`${api}/metrics`)).text();
    assert.match(metrics, /vipd_config_reloads_total\{result="failure"\} 2/);
    assert.match(metrics, /vipd_config_reloads_total\{result="success"\} 1/);
    assert.match(metrics, /vipd_config_last_reload_successful 1/);
  });

  it('cuts a connection to the heartbeat port that never upgrades, and counts it', async () => {
    const socket = connect({ port: heartbeatPort, host: '127.0.0.1', localAddress: '127.0.0.2' });
    socket.on('error', () => undefined);
    // The auth timeout is 1 s here; Node's own HTTP timeouts would take 30 s or more.
    const cut = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
      }, 10_000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    socket.destroy();
    assert.ok(cut, 'the idle connection is still open after 10 s');
    const metrics = await (await fetch(`${api}/metrics`)).text();
    assert.match(
      metrics,
      /^vipd_heartbeat_connections_dropped_total\{reason="preauth-timeout"\} 1$/m,
    );
    assert.match(
      metrics,
      /^vipd_heartbeat_connections_dropped_total\{reason="admission-total"\} 0$/m,
    );
  });

  it('SIGTERM: stops cleanly with exit 0', async () => {
    daemon.signal('SIGTERM');
    assert.equal(await daemon.exited, 0);
    assert.ok(daemon.lines.some((l) => l['event'] === 'stopped'));
    const gone = vipctl(['status']);
    assert.equal(gone.status, EXIT.UNAVAILABLE);
    assert.match(
      gone.stderr,
      /cannot reach the vipd API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
  });
});

describe('maintenance outlives a restart (node.state_file)', () => {
  it('a node drained before SIGTERM starts drained, and undrained after maintenance off', async () => {
    const stateFile = join(tmpdir(), `vipd-run-test-${process.pid}-restart.json`);
    const dir = configDir(WITNESS.replace(STATE_FILE, stateFile));
    const start = async () => {
      const daemon = new DaemonProcess(['run', '--config', dir.file]);
      const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'ready');
      return { daemon, api: String(ready['api']) };
    };
    const maintenance = async (api: string) =>
      ((await (await fetch(`${api}/v1/status`)).json()) as { node: { maintenance: boolean } }).node
        .maintenance;
    const stop = async (daemon: DaemonProcess) => {
      daemon.signal('SIGTERM');
      assert.equal(await daemon.exited, 0);
    };
    let daemon: DaemonProcess | undefined;
    try {
      let node = await start();
      daemon = node.daemon;
      const on = runSync(VIPCTL, ['--api', node.api, 'maintenance', 'on'], {
        env: { VIPD_API_TOKEN: API_TOKEN },
      });
      assert.equal(on.status, EXIT.OK, on.stderr);
      await stop(node.daemon);

      node = await start();
      daemon = node.daemon;
      assert.equal(await maintenance(node.api), true, 'still drained after the restart');
      const kept = node.daemon.lines.find((l) => l['event'] === 'maintenance-kept');
      assert.match(kept?.msg ?? '', /^starting in maintenance, as set at \d{4}-/);
      const off = runSync(VIPCTL, ['--api', node.api, 'maintenance', 'off'], {
        env: { VIPD_API_TOKEN: API_TOKEN },
      });
      assert.equal(off.status, EXIT.OK, off.stderr);
      await stop(node.daemon);

      node = await start();
      daemon = node.daemon;
      assert.equal(await maintenance(node.api), false, 'maintenance off was kept too');
    } finally {
      await daemon?.kill();
      dir.remove();
      rmSync(stateFile, { force: true });
    }
  });

  it('says so when the state file cannot be written, and maintenance still applies', async () => {
    const dir = configDir(WITNESS.replace(STATE_FILE, '/nonexistent-vipd-dir/state.json'));
    const daemon = new DaemonProcess(['run', '--config', dir.file]);
    try {
      const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'ready');
      const on = runSync(VIPCTL, ['--api', String(ready['api']), 'maintenance', 'on'], {
        env: { VIPD_API_TOKEN: API_TOKEN },
      });
      assert.equal(on.status, EXIT.OK, on.stderr);
      assert.match(on.stdout, /NOT saved for a restart/);
      const failure = await daemon.waitFor(
        (l) => l['event'] === 'maintenance-not-persisted',
        5000,
        'the error line',
      );
      assert.equal(failure.level, 'error');
      assert.equal(failure['code'], 'NODE_STATE_NOT_PERSISTED');
      assert.match(
        failure.msg,
        /NOT kept across a restart: cannot write .*nonexistent-vipd-dir\/state\.json/,
      );
    } finally {
      await daemon.kill();
      dir.remove();
    }
  });
});

describe('vipd run without CAP_NET_ADMIN / CAP_NET_RAW', () => {
  const root = process.getuid?.() === 0;
  it(
    'says so in one sentence and exits 4',
    { skip: root ? false : 'needs root to drop capabilities with setpriv' },
    () => {
      const dir = configDir(`node: { id: n1, listen: 127.0.0.1:0 }
cluster: { key_file: cluster.key }
groups: [{ name: web, interface: lo, addresses: [10.213.9.1/32] }]
api: { enabled: false }
`);
      try {
        const result = runSync(VIPD, ['run', '--config', dir.file], {
          prefix: ['setpriv', '--bounding-set', '-net_admin,-net_raw', '--'],
        });
        assert.equal(result.status, EXIT.MISSING_CAPABILITY, result.stderr);
        assert.equal(
          result.stderr,
          'vipd needs CAP_NET_ADMIN and CAP_NET_RAW to add VIPs and send gratuitous ARP: run it as root or grant them (systemd: AmbientCapabilities=CAP_NET_ADMIN CAP_NET_RAW).\n',
        );
      } finally {
        dir.remove();
      }
    },
  );
});
