import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOST_INTERFACE, labSupport, NetnsLab, newRunId, type Teardown } from '@vipd/testkit';
import { CLIENT_HOST, FIRST_VIP_HOST, labAddressing, type LabAddressing } from './addressing.js';
import { runCommand, type CommandOutput } from './command.js';
import { LabError } from './errors.js';
import { FaultInjector } from './faults.js';
import { LabProcess } from './lab-process.js';
import { ROUTED_PREFIX_LENGTH4, ROUTED_PREFIX_LENGTH6, routedLink } from './routed-addressing.js';

/** One host on the lab LAN: a namespace with one veth (`eth0`) into the lab bridge. */
export interface LabHost {
  /** "n1", "n2", … for nodes; "client" for the client. */
  readonly name: string;
  readonly host: number;
  /** The network namespace's name (`ip netns`). */
  readonly netns: string;
  readonly interface: 'eth0';
  /** The bridge-side end of this host's veth, in the bridge namespace. */
  readonly bridgePort: string;
  readonly ipv4: string;
  readonly ipv6: string;
  readonly mac: string;
  /** In a routed lab: the router's end of this host's link, the host's default gateway. */
  readonly gateway?: { readonly ipv4: string; readonly ipv6: string };
}

/**
 * `switched`: every host on one LAN (one bridge). `routed`: every host on a subnet of its
 * own, each a point-to-point link to one router namespace (routed mode, BGP).
 */
export type LabTopology = 'switched' | 'routed';

export interface LabOptions {
  /** Node namespaces to build (1..9). */
  readonly nodes: number;
  readonly runId?: string;
  /** Keep the run directory (logs, configs) after destroy. Default: env VIPD_LAB_KEEP=1. */
  readonly keepRunDir?: boolean;
  /** Default `switched`. */
  readonly topology?: LabTopology;
}

/**
 * A virtual LAN in network namespaces, private to one run:
 *
 *   [vl<id>-n1] eth0 ─ p-n1 ┐
 *   [vl<id>-n2] eth0 ─ p-n2 ┼─ br0 in [vl<id>-br]
 *   [vl<id>-c ] eth0 ─ p-c  ┘
 *
 * The bridge lives in its own namespace so fault injection (port state, nftables bridge
 * rules) happens on the "switch", out of sight of the nodes. Nothing is created in the
 * namespace this process runs in.
 *
 * The `routed` topology puts a router where the switch was, every host on a /29 of its own
 * (see routed-addressing.ts); the nodes' heartbeats and the client's probes cross it.
 *
 *   [vl<id>-n1] eth0 ─ p-n1 ┐
 *   [vl<id>-n2] eth0 ─ p-n2 ┼─ forwarding in [vl<id>-rt]
 *   [vl<id>-c ] eth0 ─ p-c  ┘
 */
export class Lab {
  readonly runId: string;
  readonly runDir: string;
  readonly addressing: LabAddressing;
  /** The switch's namespace, or the router's in a routed lab (where faults are applied). */
  readonly bridgeNetns: string;
  readonly topology: LabTopology;
  readonly nodes: readonly LabHost[];
  readonly client: LabHost;
  readonly teardown: Teardown;
  /** The namespaces, veths and bridge, from the shared test kit. */
  private readonly net: NetnsLab;
  /** Faults applied on the lab's switch: silence, link flap, partitions, loss. */
  readonly faults: FaultInjector;
  private keepRunDir: boolean;
  private destroyed = false;
  private readonly processes = new Set<LabProcess>();

  private constructor(options: LabOptions) {
    this.runId = options.runId ?? newRunId();
    this.net = new NetnsLab({ prefix: 'vl', runId: this.runId });
    this.addressing = labAddressing(this.runId);
    this.keepRunDir = options.keepRunDir ?? process.env['VIPD_LAB_KEEP'] === '1';
    this.teardown = this.net.teardown;
    this.runDir = mkdtempSync(join(tmpdir(), `vipd-lab-${this.runId}-`));
    this.topology = options.topology ?? 'switched';
    this.bridgeNetns = this.net.name(this.topology === 'routed' ? 'rt' : 'br');
    this.faults = new FaultInjector(
      this.bridgeNetns,
      this.topology === 'routed' ? 'router' : 'switch',
    );
    const hosts: LabHost[] = [];
    for (let host = 1; host <= options.nodes; host += 1)
      hosts.push(this.describeHost(`n${host}`, host));
    this.nodes = hosts;
    this.client = this.describeHost('client', CLIENT_HOST);
  }

