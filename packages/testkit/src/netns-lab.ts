// Network namespaces private to one test run: every name carries a random run id so runs in
// parallel never collide, and everything is undone on close, on a thrown error, on process
// exit and on Ctrl-C (the teardown is bound to the process). Nothing is ever created in the
// namespace the test itself runs in.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { run } from './command.js';
import { newRunId } from './run-id.js';
import { finishTeardown, processBoundTeardown, type Teardown } from './teardown.js';

export const HOST_INTERFACE = 'eth0';
export const BRIDGE = 'br0';
const SWITCH_BRIDGE_OPTIONS = ['stp_state', '0', 'forward_delay', '0', 'mcast_snooping', '0'];

export interface NetnsLabOptions {
  /** Starts every namespace name: `<prefix><runId>-<role>`. */
  readonly prefix: string;
  readonly runId?: string;
}

/** One host plugged into a lab switch. */
export interface SwitchPort {
  readonly netns: string;
  /** The host's end of the veth (`eth0`). */
  readonly interface: string;
  /** The switch's end of the veth, a port of `br0`. */
  readonly bridgePort: string;
}

/** A host namespace on the lab's LAN. */
export interface LabHost extends SwitchPort {
  readonly mac: string;
}

export class NetnsLab {
  readonly runId: string;
  readonly prefix: string;
  /** Undo steps, newest first; callers may add their own (a process, a run directory). */
  readonly teardown: Teardown;
  private closed = false;
  /** The first switch built, where addHost plugs hosts in. */
  private lanSwitch: string | undefined;

  constructor(options: NetnsLabOptions | string) {
    const { prefix, runId } = typeof options === 'string' ? { prefix: options } : options;
    this.prefix = prefix;
    this.runId = runId ?? newRunId();
    this.teardown = processBoundTeardown();
  }

  /** The namespace name a role gets in this run. */
  name(role: string): string {
    return `${this.prefix}${this.runId}-${role}`;
  }

  /** Creates a namespace with lo up; returns its name. */
  namespace(role: string): string {
    const netns = this.name(role);
    run(['ip', 'netns', 'add', netns]);
    this.teardown.add(`delete netns ${netns}`, () => {
      killEveryProcessIn(netns);
      spawnSync('ip', ['netns', 'del', netns], { stdio: 'ignore' });
    });
    this.ip(netns, 'link', 'set', 'lo', 'up');
    return netns;
  }

  /**
   * A namespace holding bridge `br0`, the lab's switch: no STP, no forward delay and no
   * multicast snooping, so a port forwards as soon as it is up and VRRP adverts, ARP and
   * IPv6 NA/NS reach every port as on a dumb switch.
   */
  switch(role = 'sw'): string {
    const netns = this.namespace(role);
    this.ip(netns, 'link', 'add', BRIDGE, 'type', 'bridge', ...SWITCH_BRIDGE_OPTIONS);
    this.ip(netns, 'link', 'set', BRIDGE, 'up');
    this.lanSwitch ??= netns;
    return netns;
  }

  /** A host namespace plugged into the lab's first switch (built now if there is none). */
  addHost(role: string, mac?: string): LabHost {
    const lan = this.lanSwitch ?? this.switch();
    const port = this.plug(lan, this.namespace(role), role, mac);
    return { ...port, mac: mac ?? this.mac(port.netns, port.interface) };
  }

  /**
   * Plugs `netns` into the switch: a veth whose host end is `eth0` (with `mac` when given,
   * set before it comes up) and whose switch end is port `p-<port>` of `br0`. IPv6 DAD is
   * off on the host end, so link-local and test addresses are usable at once.
   */
  plug(switchNetns: string, netns: string, port: string, mac?: string): SwitchPort {
    const bridgePort = `p-${port}`;
    this.exec(netns, ['sysctl', '-qw', 'net.ipv6.conf.default.accept_dad=0']);
    const peer = ['peer', 'name', HOST_INTERFACE, 'netns', netns];
    this.ip(switchNetns, 'link', 'add', bridgePort, 'type', 'veth', ...peer);
    this.ip(switchNetns, 'link', 'set', bridgePort, 'master', BRIDGE, 'up');
    if (mac !== undefined) this.ip(netns, 'link', 'set', HOST_INTERFACE, 'address', mac);
    this.ip(netns, 'link', 'set', HOST_INTERFACE, 'up');
    return { netns, interface: HOST_INTERFACE, bridgePort };
  }

  /** A veth pair from `a` (named aName) to `b` (named bName), both up. */
  veth(a: string, aName: string, b: string, bName: string): void {
    this.ip(a, 'link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b);
    this.ip(a, 'link', 'set', aName, 'up');
    this.ip(b, 'link', 'set', bName, 'up');
  }

  /** `ip -n NETNS args...`; returns stdout. */
  ip(netns: string, ...args: string[]): string {
    return run(['ip', '-n', netns, ...args]);
  }

  /** Runs a command inside a namespace and returns its stdout. */
  exec(netns: string, argv: readonly string[], input?: string): string {
    return run(['ip', 'netns', 'exec', netns, ...argv], input);
  }

  mac(netns: string, iface: string): string {
    const [link] = JSON.parse(this.ip(netns, '-j', 'link', 'show', iface)) as {
      address: string;
    }[];
    if (!link) throw new Error(`no ${iface} in ${netns}`);
    return link.address;
  }

  /** Starts a long-running process inside `netns`; it is killed at teardown if still running. */
  spawn(netns: string, argv: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', netns, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const drop = this.teardown.add(`kill ${argv.join(' ')}`, () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.once('exit', drop);
    return child;
  }

  /** Kills every process and deletes every namespace (taking veths and bridges along). Idempotent. */
  destroy(): readonly string[] {
    if (this.closed) return [];
    this.closed = true;
    return finishTeardown(this.teardown);
  }

  get isDestroyed(): boolean {
    return this.closed;
  }
}

/** A lab with its switch built; a failure half-way removes what was built. */
export function createSwitchedLab(options: NetnsLabOptions | string): NetnsLab {
  const lab = new NetnsLab(options);
  try {
    lab.switch();
  } catch (error) {
    lab.destroy();
    throw error;
  }
  return lab;
}

/** SIGKILLs whatever still runs in a namespace, grandchildren too (keepalived's VRRP child). */
function killEveryProcessIn(netns: string): void {
  const result = spawnSync('ip', ['netns', 'pids', netns], { encoding: 'utf8' });
  if (result.status !== 0) return;
  for (const pid of result.stdout.split(/\s+/).filter((p) => /^\d+$/.test(p))) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
}
