// The unit's ExecReload, run as systemd runs it: the command line from deploy/systemd/vipd.service
// split into words (no shell), /usr/bin/vipd standing for the built CLI, $MAINPID for a real
// running `vipd run` (a witness on loopback: no root, no namespace). A broken file must fail
// the reload and leave the node untouched; a change the node refuses must fail it too; a good
// file must be applied. (systemd would run it as User=vipd; here it runs as the test's user.)

import assert from 'node:assert/strict';
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EXIT } from '@vipd/vipd';
import { freePorts, waitForLine } from '@vipd/testkit';
import { parseUnitFile, unitValue } from './unit-file.js';
import { builtVipdWrapper, DEPLOY_DIR, withoutVipdSecrets } from './vipd-cli.js';

const unit = parseUnitFile(readFileSync(join(DEPLOY_DIR, 'systemd', 'vipd.service'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'vipd-reload-'));
const CONFIG = join(scratch, 'vipd.yaml');

function witness(apiPort: number, extra = ''): string {
  return `node: { id: w1, listen: 127.0.0.1:0, state_file: ${join(scratch, 'state.json')} }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:${apiPort}, token_file: api.token }
${extra}`;
}

describe('deploy/systemd/vipd.service ExecReload against a running node', () => {
  let node: ChildProcess;
  let log = '';
  let apiPort = 0;
  let vipd = '';

  /**
   * ExecReload= as systemd would execute it for this node. Asynchronously: a spawnSync would
   * stall this process's event loop for the whole reload, so the HTTP client could not notice
   * that the node closed its idle keep-alive connection, and the next fetch would reuse a dead
   * socket ("fetch failed").
   */
  function execReload(): Promise<{ status: number | null; stdout: string; stderr: string }> {
    const words = unitValue(unit, 'Service', 'ExecReload')
      .replaceAll('/usr/bin/vipd', vipd)
      .replaceAll('/etc/vipd/vipd.yaml', CONFIG)
      .replaceAll('$MAINPID', String(node.pid))
      .split(/\s+/);
    const [file = '', ...args] = words;
    return new Promise((resolve) => {
      execFile(
        file,
        args,
        { encoding: 'utf8', timeout: 30_000, env: withoutVipdSecrets(process.env) },
        (error, stdout, stderr) => {
          const code = error === null ? 0 : error.code;
          resolve({ status: typeof code === 'number' ? code : null, stdout, stderr });
        },
      );
    });
  }
  const metrics = async () => (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
  const reloadLines = () => log.split('\n').filter((line) => /SIGHUP|reload/.test(line));

  before(async () => {
    [apiPort = 0] = await freePorts(1);
    writeFileSync(join(scratch, 'cluster.key'), 'k'.repeat(32), { mode: 0o600 });
    writeFileSync(join(scratch, 'api.token'), 't'.repeat(24), { mode: 0o600 });
    writeFileSync(CONFIG, witness(apiPort));
    vipd = builtVipdWrapper(scratch);
    node = spawn(vipd, ['run', '--config', CONFIG], {
      env: withoutVipdSecrets(process.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    node.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      log += chunk;
    });
    await waitForLine(node, /"event":"ready"/, 30_000);
  });
  after(() => {
    node.kill('SIGKILL');
    rmSync(scratch, { recursive: true, force: true });
  });

  it('a broken config: exit 3 with the problem, the node is not signalled and keeps running', async () => {
    writeFileSync(CONFIG, `${witness(apiPort)}groups: [ {name: web\n`);
    const result = await execReload();
    assert.equal(result.status, EXIT.CONFIG_INVALID, result.stderr);
    assert.match(result.stderr, /vipd\.yaml:\d+:\d+: YAML syntax/);
    assert.match(result.stderr, /not signalling vipd \(pid \d+\)/);
    assert.deepEqual(reloadLines(), [], 'the node saw no SIGHUP');
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status, 200);
    // Both series exist from the start (at 0), and neither moved.
    const counts = await metrics();
    assert.match(counts, /vipd_config_reloads_total\{result="success"\} 0/);
    assert.match(counts, /vipd_config_reloads_total\{result="failure"\} 0/);
  });

  it('a change the node refuses (node.id needs a restart): exit 1, the running config stays', async () => {
    writeFileSync(CONFIG, witness(apiPort).replace('id: w1', 'id: w9'));
    const result = await execReload();
    assert.equal(result.status, EXIT.FAILURE, result.stderr);
    assert.match(result.stderr, /rejected .*kept its running configuration/);
    assert.match(await metrics(), /vipd_config_reloads_total\{result="failure"\} 1/);
    assert.equal((await fetch(`http://127.0.0.1:${apiPort}/readyz`)).status, 200);
  });

  it('a good config: exit 0 and the node applied it', async () => {
    writeFileSync(CONFIG, witness(apiPort, 'log: { level: debug }\n'));
    const result = await execReload();
    assert.equal(result.status, EXIT.OK, result.stderr);
    assert.match(result.stdout, /^vipd \(pid \d+\) reloaded /);
    assert.match(await metrics(), /vipd_config_reloads_total\{result="success"\} 1/);
    assert.ok(reloadLines().some((line) => line.includes('configuration reloaded')));
  });

  it('a MAINPID that is gone: exit 1 naming it', () => {
    const result = spawnSync(vipd, ['reload', '--config', CONFIG, '--pid', '2147483646'], {
      encoding: 'utf8',
      env: withoutVipdSecrets(process.env),
    });
    assert.equal(result.status, EXIT.FAILURE);
    assert.match(result.stderr, /cannot signal pid 2147483646: ESRCH/);
  });
});
