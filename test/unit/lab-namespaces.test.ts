import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Lab, withLab, type LabHost } from '../src/lab.js';
import { labSupport } from '@vipd/testkit';

const support = labSupport();
const skip = support.ok ? false : `needs root: ${support.reason}`;

function netnsList(): string {
  return spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout;
}

/** How many of `count` pings from `from` to `to` were answered (5 ms apart, 300 ms deadline each). */
function answered(_lab: Lab, from: LabHost, to: string, count = 5): Promise<number> {
  const argv = [
    'netns',
    'exec',
    from.netns,
    'ping',
    '-n',
    '-q',
    '-c',
    String(count),
    '-i',
    '0.005',
    '-W',
    '0.3',
    to,
  ];
  // ping exits 1 when replies are missing; its summary line is on stdout either way.
  return new Promise((resolve) => {
    execFile('ip', argv, (_error, stdout) => {
      resolve(Number(/(\d+) received/.exec(stdout)?.[1] ?? 0));
    });
  });
}

/** Forgets failed neighbour entries, which Linux would otherwise keep for a while. */
async function flushNeighbours(lab: Lab, hosts: readonly LabHost[]): Promise<void> {
  for (const host of hosts) await lab.exec(host, ['ip', 'neigh', 'flush', 'dev', host.interface]);
}

