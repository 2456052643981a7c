// HeartbeatMeshOptions checked up front and completed with defaults, so the mesh itself
// never meets a value it cannot work with. Every error names the option at fault.

import { createSecretKey, type KeyObject } from 'node:crypto';
import { parseHostPort, type HostPort } from './address.js';
import { HeartbeatConfigError } from './errors.js';
import { MAX_NAME_BYTES } from './frame.js';
import type { HeartbeatMeshOptions, MeshLogger, PeerAddress, TlsOptions } from './types.js';
import { silentLogger } from './events.js';

/**
 * Shorter keys are guessable offline from one captured frame; 32 bytes is HMAC-SHA256's
 * full strength (docs/security.md: at least that much key material).
 */
export const MIN_KEY_BYTES = 32;

export interface ResolvedPeer extends PeerAddress {
  readonly hostPort: HostPort;
}

export interface ResolvedOptions {
  readonly clusterName: string;
  readonly nodeId: string;
  readonly listen: HostPort;
  readonly peers: readonly ResolvedPeer[];
  readonly key: KeyObject;
  readonly acceptKeys: readonly KeyObject[];
  readonly intervalMs: number;
  readonly downMultiplier: number;
  readonly downAfterMs: number;
  readonly cutSilentAfterMs: number;
  readonly tls: TlsOptions | null;
  readonly logger: MeshLogger;
  readonly authTimeoutMs: number;
  readonly reconnectMinDelayMs: number;
  readonly reconnectMaxDelayMs: number;
  readonly sendStallTimeoutMs: number;
  readonly maxPendingConnections: number;
  readonly datagram: boolean;
}

export function resolveOptions(options: HeartbeatMeshOptions): ResolvedOptions {
  checkName(options.clusterName, 'clusterName');
  checkName(options.nodeId, 'nodeId');
  const intervalMs = positive(options.intervalMs, 'intervalMs');
  const downMultiplier = options.downMultiplier;
  if (!Number.isInteger(downMultiplier) || downMultiplier < 2) {
    fail(`downMultiplier must be an integer >= 2 (got ${downMultiplier})`);
  }
  const keys = resolveKeys(options.key, options.acceptKeys);
  const seen = new Set<string>();
  const peers = options.peers.map((peer, index) => {
    checkName(peer.id, `peers[${index}].id`);
    if (peer.id === options.nodeId) fail(`peers[${index}] is this node ("${peer.id}")`);
    if (seen.has(peer.id)) fail(`peers[${index}]: node id "${peer.id}" is listed twice`);
    seen.add(peer.id);
    return { ...peer, hostPort: parseHostPort(peer.address, `peers[${index}].address`) };
  });
  const downAfterMs = downMultiplier * intervalMs;
  const reconnectMinDelayMs = positive(
    options.reconnectMinDelayMs ?? Math.max(5, intervalMs / 2),
    'reconnectMinDelayMs',
  );
  const reconnectMaxDelayMs = positive(
    options.reconnectMaxDelayMs ?? Math.max(20, 2 * intervalMs),
    'reconnectMaxDelayMs',
  );
  if (reconnectMaxDelayMs < reconnectMinDelayMs) {
    fail('reconnectMaxDelayMs must be >= reconnectMinDelayMs');
  }
  const cutSilentAfterMs = positive(
    options.cutSilentAfterMs ?? Math.max(1000, 3 * downAfterMs),
    'cutSilentAfterMs',
  );
  if (cutSilentAfterMs < downAfterMs) {
    fail('cutSilentAfterMs must be >= downMultiplier x intervalMs');
  }
  return {
    clusterName: options.clusterName,
    nodeId: options.nodeId,
    listen: parseHostPort(options.listen, 'listen'),
    peers,
    ...keys,
    intervalMs,
    downMultiplier,
    downAfterMs,
    cutSilentAfterMs,
    tls: options.tls ?? null,
    logger: options.logger ?? silentLogger,
    authTimeoutMs: positive(options.authTimeoutMs ?? Math.max(1000, downAfterMs), 'authTimeoutMs'),
    reconnectMinDelayMs,
    reconnectMaxDelayMs,
    sendStallTimeoutMs: positive(options.sendStallTimeoutMs ?? downAfterMs, 'sendStallTimeoutMs'),
    maxPendingConnections: Math.floor(
      positive(options.maxPendingConnections ?? 16 + 4 * peers.length, 'maxPendingConnections'),
    ),
    datagram: options.datagram ?? true,
  };
}

export interface MeshKeys {
  readonly key: KeyObject;
  readonly acceptKeys: readonly KeyObject[];
}

/** The signing key and the keys also accepted, checked and turned into KeyObjects. */
export function resolveKeys(key: Uint8Array, acceptKeys: readonly Uint8Array[] = []): MeshKeys {
  const checked = (bytes: Uint8Array, what: string): KeyObject => {
    if (bytes.length < MIN_KEY_BYTES) {
      fail(`${what} must be at least ${MIN_KEY_BYTES} bytes (got ${bytes.length})`);
    }
    return createSecretKey(bytes);
  };
  return {
    key: checked(key, 'key'),
    acceptKeys: acceptKeys.map((bytes, i) => checked(bytes, `acceptKeys[${i}]`)),
  };
}

function checkName(value: string, what: string): void {
  const length = Buffer.byteLength(value, 'utf8');
  if (length === 0 || length > MAX_NAME_BYTES) {
    fail(`${what} must be 1-${MAX_NAME_BYTES} bytes of UTF-8 (got ${length})`);
  }
}

function positive(value: number, what: string): number {
  if (!Number.isFinite(value) || value <= 0) fail(`${what} must be a positive number`);
  return value;
}

function fail(message: string): never {
  throw new HeartbeatConfigError('INVALID_OPTION', message);
}