  private describeHost(name: string, host: number): LabHost {
    const short = name === 'client' ? 'c' : name;
    const common = {
      name,
      host,
      netns: this.net.name(short),
      interface: HOST_INTERFACE,
      bridgePort: `p-${short}`,
      mac: this.addressing.mac(host),
    } as const;
    if (this.topology === 'switched') {
      return { ...common, ipv4: this.addressing.ipv4(host), ipv6: this.addressing.ipv6(host) };
    }
    const link = routedLink(this.addressing.subnet, host);
    return { ...common, ipv4: link.host4, ipv6: link.host6, gateway: link.router };
  }

  /** Builds the LAN. Throws LAB_NOT_PRIVILEGED without root; tears down what it built on failure. */
  static async create(options: LabOptions): Promise<Lab> {
    const support = labSupport();
    if (!support.ok) throw new LabError('LAB_NOT_PRIVILEGED', support.reason);
    if (!Number.isInteger(options.nodes) || options.nodes < 1 || options.nodes > 9) {
      throw new LabError('LAB_BAD_ARGUMENT', `nodes must be 1..9, got ${options.nodes}`);
    }
    const lab = new Lab(options);
    try {
      await lab.build();
    } catch (error) {
      lab.keepRunDir = true;
      lab.destroy();
      throw error;
    }
    return lab;
  }

  /** Every VIP of the lab is host 100+index in the lab subnet. */
  vip4(index = 0): string {
    return this.addressing.ipv4(FIRST_VIP_HOST + index);
  }

  vip6(index = 0): string {
    return this.addressing.ipv6(FIRST_VIP_HOST + index);
  }

  node(name: string): LabHost {
    const found = this.nodes.find((n) => n.name === name);
    if (found === undefined)
      throw new LabError('LAB_BAD_ARGUMENT', `no node "${name}" in this lab`);
    return found;
  }

  /** The host that owns a MAC, or undefined for a MAC that is not in the lab. */
  hostByMac(mac: string): LabHost | undefined {
    const wanted = mac.toLowerCase();
    return [...this.nodes, this.client].find((h) => h.mac === wanted);
  }

  private async build(): Promise<void> {
    if (this.topology === 'routed') {
      await this.buildRouted();
      return;
    }
    this.net.switch('br');
    // The switch has no addresses of its own, so no link-local DAD noise in captures.
    await this.sysctl(this.bridgeNetns, {
      'net.ipv6.conf.all.disable_ipv6': '1',
      'net.ipv6.conf.default.disable_ipv6': '1',
    });
    for (const host of [...this.nodes, this.client]) await this.buildHost(host);
  }

  private async buildHost(host: LabHost): Promise<void> {
    const short = host.name === 'client' ? 'c' : host.name;
    this.net.namespace(short);
    const isNode = host.name !== 'client';
    await this.sysctl(host.netns, {
      // Addresses are usable at once, as VIPs are in production (vipd adds them nodad).
      'net.ipv6.conf.default.accept_dad': '0',
      'net.ipv6.conf.all.accept_dad': '0',
      'net.ipv6.conf.default.accept_ra': '0',
      // The probe responder binds the VIP before this node holds it (IP_FREEBIND's sysctl).
      ...(isNode ? { 'net.ipv4.ip_nonlocal_bind': '1', 'net.ipv6.ip_nonlocal_bind': '1' } : {}),
    });
    this.net.plug(this.bridgeNetns, host.netns, short, host.mac);
    await this.ip(host.netns, ['addr', 'add', `${host.ipv4}/24`, 'dev', host.interface]);
    await this.ip(host.netns, ['addr', 'add', `${host.ipv6}/64`, 'dev', host.interface, 'nodad']);
  }

