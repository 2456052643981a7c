import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command } from 'commander';
import { buildRealServerCommand } from '../src/realserver/cli.js';
import { parseRealServerSection } from '../src/realserver/config.js';
import type { RealServerReport } from '../src/realserver/types.js';
import { config, fakeHost, VIP4, VIP6 } from './realserver-fixtures.js';
import type { FakeHost } from './realserver-fixtures.js';

interface Run {
  readonly exitCode: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly configPath: unknown;
}

async function vipd(host: FakeHost, args: string[], section?: unknown): Promise<Run> {
  let stdout = '';
  let stderr = '';
  let exitCode: number | undefined;
  let configPath: unknown;
  const program = new Command('vipd').option('-c, --config <path>').exitOverride();
  program.addCommand(
    buildRealServerCommand({
      loadConfig: (globals) => {
        configPath = globals['config'];
        return Promise.resolve(section === undefined ? config() : parseRealServerSection(section));
      },
      deps: () => host.deps,
      write: (text) => (stdout += text),
      writeError: (text) => (stderr += text),
      setExitCode: (code) => (exitCode = code),
    }),
  );
  await program.parseAsync(['-c', '/etc/vipd/vipd.yaml', 'realserver', ...args], { from: 'user' });
  return { exitCode, stdout, stderr, configPath };
}

describe('vipd realserver', () => {
  it('check exits 1 with a readable report when VIPs are not hidden', async () => {
    const host = fakeHost();
    const run = await vipd(host, ['check']);
    assert.equal(run.exitCode, 1);
    assert.equal(run.configPath, '/etc/vipd/vipd.yaml');
    assert.match(run.stdout, /^realserver: NOT OK — 0 of 2 VIPs hidden, 4 problem\(s\)$/m);
    assert.match(run.stdout, new RegExp(`^  NOT HIDDEN  ${VIP4}  not on lo$`, 'm'));
    assert.match(run.stdout, /✗ arp_ignore_too_low: arp_ignore on eth0 is 0 \(all 0, eth0 0\)/);
    assert.match(run.stdout, /interface eth0: arp_ignore 0 \(all 0, eth0 0\)/);
  });

  it('apply then check --json exit 0 with the report as JSON', async () => {
    const host = fakeHost();
    const applied = await vipd(host, ['apply']);
    assert.equal(applied.exitCode, 0);
    assert.match(applied.stdout, /^realserver apply: 4 change\(s\)$/m);
    assert.match(applied.stdout, /set_sysctl net\/ipv4\/conf\/eth0\/arp_ignore 0 → 1/);
    const run = await vipd(host, ['check', '--json']);
    assert.equal(run.exitCode, 0);
    const report = JSON.parse(run.stdout) as RealServerReport;
    assert.equal(report.ok, true);
    assert.deepEqual(
      report.vips.map((v) => v.vip),
      [VIP4, VIP6],
    );
  });

  it('remove undoes apply', async () => {
    const host = fakeHost();
    await vipd(host, ['apply']);
    const run = await vipd(host, ['remove', '--json']);
    assert.equal(run.exitCode, 0);
    const result = JSON.parse(run.stdout) as { changes: unknown[] };
    assert.equal(result.changes.length, 4);
    assert.equal((await vipd(host, ['check'])).exitCode, 1);
  });

  it('a bad config exits 2 with the error code, as JSON too', async () => {
    const host = fakeHost();
    const run = await vipd(host, ['check', '--json'], { vips: ['nope'], interfaces: ['eth0'] });
    assert.equal(run.exitCode, 2);
    const body = JSON.parse(run.stdout) as { error: { code: string; message: string } };
    assert.equal(body.error.code, 'REALSERVER_CONFIG_INVALID');
    assert.match(run.stderr, /^vipd realserver check: REALSERVER_CONFIG_INVALID: realserver\.vips/);
  });
});
