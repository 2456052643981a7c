// From a validated config file (ConfigFile: the schema's own type, defaults filled in) to the
// VipdConfig the daemon runs on: camelCase, durations in milliseconds, VIPs parsed, paths
// absolute, secrets wrapped. Runs only on a document the schema and the rules accepted.

import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { normalizeIp, type AnnounceSchedule, type Vip } from '@vipd/arp';
import { readHostPort, type HostPort, type HostPortRules } from '@vipd/heartbeat';
import { toRealServerConfig } from '../realserver/index.js';
import { LISTEN_ADDRESS, PEER_ADDRESS, parseVip } from './addresses.js';
import { parseDurationMs } from './duration.js';
import { ROUTED_INTERFACE } from './routed-rules.js';
import type { Secrets } from './files.js';
import type {
  AnnounceFile,
  AnnounceOverridesFile,
  ConfigFile,
  GroupFile,
  NotifyScriptFile,
  TrackerFile,
  VrrpFile,
} from './schema.js';
import { Secret } from './secret.js';
import type { GroupSpec, NotifyHook, TrackerSpec, VipdConfig, VrrpSpec } from './types.js';

/** Milliseconds of a duration the schema's pattern already accepted. */
function ms(text: string): number {
  const parsed = parseDurationMs(text);
  if (parsed === null) throw new Error(`unvalidated duration ${text}`);
  return parsed;
}

function announceFrom(raw: AnnounceFile): AnnounceSchedule {
  return {
    repeat: raw.repeat,
    intervalMs: ms(raw.interval),
    secondBurstDelayMs: ms(raw.delay),
    refreshMs: ms(raw.refresh),
    mode: raw.mode,
  };
}

/** A group's overrides on top of the top-level schedule; unset keys inherit. */
function announceOver(base: AnnounceSchedule, raw: AnnounceOverridesFile): AnnounceSchedule {
  return {
    repeat: raw.repeat ?? base.repeat,
    intervalMs: raw.interval === undefined ? base.intervalMs : ms(raw.interval),
    secondBurstDelayMs: raw.delay === undefined ? base.secondBurstDelayMs : ms(raw.delay),
    refreshMs: raw.refresh === undefined ? base.refreshMs : ms(raw.refresh),
    mode: raw.mode ?? base.mode,
  };
}

function groupFrom(
  g: GroupFile,
  baseDir: string,
  globalScripts: readonly NotifyHook[],
  announce: AnnounceSchedule,
): GroupSpec {
  // A routed group's VIPs go on lo: no ARP or NA answers for them there, yet the node
  // accepts their traffic once the route draws it in.
  const iface = g.routed === undefined ? (g.interface ?? '') : ROUTED_INTERFACE;
  const vips: Vip[] = g.addresses.map((text) => {
    const vip = parseVip(text);
    if (vip === null) throw new Error(`unvalidated VIP ${text}`);
    return {
      address: vip.address,
      prefixLength: vip.prefixLength,
      interface: iface,
      ...(g.label !== undefined && vip.family === 4 ? { label: g.label } : {}),
    };
  });
  return {
    name: g.name,
    interface: iface,
    vips,
    priority: g.priority,
    preempt: g.preempt,
    preemptDelayMs: ms(g.preempt_delay),
    ...(g.sync_group === undefined ? {} : { syncGroup: g.sync_group }),
    track: g.track.map((t) => ({ tracker: t.tracker, weight: t.weight })),
    // lo never loses its carrier; a routed group's health is its BGP session (a bird tracker).
    trackInterface: g.routed === undefined && g.track_interface,
    notify: [...globalScripts, ...g.notify.map((s) => notifyHookFrom(s, baseDir))],
    announce: g.announce === undefined ? announce : announceOver(announce, g.announce),
    ...(g.vrrp === undefined ? {} : { vrrp: vrrpFrom(g.vrrp, vips) }),
    ...(g.routed === undefined ? {} : { routed: { table: g.routed.table } }),
  };
}

/** A bare path is a hook with vipd's arguments. */
function notifyHookFrom(raw: NotifyScriptFile, baseDir: string): NotifyHook {
  if (typeof raw === 'string') return { path: resolve(baseDir, raw), args: [], convention: 'vipd' };
  return {
    path: resolve(baseDir, raw.path),
    args: raw.args ?? [],
    convention: raw.convention ?? 'vipd',
  };
}

function vrrpFrom(v: VrrpFile, vips: readonly Vip[]): VrrpSpec {
  return {
    vrid: v.vrid,
    advertIntervalMs: ms(v.advert_interval),
    version: 3,
    // The rules made every VIP of a VRRP group one family.
    family: vips.some((vip) => vip.address.includes(':')) ? 6 : 4,
    unicastPeers: (v.unicast_peers ?? []).map(normalizeIp),
    ...(v.source_address === undefined ? {} : { sourceAddress: normalizeIp(v.source_address) }),
  };
}

