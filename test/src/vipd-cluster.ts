import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { FailoverCluster } from './cluster.js';
import { LabError } from './errors.js';
import { removeVips } from './keepalived-cluster.js';
import type { Lab, LabHost } from './lab.js';
import type { LabProcess } from './lab-process.js';

export const HEARTBEAT_PORT = 7_410;
export const API_PORT = 7_411;

export interface VipdGroupSpec {
  readonly name: string;
  /** VIPs with prefix length, e.g. "10.213.5.100/24", "fd00:213:5::100/64". */
  readonly addresses: readonly string[];
  /** Priority per node name; nodes not listed do not hold this group. */
  readonly priorities: Readonly<Record<string, number>>;
  readonly preempt?: boolean;
  /** A vipd duration string: "0s", "2s". */
  readonly preemptDelay?: string;
  /** Trackers per node name (the `track` list of this group on that node). */
  readonly track?: Readonly<Record<string, readonly { tracker: string; weight: number }[]>>;
  readonly trackInterface?: boolean;
  /** Decide the group by VRRPv3 on the wire instead of the mesh. */
  readonly vrrp?: { readonly vrid: number; readonly advertInterval?: string };
  /** Announce by route (BGP through BIRD) instead of ARP: host-address VIPs on `lo`. */
  readonly routed?: { readonly table: number };
}

export interface VipdClusterOptions {
  readonly intervalMs: number;
  readonly downMultiplier?: number;
  readonly quorum?: boolean;
  /** cluster.heartbeat_datagram (vipd's default, true, when absent). */
  readonly heartbeatDatagram?: boolean;
  readonly groups: readonly VipdGroupSpec[];
  /** Nodes that run vipd with no groups: they only vote for the quorum guard. */
  readonly witnesses?: readonly string[];
  /** Extra top-level `trackers` per node name, written as-is into its config. */
  readonly trackers?: Readonly<Record<string, readonly Record<string, unknown>[]>>;
  readonly logLevel?: 'trace' | 'debug' | 'info';
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** The path of one of @vipd/vipd's binaries ("vipd", "vipctl") from its package.json `bin`. */
export function vipdBinary(name: 'vipd' | 'vipctl'): string {
  const manifestPath = join(repoRoot, 'packages', 'vipd', 'package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    bin?: Record<string, string>;
  };
  const relative = manifest.bin?.[name];
  const path = relative === undefined ? undefined : join(repoRoot, 'packages', 'vipd', relative);
  if (path === undefined || !existsSync(path)) {
    throw new LabError(
      'LAB_DAEMON_MISSING',
      `@vipd/vipd has no built \`${name}\` binary (package.json bin: ${JSON.stringify(manifest.bin ?? {})}); run \`npx tsc -b\` first`,
    );
  }
  return path;
}

/** Whether the vipd daemon is built and can be run by the lab. */
export function vipdAvailable(): boolean {
  try {
    vipdBinary('vipd');
    return true;
  } catch {
    return false;
  }
}

export function vipdVersion(): string {
  const manifest = JSON.parse(
    readFileSync(join(repoRoot, 'packages', 'vipd', 'package.json'), 'utf8'),
  ) as { version: string };
  return manifest.version;
}

export function formatDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The YAML document (as an object) for one node, in the shape docs/configuration.md documents. */
export function vipdConfig(
  lab: Lab,
  node: LabHost,
  options: VipdClusterOptions,
  files: { keyFile: string; tokenFile: string },
): Record<string, unknown> {
  const members = clusterMembers(lab, options);
  const groups = options.groups
    .filter((g) => g.priorities[node.name] !== undefined)
    .map((g) => ({
      name: g.name,
      ...(g.routed === undefined ? { interface: node.interface } : { routed: { ...g.routed } }),
      addresses: [...g.addresses],
      priority: g.priorities[node.name],
      preempt: g.preempt ?? true,
      preempt_delay: g.preemptDelay ?? '0s',
      ...(g.track?.[node.name] === undefined ? {} : { track: g.track[node.name] }),
      ...(g.trackInterface === undefined ? {} : { track_interface: g.trackInterface }),
      ...(g.vrrp === undefined
        ? {}
        : {
            vrrp: {
              vrid: g.vrrp.vrid,
              advert_interval: g.vrrp.advertInterval ?? formatDuration(options.intervalMs),
            },
          }),
    }));
  const trackers = options.trackers?.[node.name];
  // A node whose groups all speak VRRP needs no mesh: no listen address, key or peers.
  const meshless = groups.length > 0 && groups.every((g) => 'vrrp' in g);
  return {
    node: {
      id: node.name,
      ...(meshless ? {} : { listen: `${node.ipv4}:${HEARTBEAT_PORT}` }),
      // Maintenance outlives a restart through this file: one per node, inside the run.
      state_file: join(lab.runDir, `vipd-${node.name}-state.json`),
    },
    cluster: meshless
      ? {}
      : {
          key_file: files.keyFile,
          heartbeat_interval: formatDuration(options.intervalMs),
          down_multiplier: options.downMultiplier ?? 3,
          quorum: options.quorum ?? false,
          ...(options.heartbeatDatagram === undefined
            ? {}
            : { heartbeat_datagram: options.heartbeatDatagram }),
          peers: members
            .filter((m) => m !== node)
            .map((m) => ({ id: m.name, address: `${m.ipv4}:${HEARTBEAT_PORT}` })),
        },
    groups,
    ...(trackers === undefined ? {} : { trackers }),
    api: { listen: `127.0.0.1:${API_PORT}`, token_file: files.tokenFile },
    log: { level: options.logLevel ?? 'info', format: 'json' },
  };
}

/** Nodes that run vipd: every node with a priority in some group, plus the witnesses. */
export function clusterMembers(lab: Lab, options: VipdClusterOptions): LabHost[] {
  return lab.nodes.filter(
    (n) =>
      options.witnesses?.includes(n.name) === true ||
      options.groups.some((g) => g.priorities[n.name] !== undefined),
  );
}

export interface ApiResponse {
  readonly status: number;
  readonly body: unknown;
  readonly elapsedMs: number;
}

/** vipd on the lab's nodes, driven through its documented CLI, config and REST API. */
export class VipdCluster implements FailoverCluster {
  readonly kind = 'vipd';
  readonly version: string;
  readonly keyFile: string;
  readonly tokenFile: string;
  private readonly running = new Map<string, LabProcess>();
  private starts = 0;
  private options: VipdClusterOptions;

