import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FailoverCluster } from './cluster.js';
import { readCommandSync, runCommand } from './command.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';
import { keepalivedStatePattern, startKeepalived, type KeepalivedGroup } from './keepalived.js';

export function keepalivedVersion(): string {
  // keepalived prints its banner on stderr: "Keepalived v2.2.7 (01/16,2022)".
  const banner = readCommandSync(['sh', '-c', 'keepalived --version 2>&1']);
  return /Keepalived v(\S+)/.exec(banner)?.[1] ?? 'unknown';
}

/** keepalived on every node of a lab, one VRRP instance per group. */
export class KeepalivedCluster implements FailoverCluster {
  readonly kind = 'keepalived';
  readonly startsTogether = false;
  readonly version: string;
  private readonly running = new Map<string, { process: LabProcess; vrrpPidFile: string }>();
  private starts = 0;

  constructor(
    private readonly lab: Lab,
    private readonly groups: readonly KeepalivedGroup[],
  ) {
    this.version = `keepalived ${keepalivedVersion()}`;
  }

  startNode(node: LabHost): LabProcess {
    const current = this.running.get(node.name);
    if (current?.process.running === true) return current.process;
    this.starts += 1;
    const tag = `-${this.starts}`;
    const process = startKeepalived(this.lab, node, this.groups, tag);
    const vrrpPidFile = join(this.lab.runDir, `keepalived-${node.name}${tag}.vrrp.pid`);
    this.running.set(node.name, { process, vrrpPidFile });
    return process;
  }

  process(node: LabHost): LabProcess | undefined {
    return this.running.get(node.name)?.process;
  }

  daemonPids(node: LabHost): number[] {
    const entry = this.running.get(node.name);
    if (entry === undefined) return [];
    const pids = [entry.process.pid];
    try {
      pids.push(Number(readFileSync(entry.vrrpPidFile, 'utf8').trim()));
    } catch {
      // No VRRP child yet.
    }
    return pids.filter((pid) => Number.isInteger(pid) && pid > 0);
  }

  async waitUntilBackup(node: LabHost, timeoutMs: number): Promise<void> {
    const process = this.process(node);
    if (process === undefined) throw new Error(`keepalived is not running on ${node.name}`);
    await Promise.all(
      this.groups
        .filter((g) => g.priorities[node.name] !== undefined)
        .map((g) => process.waitForLine(keepalivedStatePattern(g.name, 'BACKUP'), timeoutMs)),
    );
  }

  async stopAll(): Promise<void> {
    // keepalived's parent can be SIGKILLed after the grace period while its VRRP child
    // lives on as an orphan master that re-adds its VIP: kill every pid it ever had.
    const pids = [...this.running.keys()].flatMap((name) => this.daemonPids(this.lab.node(name)));
    await Promise.all([...this.running.values()].map((entry) => entry.process.stop(3_000)));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone, as it should be.
      }
    }
    this.running.clear();
    await removeVips(
      this.lab,
      this.groups.flatMap((g) => g.addresses),
    );
  }
}

/** Removes VIPs from every node, whoever left them there (a SIGKILLed daemon does). */
export async function removeVips(lab: Lab, addresses: readonly string[]): Promise<void> {
  await Promise.all(
    lab.nodes.flatMap((node) =>
      addresses.map((address) =>
        runCommand(['ip', '-n', node.netns, 'addr', 'del', address, 'dev', node.interface]).catch(
          () => undefined,
        ),
      ),
    ),
  );
}
