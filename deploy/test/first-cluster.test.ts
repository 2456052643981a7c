// docs/operations.md's "First cluster", run word for word: every code block marked
// `<!-- walkthrough … -->` is run, in order, on the nodes it names. Two routers are network
// namespaces on a bridge, each with a mount namespace whose /etc, /usr and /var are overlays
// (installed-host.ts), so the built .deb is installed with the doc's own `apt install` and its
// maintainer scripts run, without touching this machine's files. Three commands cannot run as
// written there and are done by the test instead, as the doc says: `scp` between the
// namespaces, `$EDITOR` writing the doc's file block in place, and `systemctl` — the installed
// unit's Exec*= lines run under its credentials and capabilities (unit-as-service.ts).
//
// Each step has an expectation below; a step added to the doc without one fails the test.
//
// run-tests: exclusive (its routers' /etc, /usr and /var lie over this machine's, so a package
// install running beside it, or a .deb rebuilt under it, would show through)

import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  rmSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  addressesOn,
  createSwitchedLab,
  netnsSkipReason,
  poll,
  waitForLine,
  type NetnsLab,
} from '@vipd/testkit';
import { parse as parseYaml } from 'yaml';
import { type CommandResult, InstalledHost } from './installed-host.js';
import { asService } from './unit-as-service.js';
import { parseUnitFile, type UnitFile, unitValue, unitValues, unitWords } from './unit-file.js';
import { buildDeb, type BuiltPackage } from '../src/debian/build-deb.js';
import { readManifest } from '../src/workspaces.js';
import { DEPLOY_DIR, DOCS_DIR, REPO_ROOT } from './vipd-cli.js';
import { shellCommands, tableRow, walkthroughSteps, type WalkthroughStep } from './walkthrough.js';

const UNIT_PATH = '/usr/lib/systemd/system/vipd.service';
const SHELL_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
};
const steps = walkthroughSteps(readFileSync(join(DOCS_DIR, 'operations.md'), 'utf8'));

/** What a .deb is built from: each workspace's last build, the unit and the Debian files. */
function packageInputs(): string[] {
  const builds = readdirSync(join(REPO_ROOT, 'packages')).map((name) =>
    join(REPO_ROOT, 'packages', name, 'dist', 'tsconfig.tsbuildinfo'),
  );
  const debian = readdirSync(join(DEPLOY_DIR, 'debian')).map((name) =>
    join(DEPLOY_DIR, 'debian', name),
  );
  const others = [
    join(DEPLOY_DIR, 'systemd', 'vipd.service'),
    join(REPO_ROOT, 'package-lock.json'),
  ];
  return [...builds, ...debian, ...others].filter((path) => existsSync(path));
}

/** The package under test: $VIPD_DEB, else dist/'s .deb of this version when it is newer than
 * everything it is built from, else a fresh `npm run package:deb` build. */
function packageUnderTest(): BuiltPackage {
  const given = process.env['VIPD_DEB'];
  if (given !== undefined) {
    const [, version = '', arch = ''] = /^vipd_([^_]+)_([^_.]+)\.deb$/.exec(basename(given)) ?? [];
    return { path: given, version, arch };
  }
  const version = readManifest(join(REPO_ROOT, 'packages', 'vipd')).version;
  const dist = join(REPO_ROOT, 'dist');
  const existing = existsSync(dist)
    ? readdirSync(dist).find((name) => name.startsWith(`vipd_${version}_`) && name.endsWith('.deb'))
    : undefined;
  if (existing !== undefined) {
    const builtMs = statSync(join(dist, existing)).mtimeMs;
    if (packageInputs().every((input) => statSync(input).mtimeMs <= builtMs)) {
      const arch = existing.replace(`vipd_${version}_`, '').replace(/\.deb$/, '');
      return { path: join(dist, existing), version, arch };
    }
  }
  return buildDeb(REPO_ROOT);
}

const TOOLS = [
  'nft',
  'setpriv',
  'nsenter',
  'unshare',
  'apt',
  'runuser',
  'dpkg-deb',
  'dpkg-shlibdeps',
];
const skip = netnsSkipReason(TOOLS);
const deb = skip === false ? packageUnderTest() : null;

/** A node started the way systemd would start the installed unit. */
interface Service {
  readonly unit: UnitFile;
  readonly process: ChildProcess;
  log: string;
}

