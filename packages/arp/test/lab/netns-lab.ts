// A throwaway LAN for integration tests and the benchmark: one namespace holding a bridge
// (the switch) and one namespace per host, each with an `eth0` plugged into the bridge.
// Every name carries a random run id; everything is deleted on close(), on process exit and
// on SIGINT/SIGTERM, so an interrupted run leaves nothing behind.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const HOST_INTERFACE = 'eth0';

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

export const SKIP_UNLESS_ROOT = isRoot()
  ? false
  : 'needs root to create network namespaces (run the suite as root, as CI does)';

export interface LabHost {
  /** Namespace name (`ip netns exec NAME ...`). */
  readonly netns: string;
  readonly mac: string;
}

export interface Lab {
  readonly runId: string;
  /** Adds a host namespace plugged into the bridge, with `eth0` up and the given MAC. */
  addHost(role: string, mac: string): LabHost;
  /** `ip -n NS args...` */
  ip(netns: string, ...args: string[]): string;
  /** Runs a command inside a namespace (`ip netns exec`). */
  exec(netns: string, command: string, ...args: string[]): string;
  close(): void;
}

const openLabs = new Set<LabImpl>();
let handlersInstalled = false;

function installCleanupHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', () => {
    for (const lab of openLabs) lab.close();
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const lab of openLabs) lab.close();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
}

export function createLab(): Lab {
  installCleanupHandlers();
  const lab = new LabImpl(randomBytes(3).toString('hex'));
  openLabs.add(lab);
  try {
    lab.start();
  } catch (error) {
    lab.close();
    throw error;
  }
  return lab;
}

class LabImpl implements Lab {
  private readonly namespaces: string[] = [];
  private readonly switchNetns: string;
  private hosts = 0;

  constructor(readonly runId: string) {
    this.switchNetns = `arp-sw-${runId}`;
  }

  start(): void {
    this.addNamespace(this.switchNetns);
    this.ip(this.switchNetns, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
    this.ip(this.switchNetns, 'link', 'set', 'br0', 'up');
  }

  addHost(role: string, mac: string): LabHost {
    const netns = `arp-${role}-${this.runId}`;
    const port = `p${this.hosts++}`;
    this.addNamespace(netns);
    this.ip(
      this.switchNetns,
      'link',
      'add',
      port,
      'type',
      'veth',
      'peer',
      'name',
      HOST_INTERFACE,
      'netns',
      netns,
    );
    this.ip(this.switchNetns, 'link', 'set', port, 'master', 'br0', 'up');
    // No DAD on the host side, so link-local and test addresses work at once.
    this.exec(netns, 'sysctl', '-qw', `net.ipv6.conf.${HOST_INTERFACE}.accept_dad=0`);
    this.ip(netns, 'link', 'set', HOST_INTERFACE, 'address', mac);
    this.ip(netns, 'link', 'set', HOST_INTERFACE, 'up');
    this.ip(netns, 'link', 'set', 'lo', 'up');
    return { netns, mac };
  }

  ip(netns: string, ...args: string[]): string {
    return execFileSync('ip', ['-n', netns, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  exec(netns: string, command: string, ...args: string[]): string {
    return execFileSync('ip', ['netns', 'exec', netns, command, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  }

  close(): void {
    // Hosts first, the switch last; deleting a namespace deletes its veth ends.
    for (const netns of this.namespaces.splice(0).reverse()) {
      try {
        execFileSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
      } catch {
        // Already gone.
      }
    }
    openLabs.delete(this);
  }

  private addNamespace(netns: string): void {
    execFileSync('ip', ['netns', 'add', netns], { stdio: 'ignore' });
    this.namespaces.push(netns);
  }
}
