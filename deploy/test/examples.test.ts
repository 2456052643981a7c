// deploy/examples: every node's file passes the real `vipd check --offline` (run as a process
// on a copy of the example with freshly generated key and token files; offline because the
// addresses are the example's, not this machine's), without warnings; the files of one example
// describe one coherent cluster, and `vipd check --cluster` agrees; and the set covers what
// the issue asks for (pair, pair + witness with quorum, 3 nodes active/active, IPv6, direct
// routing, routed mode over BGP).

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { DEPLOY_DIR, vipdCliPath, withoutVipdSecrets } from './vipd-cli.js';

const EXAMPLES_DIR = join(DEPLOY_DIR, 'examples');
const SECRET_FILES = ['cluster.key', 'api.token'];

const exampleDirs = readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function nodeFiles(example: string): string[] {
  return readdirSync(join(EXAMPLES_DIR, example))
    .filter((name) => name.endsWith('.yaml'))
    .sort();
}

const scratch = mkdtempSync(join(tmpdir(), 'vipd-examples-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** A copy of the example; with `secrets`, fresh random key and token files (mode 0600). */
function copyExample(example: string, secrets: boolean): string {
  const dir = mkdtempSync(join(scratch, `${example}-`));
  cpSync(join(EXAMPLES_DIR, example), dir, { recursive: true });
  if (secrets) {
    for (const name of SECRET_FILES) {
      writeFileSync(join(dir, name), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    }
  }
  return dir;
}

interface CheckResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function vipdCheck(configFile: string, json: boolean): Promise<CheckResult> {
  return vipd(['check', '--offline', '--config', configFile, ...(json ? ['--json'] : [])]);
}

function vipd(cliArgs: readonly string[]): Promise<CheckResult> {
  const args = [vipdCliPath(), ...cliArgs];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, {
      env: withoutVipdSecrets(process.env),
      timeout: 30_000,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (status) => {
      resolve({ status, stdout, stderr });
    });
  });
}

// ---- what the files say (read as plain YAML: the documented keys) ----

interface RawNode {
  readonly file: string;
  readonly node: { id: string; listen: string };
  readonly cluster: {
    name?: string;
    key_file?: string;
    heartbeat_interval?: string;
    down_multiplier?: number;
    quorum?: boolean;
    peers?: { id: string; address: string }[];
  };
  readonly groups?: {
    name: string;
    interface?: string;
    routed?: { table?: number };
    addresses: string[];
    priority?: number;
    sync_group?: string;
  }[];
  readonly realserver?: { vips: string[]; interfaces: string[] };
}

function readExample(example: string): RawNode[] {
  return nodeFiles(example).map((file) => ({
    file,
    ...(parse(readFileSync(join(EXAMPLES_DIR, example, file), 'utf8')) as Omit<RawNode, 'file'>),
  }));
}

const withoutPrefix = (address: string) => address.replace(/\/\d+$/, '');

/** Map.groupBy arrives with ES2024; Node 20 with ES2023 typings has not got it. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}

/** Every node file checked once, a few processes at a time (each one loads the CLI). */
async function checkAll(): Promise<Map<string, CheckResult>> {
  const jobs = exampleDirs.flatMap((example) =>
    nodeFiles(example).map((file) => ({ example, file })),
  );
  const results = new Map<string, CheckResult>();
  const worker = async () => {
    for (let job = jobs.shift(); job !== undefined; job = jobs.shift()) {
      const dir = copyExample(job.example, true);
      results.set(`${job.example}/${job.file}`, await vipdCheck(join(dir, job.file), true));
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  return results;
}

describe('deploy/examples', () => {
  let checks: Map<string, CheckResult>;
  before(async () => {
    checks = await checkAll();
  });

  it('has the examples the issue asks for', () => {
    assert.deepEqual(exampleDirs, [
      'active-active',
      'direct-routing',
      'ipv6',
      'pair-witness',
      'routed',
      'router-pair',
    ]);
    const all = new Map(exampleDirs.map((dir) => [dir, readExample(dir)]));
    const members = (dir: string) => (all.get(dir) ?? []).filter((n) => n.realserver === undefined);

    assert.equal(members('router-pair').length, 2);

    const witnessed = members('pair-witness');
    assert.equal(witnessed.length, 3);
    assert.equal(witnessed.filter((n) => (n.groups ?? []).length === 0).length, 1, 'one witness');
    assert.ok(
      witnessed.every((n) => n.cluster.quorum === true),
      'quorum guard on every node',
    );

    // Active/active: 3 nodes, several groups, each group's best priority on another node.
    const ring = members('active-active');
    assert.equal(ring.length, 3);
    const groupNames = new Set(ring.flatMap((n) => (n.groups ?? []).map((g) => g.name)));
    assert.ok(groupNames.size >= 2);
    const masters = [...groupNames].map((group) => {
      const best = ring
        .map((n) => ({
          id: n.node.id,
          priority: n.groups?.find((g) => g.name === group)?.priority,
        }))
        .sort((a, b) => (b.priority ?? 0) - (a.priority ?? 0))[0];
      return best?.id;
    });
    assert.equal(new Set(masters).size, ring.length, `masters per group: ${masters.join(', ')}`);

    const v6 = members('ipv6');
    assert.ok(
      v6.every((n) => n.node.listen.startsWith('[')),
      'heartbeats over IPv6',
    );
    assert.ok(
      v6.some((n) => (n.groups ?? []).some((g) => g.addresses.every((a) => a.includes(':')))),
      'an IPv6-only group',
    );

    const dr = all.get('direct-routing') ?? [];
    assert.equal(dr.filter((n) => n.realserver !== undefined).length, 2, 'two real servers');
    assert.equal(members('direct-routing').length, 2, 'two directors');

    // Routed mode: nodes on different subnets, host-route VIPs announced from table 250.
    const routed = members('routed');
    assert.equal(routed.length, 2);
    for (const n of routed) {
      for (const g of n.groups ?? []) {
        assert.deepEqual(g.routed, { table: 250 }, `${n.file}: ${g.name} is routed`);
        assert.equal(g.interface, undefined, `${n.file}: a routed group needs no interface`);
        assert.ok(g.addresses.every((a) => a.endsWith('/32') || a.endsWith('/128')));
      }
    }
  });

  for (const example of exampleDirs) {
    describe(example, () => {
      it('describes one coherent cluster per cluster name', () => {
        const nodes = readExample(example);
        // Real servers take part in no election: they have no peers of their own.
        const members = nodes.filter((n) => n.realserver === undefined);
        const clusters = groupBy(members, (n) => n.cluster.name ?? 'vipd');
        for (const [name, cluster] of clusters) {
          const listenOf = new Map(cluster.map((n) => [n.node.id, n.node.listen]));
          assert.equal(listenOf.size, cluster.length, `${name}: node ids are unique`);
          for (const n of cluster) {
            const peers = new Map((n.cluster.peers ?? []).map((p) => [p.id, p.address]));
            const others = new Map([...listenOf].filter(([id]) => id !== n.node.id));
            assert.deepEqual(
              peers,
              others,
              `${n.file}: peers are the other nodes' listen addresses`,
            );
            for (const key of [
              'key_file',
              'heartbeat_interval',
              'down_multiplier',
              'quorum',
            ] as const)
              assert.equal(n.cluster[key], cluster[0]?.cluster[key], `${n.file}: cluster.${key}`);
          }
          // A group is the same set of VIPs everywhere, with distinct priorities.
          const groups = groupBy(
            cluster.flatMap((n) => (n.groups ?? []).map((g) => ({ node: n.file, ...g }))),
            (g) => g.name,
          );
          for (const [group, copies] of groups) {
            for (const copy of copies) {
              assert.deepEqual(copy.addresses, copies[0]?.addresses, `${copy.node}: ${group} VIPs`);
              assert.equal(copy.sync_group, copies[0]?.sync_group, `${copy.node}: ${group} sync`);
            }
            const priorities = copies.map((c) => c.priority ?? 100);
            assert.equal(
              new Set(priorities).size,
              priorities.length,
              `${group}: ${priorities.join(', ')}`,
            );
          }
        }
        // Real servers hide exactly the directors' VIPs.
        const directorVips = new Set(
          nodes.flatMap((n) => (n.groups ?? []).flatMap((g) => g.addresses.map(withoutPrefix))),
        );
        for (const n of nodes.filter((node) => node.realserver !== undefined)) {
          assert.deepEqual(new Set(n.realserver?.vips), directorVips, `${n.file}: realserver.vips`);
        }
      });

      for (const file of nodeFiles(example)) {
        it(`vipd check --config ${file} passes without warnings`, () => {
          const result = checks.get(`${example}/${file}`);
          assert.ok(result !== undefined);
          assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
          const report = JSON.parse(result.stdout) as { valid: boolean; warnings: unknown[] };
          assert.equal(report.valid, true);
          assert.deepEqual(report.warnings, []);
        });
      }

      it('vipd check --cluster finds nothing to report across its files', async () => {
        const dir = copyExample(example, true);
        const result = await vipd([
          'check',
          '--cluster',
          ...nodeFiles(example).map((f) => join(dir, f)),
        ]);
        assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
        assert.match(result.stdout, /\nOK: the files agree\n$/);
      });

      it('fails vipd check without its key files (the check reads them)', async () => {
        const file = nodeFiles(example)[0] ?? '';
        const dir = copyExample(example, false);
        const result = await vipdCheck(join(dir, file), false);
        assert.equal(result.status, 3, `${result.stdout}${result.stderr}`);
        assert.match(
          result.stderr,
          /cluster\.key_file: cluster key file .*cluster\.key does not exist/,
        );
      });
    });
  }

  it("the README's config example passes vipd check too", async () => {
    const readme = readFileSync(join(DEPLOY_DIR, '..', 'README.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(readme)?.[1];
    assert.ok(example !== undefined, 'README.md has no yaml block');
    const dir = mkdtempSync(join(scratch, 'readme-'));
    for (const name of SECRET_FILES)
      writeFileSync(join(dir, name), `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    writeFileSync(join(dir, 'vipd.yaml'), example);
    const result = await vipdCheck(join(dir, 'vipd.yaml'), true);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.ok(example.trim().split('\n').length <= 10, 'the README example stays at 10 lines');
  });

  it('ships no key or token: operators generate their own', () => {
    for (const example of exampleDirs) {
      for (const name of SECRET_FILES) {
        assert.ok(
          !readdirSync(join(EXAMPLES_DIR, example)).includes(name),
          `${example}/${name} must not be committed`,
        );
      }
    }
  });
});