describe('docs/operations.md "First cluster", run as written', { skip, timeout: 240_000 }, () => {
  let lab: NetnsLab;
  const hosts = new Map<string, InstalledHost>();
  const services = new Map<string, Service>();

  const host = (name: string): InstalledHost => {
    const found = hosts.get(name);
    if (found === undefined)
      throw new Error(`the walkthrough names node ${name}, which it never configures`);
    return found;
  };
  const service = (name: string): Service => {
    const found = services.get(name);
    if (found === undefined) throw new Error(`vipd is not running on ${name}`);
    return found;
  };
  const editorFile = (node: InstalledHost, path: string) =>
    join(node.dir, 'editor', path.replaceAll('/', '_'));
  const inside = (node: InstalledHost, command: string) =>
    node.exec(['sh', '-ec', command], { ...SHELL_ENV });

  // ---- what systemctl would do ----

  function unitUser(node: InstalledHost, unit: UnitFile) {
    const user = unitValue(unit, 'Service', 'User');
    const [, , uid = '', gid = '', , home = ''] = node
      .enterSync(['getent', 'passwd', user])
      .trim()
      .split(':');
    return { user, group: unitValue(unit, 'Service', 'Group'), uid, gid, home };
  }

  /** `systemctl enable --now vipd`: StateDirectory=/RuntimeDirectory=, ExecStartPre=, then ExecStart= until ready. */
  async function start(node: InstalledHost): Promise<CommandResult> {
    const unit = parseUnitFile(node.enterSync(['cat', UNIT_PATH]));
    const { user, group, home } = unitUser(node, unit);
    for (const [key, root] of [
      ['StateDirectory', '/var/lib'],
      ['RuntimeDirectory', '/run'],
    ] as const)
      for (const dir of unitWords(unit, 'Service', key))
        node.enterSync(['install', '-d', '-m', '0755', '-o', user, '-g', group, `${root}/${dir}`]);
    for (const line of unitValues(unit, 'Service', 'ExecStartPre')) {
      const pre = asService(unit, line, { home });
      const result = await node.exec(pre.argv, pre.env);
      if (result.status !== 0) return result;
    }
    const main = asService(unit, unitValue(unit, 'Service', 'ExecStart'), { home });
    const child = node.spawn(main.argv, main.env);
    const running: Service = { unit, process: child, log: '' };
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (running.log += chunk));
    lab.teardown.add(`stop vipd on ${node.name}`, () => child.kill('SIGKILL'));
    services.set(node.name, running);
    // Type=notify: systemctl returns at READY=1; without a NOTIFY_SOCKET, the ready log line.
    await waitForLine(child, /"event":"ready"/, 60_000);
    return { status: 0, stdout: '', stderr: '' };
  }

  /** `systemctl reload vipd`: ExecReload= with $MAINPID, as the service's user; its exit is systemctl's. */
  async function reload(node: InstalledHost): Promise<CommandResult> {
    const { unit, process: main } = service(node.name);
    const { home } = unitUser(node, unit);
    const line = unitValue(unit, 'Service', 'ExecReload');
    const command = asService(unit, line, { home, variables: { MAINPID: String(main.pid) } });
    return node.exec(command.argv, command.env);
  }

  /** `scp -p FROM:PATH PATH`: the bytes and the mode, owned by the receiving user (root). */
  async function copy(
    node: InstalledHost,
    from: string,
    source: string,
    target: string,
  ): Promise<CommandResult> {
    const bytes = host(from).enterSync(['base64', '-w0', source]);
    const mode = host(from).enterSync(['stat', '-c', '%a', source]).trim();
    return inside(node, `echo ${bytes} | base64 -d > ${target} && chmod ${mode} ${target}`);
  }

  // ---- running a step ----

  const INTERCEPTED: readonly [
    RegExp,
    (node: InstalledHost, match: RegExpExecArray) => Promise<CommandResult>,
  ][] = [
    [/^systemctl enable --now vipd$/, (node) => start(node)],
    [/^systemctl reload vipd$/, (node) => reload(node)],
    [/^scp -p (\w+):(\S+) (\S+)$/, (node, m) => copy(node, m[1] ?? '', m[2] ?? '', m[3] ?? '')],
  ];

  /** One node's share of a shell step: runs of plain commands go to `sh -e` (so `umask` holds
   * for the lines after it), intercepted ones to the test; stops at the first failure. */
  async function runOn(node: InstalledHost, body: string): Promise<CommandResult[]> {
    const results: CommandResult[] = [];
    let pending: string[] = [];
    const flush = async () => {
      if (pending.length === 0) return true;
      const env = { ...SHELL_ENV, EDITOR: join(node.dir, 'editor.sh') };
      const result = await node.exec(['sh', '-ec', pending.join('\n')], env);
      pending = [];
      results.push(result);
      return result.status === 0;
    };
    for (const command of shellCommands(body)) {
      const intercept = INTERCEPTED.map(
        ([pattern, act]) => [pattern.exec(command), act] as const,
      ).find(([m]) => m !== null);
      if (intercept === undefined) {
        pending.push(command);
        continue;
      }
      if (!(await flush())) return results;
      const [match, act] = intercept;
      if (match === null) continue;
      const result = await act(node, match);
      results.push(result);
      if (result.status !== 0) return results;
    }
    await flush();
    return results;
  }

  /** Runs a step on its nodes (in parallel: they are separate machines); file steps only
   * hand their content to each node's $EDITOR. */
  async function runStep(step: WalkthroughStep): Promise<Map<string, CommandResult[]>> {
    const nodes = step.on.map(host);
    if (step.file !== null) {
      for (const node of nodes) writeFileSync(editorFile(node, step.file), step.body);
      return new Map();
    }
    const results = await Promise.all(nodes.map((node) => runOn(node, step.body)));
    return new Map(step.on.map((name, i) => [name, results[i] ?? []]));
  }

  const ok = (results: Map<string, CommandResult[]>, what: string) => {
    for (const [name, list] of results)
      for (const r of list)
        assert.equal(
          r.status,
          0,
          `${what} on ${name}: exit ${String(r.status)}\n${r.stdout}${r.stderr}`,
        );
  };
  const output = (results: Map<string, CommandResult[]>, name: string) =>
    (results.get(name) ?? []).map((r) => r.stdout).join('');

  const vipctlStatus = async (name: string) => (await inside(host(name), 'vipctl status')).stdout;
  /** Whether `vipctl status` text shows the doc's group with `master` and this node in `state`. */
  const holds = (text: string, master: string, state: string) => {
    const row = tableRow(text, 'GROUP', group?.name ?? '');
    return row?.['MASTER'] === master && row['STATE'] === state;
  };
  const vipOn = (name: string, vip: string) => addressesOn(host(name).netns, 'eth0').includes(vip);
  /** Waits for what the kernel or the nodes do in their own time; on a timeout it says what
   * both nodes' `vipctl status` and logs showed last. Generous: the test machines are loaded. */
  const waitFor = (what: string, probe: () => boolean | Promise<boolean>) =>
    poll(what, probe, { timeoutMs: 60_000, intervalMs: 200, describe: () => lastSeen() });
  let lastStatus = '';
  const lastSeen = () =>
    `\nlast vipctl status:\n${lastStatus}\nlogs:\n${[...services]
      .map(([name, s]) => `${name}: ${s.log.split('\n').slice(-8).join('\n')}`)
      .join('\n')}`;

  // ---- the doc's layout, read from its own config blocks ----

  const configs = new Map(
    steps
      .filter((s) => s.file === '/etc/vipd/vipd.yaml')
      .flatMap((s) => s.on.map((name) => [name, parseYaml(s.body) as NodeYaml] as const)),
  );
  interface NodeYaml {
    node: { listen: string };
    groups: { name: string; addresses: string[] }[];
  }
  const group = [...configs.values()][0]?.groups[0];
  const vip = group?.addresses[0] ?? '';
  const prefix = vip.split('/')[1] ?? '24';

  const EXPECTATIONS: Record<
    string,
    (results: Map<string, CommandResult[]>) => Promise<void> | void
  > = {
    install: (results) => {
      ok(results, 'apt install');
      const version = deb?.version ?? '';
      for (const name of results.keys())
        assert.match(output(results, name), new RegExp(`^${version.replaceAll('.', '\\.')}$`, 'm'));
    },
    'cluster-key': (results) => {
      ok(results, 'keygen');
    },
    'copy-key': (results) => {
      ok(results, 'scp');
      const read = (name: string) => host(name).enterSync(['cat', '/etc/vipd/cluster.key']);
      assert.equal(read('n2'), read('n1'), 'both nodes hold the same cluster key');
    },
    secrets: (results) => {
      ok(results, 'token and ownership');
    },
    'config-n1': () => undefined,
    'config-n2': () => undefined,
    check: async (results) => {
      ok(results, 'vipd check as root and as vipd');
      for (const name of results.keys()) {
        const modes = host(name).enterSync([
          'stat',
          '-c',
          '%n %U:%G %a',
          '/etc/vipd',
          '/etc/vipd/vipd.yaml',
          '/etc/vipd/cluster.key',
          '/etc/vipd/api.token',
        ]);
        assert.equal(
          modes,
          [
            '/etc/vipd root:vipd 750',
            '/etc/vipd/vipd.yaml root:vipd 640',
            '/etc/vipd/cluster.key vipd:vipd 600',
            '/etc/vipd/api.token vipd:vipd 600',
            '',
          ].join('\n'),
        );
      }
      // A file root:root 0600 (an editor under umask 077): root's check now looks at it as user
      // vipd and names the fix; the check as vipd (the unit's ExecStartPre) fails the same way.
      const node = host('n1');
      const asRoot = await inside(
        node,
        'chmod 0600 /etc/vipd/vipd.yaml && chown root:root /etc/vipd/vipd.yaml && vipd check',
      );
      assert.equal(asRoot.status, 3, `vipd check as root: ${asRoot.stdout}${asRoot.stderr}`);
      assert.match(
        asRoot.stderr,
        /user vipd cannot read \/etc\/vipd\/vipd\.yaml .*; fix: chgrp vipd \/etc\/vipd\/vipd\.yaml && chmod g\+r \/etc\/vipd\/vipd\.yaml \[SERVICE_USER_ACCESS\]/,
      );
      const asVipd = await inside(node, 'runuser -u vipd -- vipd check');
      assert.equal(
        asVipd.status,
        3,
        `vipd check as vipd on an unreadable file: ${asVipd.stdout}${asVipd.stderr}`,
      );
      assert.match(asVipd.stdout + asVipd.stderr, /vipd\.yaml/);
      assert.equal(
        (
          await inside(
            node,
            'chown root:vipd /etc/vipd/vipd.yaml && chmod 0640 /etc/vipd/vipd.yaml',
          )
        ).status,
        0,
      );
    },
    'firewall-file': () => undefined,
    firewall: async (results) => {
      ok(results, 'nft');
      for (const name of results.keys()) {
        // Loading the file again (after editing the peers) replaces the rules instead of adding copies.
        assert.equal((await inside(host(name), 'nft -f /etc/vipd/heartbeat.nft')).status, 0);
        const table = host(name).enterSync(['nft', 'list', 'table', 'inet', 'vipd_heartbeat']);
        const rule = /l4proto \{ tcp, udp \} th dport 7410 ip saddr != @nodes drop/g;
        assert.equal(table.match(rule)?.length, 1, table);
      }
    },
    start: (results) => {
      ok(results, 'systemctl enable --now vipd');
    },
    status: async () => {
      // The doc's promise: n1 holds web with n2 up. Ask as the doc does until it converged.
      await waitFor('vipctl status on n1: web MASTER here, n2 up', async () => {
        const text = (await runOn(host('n1'), steps.find((s) => s.step === 'status')?.body ?? ''))
          .map((r) => r.stdout + r.stderr)
          .join('');
        lastStatus = text;
        return holds(text, 'n1', 'MASTER') && tableRow(text, 'PEER', 'n2')?.['UP'] === 'up';
      });
      assert.equal(vipOn('n1', vip), true, `${vip} on n1's eth0`);
      assert.equal(vipOn('n2', vip), false, `${vip} not on n2's eth0`);
    },
    takeover: async (results) => {
      ok(results, 'vipctl takeover');
      assert.ok(holds(output(results, 'n2'), 'n2', 'MASTER (forced)'), output(results, 'n2'));
      assert.equal(vipOn('n2', vip), true, `${vip} on n2 once takeover returned`);
      await waitFor(`${vip} gone from n1`, () => !vipOn('n1', vip));
      // Pinned: n1's higher priority does not take it back.
      const onN1 = await vipctlStatus('n1');
      assert.ok(holds(onN1, 'n2', 'BACKUP'), onN1);
    },
    release: async (results) => {
      ok(results, 'vipctl release');
      assert.equal(vipOn('n2', vip), false, `${vip} gone from n2 once release returned`);
      await waitFor(`${vip} back on n1`, () => vipOn('n1', vip));
      const onN1 = await vipctlStatus('n1');
      assert.ok(holds(onN1, 'n1', 'MASTER'), onN1);
    },
    reload: (results) => {
      ok(results, 'edit, check, systemctl reload');
      assert.match(output(results, 'n1'), /reloaded/);
      assert.ok(
        service('n1').log.includes('configuration reloaded'),
        'the node applied the change',
      );
    },
  };

  before(async () => {
    lab = createSwitchedLab('vwalk');
    const scratch = join(tmpdir(), `vipd-walk-${lab.runId}`);
    mkdirSync(scratch);
    lab.teardown.add(`remove ${scratch}`, () => {
      rmSync(scratch, { recursive: true, force: true });
    });
    for (const [name, config] of configs) {
      const address = `${config.node.listen.replace(/:\d+$/, '')}/${prefix}`;
      const node = await InstalledHost.create(lab, name, address, join(scratch, name));
      mkdirSync(join(node.dir, 'editor'));
      // Like vi or nano: writes the file in place, so its owner and mode stay.
      writeFileSync(
        join(node.dir, 'editor.sh'),
        `#!/bin/sh\nset -e\ncat "${join(node.dir, 'editor')}/$(printf %s "$1" | tr / _)" > "$1"\n`,
        { mode: 0o755 },
      );
      copyFileSync(deb?.path ?? '', join(node.dir, basename(deb?.path ?? '')));
      hosts.set(name, node);
    }
  });
  after(() => {
    const failures = lab.destroy();
    assert.deepEqual(failures, [], 'teardown');
  });

  it('every walkthrough step has an expectation here', () => {
    assert.deepEqual(steps.map((s) => s.step).sort(), Object.keys(EXPECTATIONS).sort());
    assert.ok(vip !== '' && configs.size === 2, 'two nodes and a VIP in the doc');
  });

  for (const step of steps)
    it(`step ${step.step} on ${step.on.join(', ')}`, async () => {
      if (step.step === 'reload') await brokenReloadLeavesNodeAlone();
      const expect = EXPECTATIONS[step.step];
      assert.ok(expect !== undefined, `no expectation for walkthrough step ${step.step}`);
      await expect(await runStep(step));
    });

  /** Before the doc's reload: a broken file (the check skipped) fails `systemctl reload` with
   * exit 3 and leaves the running node as it was: same process, still master, VIP in place,
   * no reload attempted. Then the doc's own step runs with a good edit. */
  async function brokenReloadLeavesNodeAlone(): Promise<void> {
    const node = host('n1');
    const running = service('n1');
    const good = readFileSync(editorFile(node, '/etc/vipd/vipd.yaml'), 'utf8');
    writeFileSync(editorFile(node, '/etc/vipd/vipd.yaml'), `${good}groups: [ {name: web\n`);
    assert.equal(
      (await inside(node, `"${join(node.dir, 'editor.sh')}" /etc/vipd/vipd.yaml`)).status,
      0,
    );
    const broken = await reload(node);
    assert.equal(broken.status, 3, `ExecReload on a broken file: ${broken.stdout}${broken.stderr}`);
    assert.match(broken.stderr, /vipd\.yaml:\d+:\d+/);
    assert.match(broken.stderr, /not signalling vipd \(pid \d+\)/);
    assert.equal(running.process.exitCode, null, 'the node still runs');
    assert.doesNotMatch(running.log, /SIGHUP|reload/, 'the node saw no reload');
    // vipctl reads the same file, so it names the problem; --api reaches the node without it.
    assert.equal((await inside(node, 'vipctl status')).status, 3);
    const status = await inside(node, 'vipctl --api http://127.0.0.1:7411 status');
    assert.ok(holds(status.stdout, 'n1', 'MASTER'), status.stdout);
    assert.equal(vipOn('n1', vip), true);
    // The doc's edit for step 9: a change a reload applies (more logging).
    writeFileSync(editorFile(node, '/etc/vipd/vipd.yaml'), `${good}log:\n  level: debug\n`);
  }
});
