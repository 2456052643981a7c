// One driver under test on a manual clock, with @vipd/arp's recording fakes for addresses,
// announcements and watches, and @vipd/heartbeat's loopback mesh for the network. Peers are
// loopback meshes the test speaks through: what they send is what the driver receives.

import {
  createFakeConflictWatch,
  createFakeMacWatch,
  createMemoryAddressManager,
  createRecordingAnnouncer,
  type FakeConflictWatch,
  type FakeMacWatch,
  type MemoryAddressManager,
  type RecordingAnnouncer,
} from '@vipd/arp/testing';
import { createManualClock, type ManualClock } from '@vipd/clock';
import type { GroupState } from '@vipd/election';
import {
  createLoopbackNetwork,
  readHostPort,
  type HeartbeatMesh,
  type HeartbeatReceived,
  type LoopbackNetwork,
  type WireGroupState,
} from '@vipd/heartbeat';
import { PEER_ADDRESS, parseVip } from '../../src/config/addresses.js';
import { Secret } from '../../src/config/secret.js';
import type {
  ConfiguredPeer,
  GroupSpec,
  NotifyConvention,
  NotifyHook,
  VipdConfig,
} from '../../src/config/types.js';
import { EventRing } from '../../src/events/ring.js';
import { Driver } from '../../src/driver/driver.js';
import { NotifyRunner } from '../../src/hooks/notify.js';
import { createLogger } from '../../src/log/logger.js';
import { VipdMetrics } from '../../src/metrics/metrics.js';
import { FakeRoutes } from './fake-routes.js';

export const INTERVAL_MS = 100;
export const DOWN_MULTIPLIER = 3;
export const DOWN_AFTER_MS = INTERVAL_MS * DOWN_MULTIPLIER;
/** A configured peer as the loader makes it: the address as written and its endpoint. */
export function configuredPeer(id: string, address: string): ConfiguredPeer {
  const endpoint = readHostPort(address, PEER_ADDRESS);
  if (endpoint === null) throw new Error(`test peer address ${address} is not host:port`);
  return { id, address, endpoint };
}

/** The loopback meshes' own pacing and silence detection stay out of the way (1 h). */
const MESH_INTERVAL_MS = 3_600_000;

export interface GroupOptions {
  readonly name: string;
  readonly addresses: readonly string[];
  readonly priority?: number;
  readonly preempt?: boolean;
  readonly interface?: string;
  readonly notify?: readonly NotifyHook[];
  readonly syncGroup?: string;
  /** A routed group: VIPs on lo, a route per VIP in this table. */
  readonly routedTable?: number;
}

/** A notify hook as the config makes it from a path (vipd's arguments) or a mapping. */
export function notifyHook(path: string, convention: NotifyConvention = 'vipd'): NotifyHook {
  return { path, args: [], convention };
}

export function groupSpec(options: GroupOptions): GroupSpec {
  const iface = options.routedTable === undefined ? (options.interface ?? 'eth0') : 'lo';
  return {
    name: options.name,
    interface: iface,
    vips: options.addresses.map((text) => {
      const vip = parseVip(text);
      if (vip === null) throw new Error(`bad VIP ${text}`);
      return { address: vip.address, prefixLength: vip.prefixLength, interface: iface };
    }),
    priority: options.priority ?? 100,
    preempt: options.preempt ?? true,
    preemptDelayMs: 0,
    ...(options.syncGroup === undefined ? {} : { syncGroup: options.syncGroup }),
    track: [],
    trackInterface: false,
    notify: options.notify ?? [],
    announce: {
      repeat: 3,
      intervalMs: 10,
      secondBurstDelayMs: 1000,
      refreshMs: 0,
      mode: 'request',
    },
    ...(options.routedTable === undefined ? {} : { routed: { table: options.routedTable } }),
  };
}