describe('lab on real network namespaces', { skip }, () => {
  it('builds a LAN where every host reaches every other over IPv4 and IPv6, then removes it all', async () => {
    let runId = '';
    let runDir = '';
    let sleeper: Promise<unknown> = Promise.resolve();
    await withLab({ nodes: 3 }, async (lab) => {
      runId = lab.runId;
      runDir = lab.runDir;
      const names = netnsList();
      for (const host of [...lab.nodes, lab.client])
        assert.ok(names.includes(host.netns), host.netns);
      assert.ok(names.includes(lab.bridgeNetns));
      const [n1, n2] = lab.nodes as [LabHost, LabHost];
      assert.equal(await answered(lab, lab.client, n1.ipv4, 2), 2);
      assert.equal(await answered(lab, lab.client, n2.ipv6, 2), 2);
      assert.equal(await answered(lab, n1, n2.ipv4, 2), 2);
      const { stdout } = await lab.exec(n1, ['ip', '-br', 'link', 'show', 'eth0']);
      assert.match(stdout, new RegExp(n1.mac));
      sleeper = lab.spawn(n2, ['sleep', '60'], { name: 'sleeper' }).exited;
    });
    assert.ok(!netnsList().includes(`vl${runId}`), 'namespaces removed');
    assert.ok(!existsSync(runDir), 'run directory removed');
    const exit = await Promise.race([
      sleeper,
      new Promise((resolve) => setTimeout(resolve, 5_000, 'still running')),
    ]);
    assert.deepEqual(exit, { code: null, signal: 'SIGKILL' }, 'process inside the lab killed');
  });

  it('silences a node without touching its carrier, and revives it', async () => {
    await withLab({ nodes: 2 }, async (lab) => {
      const [n1, n2] = lab.nodes as [LabHost, LabHost];
      await lab.faults.silence(n1);
      assert.equal(await answered(lab, lab.client, n1.ipv4, 3), 0);
      assert.equal(await answered(lab, n2, n1.ipv4, 3), 0);
      const { stdout } = await lab.exec(n1, ['ip', '-br', 'link', 'show', 'eth0']);
      assert.match(stdout, /\bUP\b/);
      assert.doesNotMatch(stdout, /NO-CARRIER/);
      assert.equal(await answered(lab, lab.client, n2.ipv4, 2), 2);
      await lab.faults.revive(n1);
      await flushNeighbours(lab, [lab.client]);
      assert.equal(await answered(lab, lab.client, n1.ipv4, 2), 2);
    });
  });

  it('takes the carrier away on a link flap', async () => {
    await withLab({ nodes: 1 }, async (lab) => {
      const [n1] = lab.nodes as [LabHost];
      await lab.faults.setLink(n1, false);
      const down = await lab.exec(n1, ['ip', '-br', 'link', 'show', 'eth0']);
      assert.match(down.stdout, /NO-CARRIER|LOWERLAYERDOWN/);
      await lab.faults.flapLink(n1, { downMs: 10, upMs: 10, times: 2 });
      const up = await lab.exec(n1, ['ip', '-br', 'link', 'show', 'eth0']);
      assert.doesNotMatch(up.stdout, /NO-CARRIER/);
    });
  });

  it('partitions nodes symmetrically and one way while the client still reaches both', async () => {
    await withLab({ nodes: 3 }, async (lab) => {
      const [n1, n2, n3] = lab.nodes as [LabHost, LabHost, LabHost];
      await lab.faults.partition([n1], [n2, n3]);
      assert.equal(await answered(lab, n1, n2.ipv4, 2), 0);
      assert.equal(await answered(lab, n3, n1.ipv4, 2), 0);
      assert.equal(await answered(lab, n2, n3.ipv4, 2), 2);
      assert.equal(await answered(lab, lab.client, n1.ipv4, 2), 2);
      await lab.faults.heal();
      await flushNeighbours(lab, [n1, n2, n3]);
      assert.equal(await answered(lab, n1, n2.ipv4, 2), 2);
      // One way: n1's frames to n2 are cut, n2's to n1 pass. With static neighbour entries
      // (no ARP, which would need both ways), n2's echo requests reach n1 (n1 counts
      // them) while every reply is cut.
      await lab.faults.partition([n1], [n2], { oneWay: true });
      await lab.exec(n1, ['ip', 'neigh', 'replace', n2.ipv4, 'lladdr', n2.mac, 'dev', 'eth0']);
      await lab.exec(n2, ['ip', 'neigh', 'replace', n1.ipv4, 'lladdr', n1.mac, 'dev', 'eth0']);
      assert.equal(await answered(lab, n1, n2.ipv4, 2), 0);
      const before = await icmpInEchos(lab, n1);
      assert.equal(await answered(lab, n2, n1.ipv4, 3), 0, 'the replies n1 → n2 are cut');
      assert.equal((await icmpInEchos(lab, n1)) - before, 3, 'the requests n2 → n1 are delivered');
    });
  });

  it('drops about the requested share of frames', async () => {
    await withLab({ nodes: 1 }, async (lab) => {
      const [n1] = lab.nodes as [LabHost];
      await answered(lab, lab.client, n1.ipv4, 1); // resolve ARP before the loss starts
      await lab.faults.setLoss(n1, 50, 'from-host');
      const got = await answered(lab, lab.client, n1.ipv4, 200);
      // Binomial(200, 0.5): outside 60..140 has probability < 1e-8.
      assert.ok(got > 60 && got < 140, `answered ${got} of 200`);
      await lab.faults.clearLoss();
      assert.equal(await answered(lab, lab.client, n1.ipv4, 20), 20);
    });
  });

  it('removes its namespaces when the process that built it is terminated', () => {
    const module = fileURLToPath(new URL('../src/lab.js', import.meta.url));
    const script = `
      const { Lab } = await import(${JSON.stringify(module)});
      const lab = await Lab.create({ nodes: 1 });
      process.stdout.write(lab.runId);
      process.kill(process.pid, 'SIGTERM');
      setTimeout(() => {}, 10000);
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.match(result.stdout, /^[0-9a-f]{6}$/);
    assert.equal(result.status, 143);
    assert.ok(!netnsList().includes(`vl${result.stdout}`), netnsList());
  });
});

async function icmpInEchos(lab: Lab, host: LabHost): Promise<number> {
  const { stdout } = await lab.exec(host, ['cat', '/proc/net/snmp']);
  const lines = stdout.split('\n').filter((l) => l.startsWith('Icmp:'));
  const header = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  return Number(values[header.indexOf('InEchos')]);
}
