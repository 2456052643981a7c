// N real meshes on 127.0.0.1, every dialing direction through its own FaultProxy so a test
// can break one link (A<->B) while the others (A<->C, B<->C) keep running.

import { createHeartbeatMesh } from '../../src/index.js';
import type {
  HeartbeatMesh,
  HeartbeatMeshOptions,
  MeshLogger,
  PeerAddress,
  WireGroupState,
} from '../../src/index.js';
import { DatagramRelay } from './datagram-relay.js';
import { FaultProxy } from './fault-proxy.js';

export const TEST_KEY = Buffer.from('test-cluster-key-0123456789abcdef');
export const TEST_CLUSTER = 'lab';

export interface LogLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: object;
  readonly message: string;
}

export function recordingLogger(lines: LogLine[]): MeshLogger {
  const at =
    (level: LogLine['level']) =>
    (fields: object, message: string): void => {
      lines.push({ level, fields, message });
    };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

export interface TestNode {
  readonly id: string;
  readonly mesh: HeartbeatMesh;
  readonly logs: LogLine[];
}

export interface TestCluster {
  node(id: string): TestNode;
  /** The proxy `from` dials to reach `to`. */
  proxy(from: string, to: string): FaultProxy;
  /** Both directions of the link between a and b. */
  link(a: string, b: string): readonly FaultProxy[];
  /**
   * The UDP relay on the port of proxy(from, to), with `datagramRelays`; without them a
   * node's datagrams go to a port nobody listens on (the stream alone carries heartbeats).
   */
  relay(from: string, to: string): DatagramRelay;
  stop(): Promise<void>;
}

export type NodeOverrides = (id: string) => Partial<HeartbeatMeshOptions>;

export async function startCluster(
  ids: readonly string[],
  overrides: NodeOverrides = () => ({}),
  extraPeers: (id: string) => readonly PeerAddress[] = () => [],
  options: { readonly datagramRelays?: boolean } = {},
): Promise<TestCluster> {
  const proxies = new Map<string, FaultProxy>();
  const relays = new Map<string, DatagramRelay>();
  const nodes = new Map<string, TestNode>();
  const key = (from: string, to: string): string => `${from}->${to}`;
  for (const from of ids) {
    for (const to of ids) {
      if (from === to) continue;
      const proxy = await FaultProxy.start();
      proxies.set(key(from, to), proxy);
      if (options.datagramRelays === true) {
        relays.set(key(from, to), await DatagramRelay.start(proxy.port));
      }
    }
  }
  const cluster: TestCluster = {
    node: (id) => {
      const node = nodes.get(id);
      if (node === undefined) throw new Error(`no node ${id}`);
      return node;
    },
    proxy: (from, to) => {
      const proxy = proxies.get(key(from, to));
      if (proxy === undefined) throw new Error(`no proxy ${from}->${to}`);
      return proxy;
    },
    link: (a, b) => [cluster.proxy(a, b), cluster.proxy(b, a)],
    relay: (from, to) => {
      const relay = relays.get(key(from, to));
      if (relay === undefined) throw new Error(`no relay ${from}->${to}`);
      return relay;
    },
    stop: async () => {
      await Promise.all([...nodes.values()].map((node) => node.mesh.stop()));
      await Promise.all([...proxies.values()].map((proxy) => proxy.close()));
      await Promise.all([...relays.values()].map((relay) => relay.close()));
    },
  };
  try {
    for (const id of ids) {
      const logs: LogLine[] = [];
      const mesh = createHeartbeatMesh({
        clusterName: TEST_CLUSTER,
        nodeId: id,
        listen: '127.0.0.1:0',
        peers: [
          ...ids
            .filter((peer) => peer !== id)
            .map((peer) => ({ id: peer, address: cluster.proxy(id, peer).address })),
          ...extraPeers(id),
        ],
        key: TEST_KEY,
        intervalMs: 20,
        downMultiplier: 3,
        logger: recordingLogger(logs),
        ...overrides(id),
      });
      nodes.set(id, { id, mesh, logs });
      await mesh.start();
      for (const from of ids) {
        if (from === id) continue;
        cluster.proxy(from, id).setTarget(mesh.port());
        relays.get(key(from, id))?.setTarget(mesh.port());
      }
    }
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  return cluster;
}

/** `count` groups named vip-group-000..., padded with '-' to `nameBytes` if given. */
export function groupStates(
  count: number,
  epoch = 1,
  nameBytes = 0,
): Record<string, WireGroupState> {
  const groups: Record<string, WireGroupState> = {};
  for (let i = 0; i < count; i++) {
    groups[`vip-group-${String(i).padStart(3, '0')}`.padEnd(nameBytes, '-')] = {
      priority: 100 + (i % 100),
      state: i % 2 === 0 ? 'MASTER' : 'BACKUP',
      epoch,
    };
  }
  return groups;
}
