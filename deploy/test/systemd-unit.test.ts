// deploy/systemd/vipd.service: the hardening the issue asks for is really in the file, and
// systemd itself (systemd-analyze verify) accepts it with the binary path pointing at the
// built vipd CLI, whose sub-commands the unit calls do exist.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  EXIT,
  NO_RESTART_EXITS,
  parseConfig,
  startFailureExit,
  stopBudget,
  stopTiming,
} from '@vipd/vipd';
import { parseTimeSpanMs, parseUnitFile, unitValue, unitValues, unitWords } from './unit-file.js';
import { builtVipdWrapper, DEPLOY_DIR, findTool, runVipd } from './vipd-cli.js';

const UNIT_PATH = join(DEPLOY_DIR, 'systemd', 'vipd.service');
const UNIT_TEXT = readFileSync(UNIT_PATH, 'utf8');
const unit = parseUnitFile(UNIT_TEXT);
const INSTALLED_BINARY = '/usr/bin/vipd';
const S = 'Service';

const systemdAnalyze = findTool('systemd-analyze');
const scratch = mkdtempSync(join(tmpdir(), 'vipd-unit-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The unit as installed, but running the vipd CLI built in this tree. */
function unitWithBuiltBinary(): string {
  return UNIT_TEXT.replaceAll(INSTALLED_BINARY, builtVipdWrapper(scratch));
}

function verify(text: string, name: string): { status: number | null; complaints: string[] } {
  const dir = mkdtempSync(join(scratch, 'verify-'));
  const file = join(dir, name);
  writeFileSync(file, text);
  const result = spawnSync(systemdAnalyze ?? 'systemd-analyze', ['verify', file], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  // verify exits 0 on unknown keys and bad values ("…, ignoring") but prints them; any line
  // about our unit is a complaint.
  const complaints = `${result.stdout}${result.stderr}`
    .split('\n')
    .filter((line) => line.includes(name));
  return { status: result.status, complaints };
}

describe('deploy/systemd/vipd.service', () => {
  it('runs as a dedicated user with only CAP_NET_ADMIN and CAP_NET_RAW, ambient and bounding', () => {
    const user = unitValue(unit, S, 'User');
    assert.notEqual(user, 'root');
    assert.notEqual(user, '');
    const wanted = new Set(['CAP_NET_ADMIN', 'CAP_NET_RAW']);
    assert.deepEqual(unitWords(unit, S, 'AmbientCapabilities'), wanted);
    assert.deepEqual(unitWords(unit, S, 'CapabilityBoundingSet'), wanted);
    assert.equal(unitValue(unit, S, 'NoNewPrivileges'), 'yes');
  });

  it('is hardened: read-only system, no home, private /tmp, only the address families vipd uses', () => {
    assert.equal(unitValue(unit, S, 'ProtectSystem'), 'strict');
    assert.equal(unitValue(unit, S, 'ProtectHome'), 'yes');
    assert.equal(unitValue(unit, S, 'PrivateTmp'), 'yes');
    // INET/INET6: heartbeats and API; NETLINK: addresses and link state; PACKET: ARP/NA;
    // UNIX: hooks' pipes and the journal. Nothing else.
    assert.deepEqual(
      unitWords(unit, S, 'RestrictAddressFamilies'),
      new Set(['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_PACKET', 'AF_UNIX']),
    );
  });

  it('is Type=notify, accepting the readiness messages vipd sends through systemd-notify', () => {
    assert.equal(unitValue(unit, S, 'Type'), 'notify');
    // The sender is a systemd-notify child, not the main process.
    assert.equal(unitValue(unit, S, 'NotifyAccess'), 'all');
    assert.ok(unitWords(unit, S, 'RestrictAddressFamilies').has('AF_UNIX'), 'NOTIFY_SOCKET');
  });

  it('restarts on failure, reloads through `vipd reload` and removes VIPs after stop', () => {
    assert.equal(unitValue(unit, S, 'Restart'), 'on-failure');
    const config = '--config /etc/vipd/vipd.yaml';
    assert.equal(
      unitValue(unit, S, 'ExecReload'),
      `${INSTALLED_BINARY} reload ${config} --pid $MAINPID`,
    );
    assert.equal(unitValue(unit, S, 'ExecStart'), `${INSTALLED_BINARY} run ${config}`);
    assert.equal(unitValue(unit, S, 'ExecStopPost'), `${INSTALLED_BINARY} cleanup ${config}`);
    assert.deepEqual(unitValues(unit, S, 'ExecStartPre'), [`${INSTALLED_BINARY} check ${config}`]);
  });

  it('does not restart on statuses a restart cannot fix (config, capability, kernel)', () => {
    const prevented = [...unitWords(unit, S, 'RestartPreventExitStatus')].map(Number).sort();
    assert.deepEqual(prevented, [...NO_RESTART_EXITS].sort());
    assert.equal(startFailureExit('ADDRESS_MARK_UNSUPPORTED'), EXIT.KERNEL_UNSUPPORTED);
    assert.equal(startFailureExit('LISTEN_FAILED'), EXIT.FAILURE);
    assert.ok(!prevented.includes(EXIT.FAILURE), 'a crash must still be restarted');
  });

  it('TimeoutStopSec covers the worst-case stop computed from the code (default timing, one hook, real-server role)', () => {
    // Defaults come from the schema: no timing key is set here.
    const { config } = parseConfig(
      `node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { peers: [{ id: n2, address: 127.0.0.2:7410 }] }
notify: { scripts: [/bin/true] }
groups: [{ name: web, interface: eth0, addresses: [10.213.0.100/24], priority: 150 }]
realserver: { vips: [10.213.0.200], interfaces: [eth0] }
`,
      '/etc/vipd/vipd.yaml',
      { env: { VIPD_CLUSTER_KEY: 'k'.repeat(32), VIPD_API_TOKEN: 't'.repeat(24) } },
    );
    const budget = stopBudget(stopTiming(config));
    assert.equal(budget.hooksMs, config.notifyTimeoutMs, 'one script per transition');
    assert.ok(budget.realServerMs > 0, 'the real-server role is counted');
    const timeoutStopMs = parseTimeSpanMs(unitValue(unit, S, 'TimeoutStopSec'));
    assert.ok(
      timeoutStopMs >= budget.totalMs,
      `TimeoutStopSec ${timeoutStopMs} ms < worst-case stop ${budget.totalMs} ms (${JSON.stringify(budget)})`,
    );
    // The sum the unit's comment shows is the one the code computes.
    const shown = /^#\s+=\s*([\d.]+) s$/m.exec(UNIT_TEXT);
    assert.equal(Number(shown?.[1]) * 1000, budget.totalMs, 'the comment above TimeoutStopSec');
  });

  it('calls only sub-commands the built vipd CLI has (run, check, reload, cleanup)', () => {
    const help = runVipd(['--help']);
    assert.equal(help.status, 0, help.stderr);
    for (const command of ['run', 'check', 'reload', 'cleanup']) {
      assert.match(help.stdout, new RegExp(`^\\s+${command}\\b`, 'm'), `vipd ${command}`);
    }
  });

  it(
    'passes systemd-analyze verify with ExecStart pointing at the built CLI',
    { skip: systemdAnalyze === null ? 'systemd-analyze is not installed' : false },
    () => {
      const result = verify(unitWithBuiltBinary(), 'vipd.service');
      assert.deepEqual(result.complaints, []);
      assert.equal(result.status, 0);
    },
  );

  it(
    'the verify check catches a bad directive and a missing binary (negative control)',
    { skip: systemdAnalyze === null ? 'systemd-analyze is not installed' : false },
    () => {
      const badValue = verify(
        unitWithBuiltBinary().replace('ProtectSystem=strict', 'ProtectSystem=sometimes'),
        'vipd-bad-value.service',
      );
      assert.ok(
        badValue.complaints.some((line) => /protect system/i.test(line)),
        badValue.complaints.join('\n'),
      );
      const absent = join(scratch, 'no-such-vipd');
      const missing = verify(
        UNIT_TEXT.replaceAll(INSTALLED_BINARY, absent),
        'vipd-missing-binary.service',
      );
      assert.notEqual(missing.status, 0);
      assert.ok(missing.complaints.some((line) => line.includes(absent)));
    },
  );

  it(
    'scores "OK" or better in systemd-analyze security --offline',
    { skip: systemdAnalyze === null ? 'systemd-analyze is not installed' : false },
    (t) => {
      const dir = mkdtempSync(join(scratch, 'security-'));
      const file = join(dir, 'vipd.service');
      writeFileSync(file, unitWithBuiltBinary());
      const result = spawnSync(
        systemdAnalyze ?? 'systemd-analyze',
        ['security', '--offline=yes', '--no-pager', file],
        { encoding: 'utf8', timeout: 30_000 },
      );
      const overall = /Overall exposure level for \S+: ([\d.]+) (\w+)/.exec(result.stdout);
      assert.ok(overall?.[1] !== undefined, `${result.stdout}${result.stderr}`);
      t.diagnostic(`systemd-analyze security: exposure ${overall[1]} ${overall[2] ?? ''}`);
      // systemd's scale: < 2 SAFE, < 5 OK (then MEDIUM, EXPOSED, UNSAFE).
      assert.ok(Number(overall[1]) < 5, `exposure ${overall[1]}`);
    },
  );
});
