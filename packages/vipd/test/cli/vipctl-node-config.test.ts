// vipctl finds the API and the token in the node's config (real vipd and vipctl processes,
// a witness: no root needed), says clearly when it cannot read it, and leaves explicit flags
// in charge.

import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '../../src/cli/exit-codes.js';
import { apiUrlOf, DEFAULT_CONFIG_FILE } from '../../src/cli/node-config.js';
import { API_TOKEN, configDir, type ConfigDir } from '../config/fixture.js';
import { freePorts, hasTool } from '@vipd/testkit';
import { DaemonProcess, VIPCTL, runSync } from './process.js';

const STATE_FILE = join(tmpdir(), `vipctl-config-test-${process.pid}-state.json`);

const witness = (
  apiPort: number,
) => `node: { id: w1, listen: 127.0.0.1:0, state_file: ${STATE_FILE} }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:${apiPort}, token_file: api.token }
`;

/** Nothing from the test runner's environment may point vipctl elsewhere. */
const CLEAN_ENV = { VIPD_API: '', VIPD_API_TOKEN: '', VIPD_API_TOKEN_FILE: '', VIPD_CONFIG: '' };

const maintenanceInStateFile = () =>
  (JSON.parse(readFileSync(STATE_FILE, 'utf8')) as { maintenance: boolean }).maintenance;

describe('vipctl reads the API address and token from the node config', () => {
  let dir: ConfigDir;
  let daemon: DaemonProcess;
  let port = 0;
  const vipctl = (args: readonly string[], env: Record<string, string> = {}) =>
    runSync(VIPCTL, args, { env: { ...CLEAN_ENV, ...env } });

  before(async () => {
    [port = 0] = await freePorts(1);
    dir = configDir(witness(port));
    daemon = new DaemonProcess(['run', '--config', dir.file]);
    const ready = await daemon.waitFor((l) => l['event'] === 'ready', 30_000, 'the ready line');
    assert.equal(ready['api'], `http://127.0.0.1:${port}`);
  });
  after(async () => {
    await daemon.kill();
    dir.remove();
    rmSync(STATE_FILE, { force: true });
  });

  it('status and maintenance work with only -c (or VIPD_CONFIG): no --api, no token flag', () => {
    const status = vipctl(['-c', dir.file, 'status']);
    assert.equal(status.status, EXIT.OK, status.stderr);
    assert.match(status.stdout, /^node w1 /);

    const on = vipctl(['maintenance', 'on'], { VIPD_CONFIG: dir.file });
    assert.equal(on.status, EXIT.OK, on.stderr);
    assert.equal(maintenanceInStateFile(), true, 'the token from api.token_file was accepted');
    const off = vipctl(['--config', dir.file, 'maintenance', 'off']);
    assert.equal(off.status, EXIT.OK, off.stderr);
    assert.equal(maintenanceInStateFile(), false);
  });

  it('explicit flags win: --api elsewhere is used, and the config token is not sent to it', () => {
    const elsewhere = vipctl(['--api', 'http://127.0.0.1:9', 'maintenance', 'on']);
    assert.equal(elsewhere.status, EXIT.UNAUTHORIZED, 'no config token for a foreign API');
    assert.match(elsewhere.stderr, /needs the API token/);
    const wrongToken = vipctl(['-c', dir.file, 'maintenance', 'on'], {
      VIPD_API_TOKEN: 'not-the-token-at-all',
    });
    assert.equal(wrongToken.status, EXIT.UNAUTHORIZED, 'VIPD_API_TOKEN beats api.token_file');
    assert.match(wrongToken.stderr, /wrong bearer token/);
    const unreachable = vipctl(['-c', dir.file, '--api', 'http://127.0.0.1:9', 'status']);
    assert.equal(unreachable.status, EXIT.UNAVAILABLE);
    assert.match(unreachable.stderr, /at http:\/\/127\.0\.0\.1:9 .*from --api/);
  });

  it('a config named with -c that does not exist, or is invalid, is an error (exit 3)', () => {
    const missing = vipctl(['-c', join(dir.dir, 'nope.yaml'), 'status']);
    assert.equal(missing.status, EXIT.CONFIG_INVALID);
    assert.match(missing.stderr, /nope\.yaml does not exist/);
    const broken = dir.write('broken.yaml', 'node: { id: w1\n', 0o644);
    const invalid = vipctl(['-c', broken, 'status']);
    assert.equal(invalid.status, EXIT.CONFIG_INVALID);
    assert.match(invalid.stderr, /broken\.yaml is invalid .*YAML syntax.*vipd check -c/);
  });

  it(
    'without a config at the default path, the defaults apply and the message says how to name one',
    { skip: existsSync(DEFAULT_CONFIG_FILE) ? `${DEFAULT_CONFIG_FILE} exists here` : false },
    () => {
      const noToken = vipctl(['maintenance', 'on']);
      assert.equal(noToken.status, EXIT.UNAUTHORIZED);
      assert.match(noToken.stderr, /needs the API token: .*or -c CONFIG with api\.token_file/);
    },
  );

  const asNobody =
    process.getuid?.() === 0 && hasTool('setpriv')
      ? false
      : 'needs root and setpriv to run vipctl as another user';

  it(
    'an operator who may read vipd.yaml but not the key and token: status works, a mutation says why not',
    { skip: asNobody },
    () => {
      const shared = mkdtempSync(join(tmpdir(), 'vipctl-perm-'));
      try {
        chmodSync(shared, 0o755);
        writeFileSync(join(shared, 'cluster.key'), 'k'.repeat(32), { mode: 0o600 });
        writeFileSync(join(shared, 'api.token'), API_TOKEN, { mode: 0o600 });
        const file = join(shared, 'vipd.yaml');
        writeFileSync(file, witness(port), { mode: 0o644 });
        const nobody = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'];
        const run = (args: readonly string[]) =>
          runSync(VIPCTL, ['-c', file, ...args], { env: CLEAN_ENV, prefix: nobody });
        const status = run(['status']);
        assert.equal(status.status, EXIT.OK, status.stderr);
        const on = run(['maintenance', 'on']);
        assert.equal(on.status, EXIT.CONFIG_INVALID);
        assert.match(
          on.stderr,
          /api\.token_file.*run vipctl as root \(sudo\), or pass --token-file/,
        );

        chmodSync(file, 0o600);
        const unreadable = run(['status']);
        assert.equal(unreadable.status, EXIT.CONFIG_INVALID);
        assert.equal(
          unreadable.stderr,
          `vipctl: cannot read ${file} (permission denied): run vipctl as root (sudo) or as a member of group vipd, or pass --api URL (and --token-file FILE)\n`,
        );
      } finally {
        rmSync(shared, { recursive: true, force: true });
      }
    },
  );
});

describe('apiUrlOf: the URL a local client uses for api.listen', () => {
  it('maps wildcard listeners to loopback and brackets IPv6', () => {
    assert.equal(apiUrlOf({ host: '0.0.0.0', port: 7411 }), 'http://127.0.0.1:7411');
    assert.equal(apiUrlOf({ host: '::', port: 7411 }), 'http://[::1]:7411');
    assert.equal(apiUrlOf({ host: '192.0.2.11', port: 7411 }), 'http://192.0.2.11:7411');
    assert.equal(apiUrlOf({ host: 'fd00::1', port: 80 }), 'http://[fd00::1]:80');
  });
});