  constructor(
    private readonly lab: Lab,
    options: VipdClusterOptions,
  ) {
    this.options = options;
    this.version = `vipd ${vipdVersion()}`;
    this.keyFile = join(lab.runDir, 'cluster.key');
    this.tokenFile = join(lab.runDir, 'api.token');
    writeFileSync(this.keyFile, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    writeFileSync(this.tokenFile, `${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  }

  /** Only with the quorum guard: a lone node is never a majority, so it cannot go master. */
  get startsTogether(): boolean {
    return this.options.quorum === true;
  }

  get members(): LabHost[] {
    return clusterMembers(this.lab, this.options);
  }

  configPath(node: LabHost): string {
    return join(this.lab.runDir, `vipd-${node.name}.yaml`);
  }

  /** Rewrites every member's config file (for a SIGHUP reload test, say). */
  writeConfigs(options: VipdClusterOptions = this.options): void {
    this.options = options;
    for (const node of this.members) {
      const config = vipdConfig(this.lab, node, options, {
        keyFile: this.keyFile,
        tokenFile: this.tokenFile,
      });
      writeFileSync(this.configPath(node), stringify(config));
    }
  }

  startNode(node: LabHost): LabProcess {
    const current = this.running.get(node.name);
    if (current?.running === true) return current;
    if (!existsSync(this.configPath(node))) this.writeConfigs();
    this.starts += 1;
    const child = this.lab.spawn(
      node,
      [process.execPath, vipdBinary('vipd'), 'run', '--config', this.configPath(node)],
      {
        name: `vipd-${node.name}-${this.starts}`,
      },
    );
    this.running.set(node.name, child);
    return child;
  }

  /** Starts every member. */
  startAll(): LabProcess[] {
    return this.members.map((node) => this.startNode(node));
  }

  process(node: LabHost): LabProcess | undefined {
    return this.running.get(node.name);
  }

  daemonPids(node: LabHost): number[] {
    const child = this.running.get(node.name);
    return child?.running === true ? [child.pid] : [];
  }

  /** One REST call to a node's API, from inside its namespace. */
  async api(node: LabHost, method: string, path: string, body?: unknown): Promise<ApiResponse> {
    const tool = fileURLToPath(new URL('./tools/http-request.js', import.meta.url));
    const argv = [
      process.execPath,
      tool,
      method,
      `http://127.0.0.1:${API_PORT}${path}`,
      this.tokenFile,
    ];
    if (body !== undefined) argv.push(JSON.stringify(body));
    const { stdout } = await this.lab.exec(node, argv, 20_000);
    const result = JSON.parse(stdout) as ApiResponse | { error: string };
    if ('error' in result)
      throw new LabError(
        'LAB_COMMAND_FAILED',
        `${method} ${path} on ${node.name}: ${result.error}`,
      );
    return result;
  }

  /** `vipctl ARGS…` run in a node's namespace with the API address and token. */
  vipctl(node: LabHost, args: readonly string[]): Promise<{ stdout: string; stderr: string }> {
    return this.lab.exec(
      node,
      [
        process.execPath,
        vipdBinary('vipctl'),
        '--api',
        `http://127.0.0.1:${API_PORT}`,
        '--token-file',
        this.tokenFile,
        ...args,
      ],
      20_000,
    );
  }

  /** The group's state on a node per GET /v1/groups/:name (lower case), or undefined if unreachable. */
  async groupState(node: LabHost, group: string): Promise<string | undefined> {
    try {
      const response = await this.api(node, 'GET', `/v1/groups/${group}`);
      if (response.status !== 200) return undefined;
      const state = (response.body as { state?: unknown }).state;
      return typeof state === 'string' ? state.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  }

  async waitForState(
    node: LabHost,
    group: string,
    state: string,
    timeoutMs: number,
  ): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    let last: string | undefined;
    while (performance.now() < deadline) {
      last = await this.groupState(node, group);
      if (last === state) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new LabError(
      'LAB_TIMEOUT',
      `${node.name}: group ${group} not ${state} within ${timeoutMs} ms (last: ${String(last)})`,
    );
  }

  async waitUntilBackup(node: LabHost, timeoutMs: number): Promise<void> {
    const groups = this.options.groups.filter((g) => g.priorities[node.name] !== undefined);
    await Promise.all(groups.map((g) => this.waitForState(node, g.name, 'backup', timeoutMs)));
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.values()].map((child) => child.stop(3_000)));
    this.running.clear();
    await removeVips(
      this.lab,
      this.options.groups.filter((g) => g.routed === undefined).flatMap((g) => g.addresses),
    );
    await removeRoutedVips(
      this.lab,
      this.options.groups.flatMap((g) => (g.routed === undefined ? [] : [g])),
    );
  }
}

/** What a routed group leaves behind on a node: the VIPs on `lo` and the routes in its table. */
async function removeRoutedVips(lab: Lab, groups: readonly VipdGroupSpec[]): Promise<void> {
  const quietly = (node: LabHost, argv: readonly string[]) =>
    lab.exec(node, argv).catch(() => undefined);
  await Promise.all(
    lab.nodes.flatMap((node) =>
      groups.flatMap((g) => [
        ...g.addresses.map((address) => quietly(node, ['ip', 'addr', 'del', address, 'dev', 'lo'])),
        quietly(node, ['ip', 'route', 'flush', 'table', String(g.routed?.table)]),
      ]),
    ),
  );
}