export function testConfig(options: {
  nodeId?: string;
  peers?: readonly string[];
  groups?: readonly GroupOptions[];
  quorum?: boolean;
}): VipdConfig {
  return {
    file: '/test/vipd.yaml',
    node: {
      id: options.nodeId ?? 'n1',
      listen: '127.0.0.1:0',
      listenEndpoint: { host: '127.0.0.1', port: 0 },
      stateFile: '/nonexistent/state.json',
    },
    cluster: {
      name: 'test',
      key: new Secret('k'.repeat(32)),
      acceptKeys: [],
      heartbeatIntervalMs: INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
      heartbeatDatagram: true,
      quorum: options.quorum ?? false,
      peers: (options.peers ?? ['n2']).map((id) =>
        configuredPeer(id, `127.0.0.1:1${id.length.toString()}`),
      ),
    },
    groups: (options.groups ?? []).map(groupSpec),
    trackers: [],
    notifyTimeoutMs: 5000,
    webhooks: [],
    api: {
      enabled: false,
      listen: '127.0.0.1:0',
      listenEndpoint: { host: '127.0.0.1', port: 0 },
      token: null,
      maxConnections: 64,
      eventHistory: 1000,
      allowedHosts: [],
    },
    log: { level: 'debug', format: 'json' },
  };
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A peer the test speaks for. */
export class TestPeer {
  readonly received: HeartbeatReceived[] = [];

  constructor(
    readonly id: string,
    readonly mesh: HeartbeatMesh,
  ) {
    mesh.on('heartbeat', (heartbeat) => this.received.push(heartbeat));
  }

  /** What the driver last told this peer about a group. */
  lastHeard(group: string): WireGroupState | undefined {
    for (let i = this.received.length - 1; i >= 0; i--) {
      const state = this.received[i]?.groups[group];
      if (state !== undefined) return state;
    }
    return undefined;
  }

  #started = false;

  /** Sends these groups now (the peer comes online on its first word). */
  async say(
    groups: Record<string, { state: GroupState; priority: number; epoch: number }>,
  ): Promise<void> {
    this.mesh.setLocalState(groups);
    if (this.#started) {
      this.mesh.sendNow();
      return;
    }
    this.#started = true;
    await this.mesh.start();
  }
}

export class Harness {
  readonly clock: ManualClock;
  readonly network: LoopbackNetwork;
  readonly addresses: MemoryAddressManager;
  readonly announcer: RecordingAnnouncer;
  readonly routes = new FakeRoutes();
  readonly conflicts: FakeConflictWatch;
  readonly macs: FakeMacWatch;
  readonly metrics = new VipdMetrics();
  readonly logs: LogLine[] = [];
  readonly driver: Driver;
  readonly mesh: HeartbeatMesh;
  readonly peers = new Map<string, TestPeer>();
  readonly notify: NotifyRunner;
  /** Everything the driver and the hooks recorded (the daemon's ring, here of 1000). */
  readonly events: EventRing;

  constructor(config: VipdConfig) {
    this.events = new EventRing({ capacity: 1000, node: config.node.id });
    this.clock = createManualClock(10_000);
    this.network = createLoopbackNetwork();
    this.addresses = createMemoryAddressManager();
    this.announcer = createRecordingAnnouncer();
    const logger = createLogger({
      level: 'debug',
      format: 'json',
      destination: {
        write: (line: string) => {
          this.logs.push(JSON.parse(line) as LogLine);
        },
      },
    });
    const meshOptions = (nodeId: string, peers: readonly string[]) => ({
      clusterName: config.cluster.name,
      nodeId,
      listen: '127.0.0.1:0',
      peers: peers.map((id) => ({ id, address: `${id}:1` })),
      key: new Uint8Array(32),
      intervalMs: MESH_INTERVAL_MS,
      downMultiplier: DOWN_MULTIPLIER,
    });
    this.mesh = this.network.createMesh(
      meshOptions(
        config.node.id,
        config.cluster.peers.map((p) => p.id),
      ),
    );
    for (const peer of config.cluster.peers) {
      const others = [
        config.node.id,
        ...config.cluster.peers.map((p) => p.id).filter((id) => id !== peer.id),
      ];
      this.peers.set(
        peer.id,
        new TestPeer(peer.id, this.network.createMesh(meshOptions(peer.id, others))),
      );
    }
    this.notify = new NotifyRunner({
      nodeId: config.node.id,
      timeoutMs: 5000,
      logger,
      metrics: this.metrics,
      events: this.events,
    });
    this.conflicts = createFakeConflictWatch((event) => {
      this.driver.conflict(event);
    });
    this.macs = createFakeMacWatch(
      (event) => {
        this.driver.macChanged(event);
      },
      { eth0: '02:00:00:00:00:01' },
    );
    this.driver = new Driver({
      config,
      events: this.events,
      clock: this.clock,
      mesh: this.mesh,
      addresses: this.addresses,
      announcer: this.announcer,
      routes: this.routes,
      conflictWatch: this.conflicts,
      macWatch: this.macs,
      notify: this.notify,
      metrics: this.metrics,
      logger,
      wallClockMs: () => 1_700_000_000_000 + this.clock.now(),
    });
    this.metrics.setSources({
      election: () => this.driver.electionStatus(),
      peers: () => this.mesh.peers(),
      trackers: () => [],
      ready: () => this.driver.phase() === 'running',
    });
  }

  async start(): Promise<void> {
    this.driver.start();
    await this.mesh.start();
    // Peers stay silent until the test makes them speak.
    await flush();
  }

  peer(id: string): TestPeer {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new Error(`no peer ${id}`);
    return peer;
  }

  /** A peer speaks; its heartbeat reaches the driver. */
  async say(
    id: string,
    groups: Record<string, { state: GroupState; priority: number; epoch: number }>,
  ): Promise<void> {
    await this.peer(id).say(groups);
    await flush();
  }

  /** Moves the driver's clock (timers fire), then lets the loopback deliver. */
  async advance(ms: number): Promise<void> {
    this.clock.advance(ms);
    await flush();
  }

  state(group: string): GroupState | undefined {
    return this.driver.group(group)?.state;
  }

  /** VIPs on the fake host, as "address/prefix". */
  present(): string[] {
    return this.addresses
      .present()
      .map((v) => `${v.address}/${v.prefixLength}`)
      .sort();
  }

  transitions(group: string): string[] {
    return this.logs
      .filter(
        (l) =>
          l['group'] === group &&
          typeof l['to'] === 'string' &&
          typeof l['reason'] === 'string' &&
          l['component'] === 'driver',
      )
      .map((l) => `${String(l['from'])}->${String(l['to'])}:${String(l['reason'])}`);
  }

  async stop(): Promise<void> {
    this.driver.stop();
    await this.mesh.stop();
    for (const peer of this.peers.values()) await peer.mesh.stop();
    await this.notify.idle();
  }
}

/**
 * Lets the loopback network deliver and promise callbacks run. The driver itself runs on the
 * manual clock (its deferred ticks run inside advance()); the loopback network hands each
 * heartbeat over on setImmediate, one turn per hop: peer to driver, driver's answer to peer.
 */
export async function flush(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((resolve) => setImmediate(resolve));
}