  private async buildRouted(): Promise<void> {
    this.net.namespace('rt');
    await this.sysctl(this.bridgeNetns, {
      'net.ipv4.ip_forward': '1',
      'net.ipv6.conf.all.forwarding': '1',
      'net.ipv6.conf.default.accept_dad': '0',
    });
    for (const host of [...this.nodes, this.client]) {
      const short = host.name === 'client' ? 'c' : host.name;
      const gateway = host.gateway;
      if (gateway === undefined) throw new LabError('LAB_BAD_ARGUMENT', `${host.name}: no link`);
      this.net.namespace(short);
      await this.sysctl(host.netns, {
        'net.ipv6.conf.default.accept_dad': '0',
        'net.ipv6.conf.all.accept_dad': '0',
        'net.ipv6.conf.default.accept_ra': '0',
        'net.ipv4.ip_nonlocal_bind': '1',
        'net.ipv6.ip_nonlocal_bind': '1',
      });
      this.net.veth(this.bridgeNetns, host.bridgePort, host.netns, host.interface);
      await this.ip(host.netns, ['link', 'set', host.interface, 'address', host.mac]);
      const v4 = `/${ROUTED_PREFIX_LENGTH4}`;
      const v6 = `/${ROUTED_PREFIX_LENGTH6}`;
      await this.ip(this.bridgeNetns, ['addr', 'add', gateway.ipv4 + v4, 'dev', host.bridgePort]);
      await this.ip(this.bridgeNetns, [
        'addr',
        'add',
        gateway.ipv6 + v6,
        'dev',
        host.bridgePort,
        'nodad',
      ]);
      await this.ip(host.netns, ['addr', 'add', host.ipv4 + v4, 'dev', host.interface]);
      await this.ip(host.netns, ['addr', 'add', host.ipv6 + v6, 'dev', host.interface, 'nodad']);
      await this.ip(host.netns, ['route', 'add', 'default', 'via', gateway.ipv4]);
      await this.ip(host.netns, ['-6', 'route', 'add', 'default', 'via', gateway.ipv6]);
    }
  }

  private ip(netns: string, args: readonly string[]): Promise<CommandOutput> {
    return runCommand(['ip', '-n', netns, ...args]);
  }

  private sysctl(netns: string, values: Readonly<Record<string, string>>): Promise<CommandOutput> {
    const pairs = Object.entries(values).map(([key, value]) => `${key}=${value}`);
    return runCommand(['ip', 'netns', 'exec', netns, 'sysctl', '-q', '-w', ...pairs]);
  }

  /** Runs a command inside a host's (or the bridge's) namespace and waits for it. */
  exec(
    where: LabHost | string,
    argv: readonly string[],
    timeoutMs?: number,
  ): Promise<CommandOutput> {
    const netns = typeof where === 'string' ? where : where.netns;
    return runCommand(['ip', 'netns', 'exec', netns, ...argv], timeoutMs);
  }

  /**
   * Starts a long-running process inside a namespace; its output goes to
   * `<runDir>/<name>.log`. It is killed at teardown if still running.
   */
  spawn(
    where: LabHost | string,
    argv: readonly string[],
    options: {
      name: string;
      env?: Readonly<Record<string, string>>;
      stdin?: boolean;
      cwd?: string;
    },
  ): LabProcess {
    if (this.destroyed) throw new LabError('LAB_BAD_ARGUMENT', 'lab already destroyed');
    const netns = typeof where === 'string' ? where : where.netns;
    const child = new LabProcess(['ip', 'netns', 'exec', netns, ...argv], {
      ...options,
      logPath: join(this.runDir, `${options.name}.log`),
    });
    this.processes.add(child);
    const drop = this.teardown.add(`kill ${options.name}`, () => {
      child.killNow();
    });
    void child.exited.then(() => {
      drop();
      this.processes.delete(child);
    });
    return child;
  }

  /** Stops every process the lab started (SIGTERM, then SIGKILL). */
  async stopAll(graceMs = 2_000): Promise<void> {
    await Promise.all([...this.processes].map((p) => p.stop(graceMs)));
  }

  /**
   * Kills every process, deletes every namespace (which takes the veths and the bridge
   * with it) and removes the run directory unless asked to keep it. Idempotent.
   */
  destroy(options: { keepRunDir?: boolean } = {}): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.net.destroy();
    if (!(options.keepRunDir ?? this.keepRunDir))
      rmSync(this.runDir, { recursive: true, force: true });
  }

  get isDestroyed(): boolean {
    return this.destroyed;
  }
}

/**
 * Builds a lab, runs `body`, and always destroys the lab; the run directory is kept (and
 * its path added to the error) when `body` throws, so the logs can be read.
 */
export async function withLab<T>(options: LabOptions, body: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.create(options);
  try {
    const result = await body(lab);
    lab.destroy();
    return result;
  } catch (error) {
    lab.destroy({ keepRunDir: true });
    if (error instanceof Error) error.message += ` (lab logs kept in ${lab.runDir})`;
    throw error;
  }
}