function trackerFrom(t: TrackerFile, baseDir: string): TrackerSpec {
  if (t.type === 'file') {
    // A file tracker reads a value, not a verdict: it has no rise or fall of its own.
    const base = { name: t.name, intervalMs: ms(t.interval), rise: 1, fall: 1 };
    return { ...base, type: t.type, path: resolve(baseDir, t.path) };
  }
  const base = { name: t.name, intervalMs: ms(t.interval), rise: t.rise, fall: t.fall };
  switch (t.type) {
    case 'interface':
      return { ...base, type: t.type, interface: t.interface };
    case 'http':
      return {
        ...base,
        type: t.type,
        url: t.url,
        expectStatus: t.expect_status,
        tlsVerify: t.tls_verify,
        ...(t.ca_file === undefined ? {} : { caFile: resolve(baseDir, t.ca_file) }),
        timeoutMs: ms(t.timeout),
      };
    case 'tcp':
      return {
        ...base,
        type: t.type,
        address: t.address,
        endpoint: endpoint(t.address, PEER_ADDRESS),
        timeoutMs: ms(t.timeout),
      };
    case 'bird':
      return {
        ...base,
        type: t.type,
        socket: t.socket,
        protocol: t.protocol,
        timeoutMs: ms(t.timeout),
      };
    case 'script':
      return {
        ...base,
        type: t.type,
        path: resolve(baseDir, t.path),
        args: t.args,
        timeoutMs: ms(t.timeout),
      };
  }
}

export function normalise(
  data: ConfigFile,
  file: string,
  baseDir: string,
  secrets: Secrets,
): VipdConfig {
  const { node, cluster, api, log, notify } = data;
  const announce = announceFrom(data.announce);
  const globalScripts = notify.scripts.map((s) => notifyHookFrom(s, baseDir));
  // Only a real-server-only node has none (the reads require it otherwise). Its mesh has no
  // peers and listens on loopback; a key nobody knows keeps it closed to everyone.
  const clusterKey = secrets.clusterKey ?? new Secret(randomBytes(32).toString('base64'));
  const tls = cluster.tls;
  const nodeListen = node.listen ?? '127.0.0.1:0';
  return {
    file,
    node: {
      id: node.id,
      listen: nodeListen,
      listenEndpoint: endpoint(nodeListen, LISTEN_ADDRESS),
      stateFile: node.state_file,
    },
    cluster: {
      name: cluster.name,
      key: clusterKey,
      acceptKeys: secrets.acceptKeys,
      heartbeatIntervalMs: ms(cluster.heartbeat_interval),
      downMultiplier: cluster.down_multiplier,
      heartbeatDatagram: cluster.heartbeat_datagram,
      quorum: cluster.quorum,
      peers: cluster.peers.map((p) => ({
        id: p.id,
        address: p.address,
        endpoint: endpoint(p.address, PEER_ADDRESS),
      })),
      ...(tls === undefined
        ? {}
        : {
            tls: {
              certFile: resolve(baseDir, tls.cert_file),
              keyFile: resolve(baseDir, tls.key_file),
              caFile: resolve(baseDir, tls.ca_file),
            },
          }),
    },
    groups: data.groups.map((g) => groupFrom(g, baseDir, globalScripts, announce)),
    trackers: data.trackers.map((t) => trackerFrom(t, baseDir)),
    notifyTimeoutMs: ms(notify.timeout),
    webhooks: notify.webhooks.flatMap((w, i) => {
      // files.ts reported a missing or unsafe secret, so load() never gets here without one.
      const secret = secrets.webhookSecrets[i];
      if (secret === undefined || secret === null)
        throw new Error(`unread secret of webhook ${w.name}`);
      return [
        {
          name: w.name,
          url: w.url,
          secret,
          events: w.events,
          timeoutMs: ms(w.timeout),
          maxAttempts: w.max_attempts,
          queueSize: w.queue,
        },
      ];
    }),
    api: {
      enabled: api.enabled,
      listen: api.listen,
      listenEndpoint: endpoint(api.listen, LISTEN_ADDRESS),
      token: secrets.apiToken,
      maxConnections: api.max_connections,
      eventHistory: api.event_history,
      allowedHosts: api.allowed_hosts.map((host) => host.toLowerCase()),
    },
    log: { level: log.level, format: log.format },
    ...(data.realserver === undefined ? {} : { realserver: toRealServerConfig(data.realserver) }),
  };
}

/** A host:port the schema's format already accepted, parsed once for everything inward. */
function endpoint(text: string, rules: HostPortRules): HostPort {
  const parsed = readHostPort(text, rules);
  if (parsed === null) throw new Error(`unvalidated host:port ${text}`);
  return parsed;
}
