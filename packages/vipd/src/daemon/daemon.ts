// A running node: builds every part from the config, cleans up what a crashed predecessor
// left, joins the cluster, serves the API, and on shutdown resigns so a backup takes over at
// once. `vipd run` wraps it with signals and exit codes.

import { release } from 'node:os';
import {
  createAnnouncer,
  type ConflictWatch,
  type FrameAnnouncer,
  type FrameSender,
  type MacWatch,
  type NetlinkAddressManager,
} from '@vipd/arp';
import type { HeartbeatMesh } from '@vipd/heartbeat';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildApp } from '../api/app.js';
import { setConnectionCap } from '../api/connection-cap.js';
import { formatProblem, loadConfigFile, ConfigError } from '../config/load.js';
import type { VipdConfig } from '../config/types.js';
import { Driver } from '../driver/driver.js';
import { vipText } from '../driver/vip-holder.js';
import { VipdError } from '../errors.js';
import { EventRing } from '../events/ring.js';
import { NotifyRunner } from '../hooks/notify.js';
import { SHUTDOWN_DRAIN_MS, WebhookDispatcher } from '../webhooks/dispatcher.js';
import { heartbeatConnectionDrops, VipdMetrics } from '../metrics/metrics.js';
import { heartbeatDatagrams } from '../metrics/datagram-metrics.js';
import {
  LinuxSystemOps,
  NodeFileStore,
  RealServerRole,
  createRealServerPromMetrics,
} from '../realserver/index.js';
import { TrackerSet } from '../trackers/tracker-set.js';
import { VIPD_VERSION } from '../version.js';
import { countingSender } from './counting-sender.js';
import { probeListenAddresses } from './listen-probe.js';
import { MaintenanceRecord } from './node-state.js';
import { HOST_PARTS, type DaemonParts } from './parts.js';
import { PeerNeighborRefresh } from './peer-neighbors.js';
import { meshChange } from './mesh-change.js';
import { planReload, type ReloadPlan } from './reload-plan.js';

export interface DaemonOptions {
  readonly config: VipdConfig;
  readonly logger: Logger;
  /** Where secrets for reloads come from (VIPD_CLUSTER_KEY, VIPD_API_TOKEN). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** How long trackers get for their first result before the node joins. */
  readonly firstTrackerResultMs?: number;
  /**
   * The election failed and the driver has taken the VIPs off; the process should exit
   * non-zero now. Default: exit 1 (the CLI passes its own).
   */
  readonly onFatal?: (error: Error) => void;
  /** Addresses are managed through this (tests: a manager inside their own namespace). */
  readonly addresses?: NetlinkAddressManager;
  /** VIP routes are managed through this (tests: a manager inside their own namespace). */
  readonly routes?: ReturnType<DaemonParts['createRouteManager']>;
  /** What touches the host (netlink, packet sockets, the mesh, the clock); default the real ones. */
  readonly parts?: Partial<DaemonParts>;
}

export class Daemon {
  readonly metrics: VipdMetrics;
  /** What happened and why: GET /v1/events, the web view, webhooks. */
  readonly events: EventRing;
  readonly #log: Logger;
  readonly #env: Readonly<Record<string, string | undefined>>;
  #config: VipdConfig;
  readonly #addresses: NetlinkAddressManager;
  readonly #routes: ReturnType<DaemonParts['createRouteManager']>;
  readonly #announcer: FrameAnnouncer;
  readonly #conflictWatch: ConflictWatch;
  readonly #macWatch: MacWatch;
  readonly #mesh: HeartbeatMesh;
  readonly #notify: NotifyRunner;
  readonly #webhooks: WebhookDispatcher;
  readonly #trackers: TrackerSet;
  readonly #driver: Driver;
  /** Maintenance as the operator last set it, kept across restarts (node.state_file). */
  readonly #maintenance: MaintenanceRecord;
  #app: FastifyInstance | null = null;
  #apiAddress: string | null = null;
  #realserver: RealServerRole | null = null;
  #stopping: Promise<void> | null = null;
  #running = false;
  /** The reload in progress, if any: the next one waits for it. */
  #reloading: Promise<void> = Promise.resolve();
  readonly #firstTrackerResultMs: number;
  /** Packet sockets opened at start, so the first takeover does not pay for socket setup. */
  readonly #preopened = new Map<string, FrameSender>();
  readonly #openPacketSocket: DaemonParts['openPacketSocket'];

  private constructor(options: DaemonOptions) {
    const { config, logger } = options;
    this.#config = config;
    this.#log = logger;
    this.#env = options.env ?? process.env;
    this.#firstTrackerResultMs = options.firstTrackerResultMs ?? 2000;
    const metrics = new VipdMetrics({
      eventLoopSampleMs: config.cluster.downMultiplier * config.cluster.heartbeatIntervalMs,
    });
    this.metrics = metrics;
    this.#maintenance = new MaintenanceRecord(
      () => this.#config.node.stateFile,
      logger.child({ component: 'maintenance' }),
      metrics,
    );
    metrics.declareConfig(config);
    const events = new EventRing({ capacity: config.api.eventHistory, node: config.node.id });
    this.events = events;
    this.#webhooks = new WebhookDispatcher({ registry: metrics.registry, logger });
    this.#webhooks.configure(config.webhooks);
    events.follow(this.#webhooks.offer);
    const parts: DaemonParts = { ...HOST_PARTS, ...options.parts };
    const { openPacketSocket } = parts;
    this.#openPacketSocket = openPacketSocket;
    this.#addresses = options.addresses ?? parts.createAddressManager();
    this.#routes = options.routes ?? parts.createRouteManager();
    this.#announcer = createAnnouncer({
      openSender: (iface) => {
        const ready = this.#preopened.get(iface);
        this.#preopened.delete(iface);
        return ready ?? countingSender(openPacketSocket(iface), iface, metrics);
      },
      onError: (error, context) => {
        logger.error(
          { component: 'announcer', ...context, code: error.code, err: error },
          `announcing ${context.group} on ${context.interface} failed: ${error.message}`,
        );
      },
    });
    this.#conflictWatch = parts.createConflictWatch({
      onConflict: (event) => {
        this.#driver.conflict(event);
      },
      onError: (error) => {
        logger.warn(
          { component: 'conflict-watch', code: error.code },
          `conflict watch: ${error.message}`,
        );
      },
    });
    this.#macWatch = parts.createMacWatch({
      onChange: (event) => {
        this.#driver.macChanged(event);
      },
      // Interface trackers re-read the link at once: carrier loss reaches the election in
      // well under a millisecond instead of at the next poll.
      onLinkNotification: (iface) => {
        this.#trackers.linkChanged(iface);
      },
      onError: (error) => {
        logger.warn({ component: 'mac-watch', code: error.code }, `MAC watch: ${error.message}`);
      },
    });
    this.#mesh = parts.createHeartbeatMesh({
      clusterName: config.cluster.name,
      nodeId: config.node.id,
      listen: config.node.listen,
      ...meshChange(config),
      datagram: config.cluster.heartbeatDatagram,
      key: config.cluster.key.reveal(),
      acceptKeys: config.cluster.acceptKeys.map((key) => key.reveal()),
      logger: logger.child({ component: 'heartbeat' }),
    });
    this.#notify = new NotifyRunner({
      nodeId: config.node.id,
      timeoutMs: config.notifyTimeoutMs,
      logger,
      metrics,
      events,
    });
    const neighbors = new PeerNeighborRefresh({
      peers: () => this.#config.cluster.peers,
      openSender: (iface) => openPacketSocket(iface),
      onRefresh: (iface, result) => {
        if ('error' in result)
          logger.warn(
            {
              component: 'neighbors',
              interface: iface,
              code: (result.error as { code?: unknown }).code,
            },
            `could not ask for the peers' MACs on ${iface}: ${String(result.error)}`,
          );
        else
          logger.info(
            { component: 'neighbors', interface: iface, requests: result.sent },
            `${iface} is back: asked for the MAC of ${result.sent} peer(s) so heartbeats flow at once`,
          );
      },
      reconnect: (iface, peers) => {
        logger.info(
          { component: 'neighbors', interface: iface, peers },
          `${iface} is back: reconnecting to ${peers.join(', ')} (their connections may be in TCP backoff)`,
        );
        for (const peer of peers) {
          try {
            this.#mesh.reconnect(peer);
          } catch (error) {
            logger.warn(
              { component: 'neighbors', peer, code: (error as { code?: unknown }).code },
              `could not reconnect to ${peer}: ${String(error)}`,
            );
          }
        }
      },
    });
    this.#trackers = new TrackerSet((report) => {
      this.#driver.trackerReport(report);
      neighbors.onTrackerReport(report);
    });
    this.#driver = new Driver({
      config,
      clock: parts.clock,
      mesh: this.#mesh,
      addresses: this.#addresses,
      announcer: this.#announcer,
      routes: this.#routes,
      conflictWatch: this.#conflictWatch,
      macWatch: this.#macWatch,
      notify: this.#notify,
      trackers: this.#trackers,
      metrics,
      logger,
      events,
      vrrp: parts.vrrp,
      onFatal:
        options.onFatal ??
        (() => {
          process.exitCode = 1;
          setImmediate(() => process.exit(1));
        }),
    });
    metrics.setSources({
      election: () => this.#driver.electionStatus(),
      peers: () => this.#mesh.peers(),
      trackers: () => this.#trackers.states().map((t) => ({ name: t.name, up: t.reading.up })),
      ready: () => this.#driver.phase() === 'running',
      framesUnderAcceptedKey: () => this.#mesh.stats().framesUnderAcceptedKey,
      heartbeatConnectionsDropped: () => heartbeatConnectionDrops(this.#mesh.stats()),
      heartbeatDatagrams: () => heartbeatDatagrams(this.#mesh.stats()),
      vrrp: () => this.#driver.vrrpReadings(),
    });
  }

  get config(): VipdConfig {
    return this.#config;
  }

  get driver(): Driver {
    return this.#driver;
  }

  /** http://host:port of the API, or null when disabled. */
  get apiAddress(): string | null {
    return this.#apiAddress;
  }

  get heartbeatPort(): number {
    return this.#mesh.port();
  }

  /**
   * Builds every part and starts nothing, so the caller holds the daemon during start-up
   * too: a crash then can still take off whatever start-up added (abandon()).
   */
  static create(options: DaemonOptions): Daemon {
    return new Daemon(options);
  }

  /** Build, clean up, join, serve; resolves when the node is ready. */
  static async start(options: DaemonOptions): Promise<Daemon> {
    const daemon = Daemon.create(options);
    await daemon.start();
    return daemon;
  }

  /** Clean up, join, serve; resolves when the node is ready. A failed start leaves nothing. */
  async start(): Promise<void> {
    const startedAt = performance.now();
    try {
      await this.#start(this.#firstTrackerResultMs);
    } catch (error) {
      // An owner group (priority 255) may have taken its VIPs before a later step failed.
      this.#driver.abandon();
      await this.#teardown();
      throw error;
    }
    this.#running = true;
    this.#logReady(performance.now() - startedAt);
  }

  /**
   * The process is dying (an uncaught exception): stop deciding and take this node's VIPs
   * off now, synchronously and bounded in time (Driver.abandon). The caller exits next.
   */
  abandon(): void {
    this.#driver.abandon();
  }

  async #start(firstTrackerResultMs: number): Promise<void> {
    const config = this.#config;
    await probeListenAddresses([
      {
        what: 'heartbeat listener',
        address: config.node.listen,
        endpoint: config.node.listenEndpoint,
      },
      ...(config.api.enabled
        ? [
            {
              what: 'API listener',
              address: config.api.listen,
              endpoint: config.api.listenEndpoint,
            },
          ]
        : []),
    ]);
    if (config.groups.some((group) => group.vips.length > 0)) this.#checkAddressMarking();
    this.#removeStaleRoutes();
    this.#removeStaleVips();
    this.#preopenSockets();
    this.#trackers.apply(config.trackers, config.groups);
    // A node must not claim a group before its trackers have had their say.
    await this.#trackers.firstReadings(firstTrackerResultMs);
    // Read before the API serves anything: between the API and the election nothing may wait.
    const drained = await this.#maintenance.wasOn();
    // The API before the election: building it compiles schemas and blocks the event loop
    // for a while, which must not eat into the election's startup listening window (peers'
    // heartbeats would sit unread while its timer ran out, and the node would claim the
    // group although a master exists).
    if (config.api.enabled) await this.#startApi();
    this.#driver.start({ maintenance: drained });
    // VRRP groups hear adverts from the moment their sockets open; the mesh's do not wait.
    await this.#driver.startVrrp({ maintenance: drained });
    try {
      await this.#mesh.start();
    } catch (error) {
      throw new VipdError(
        'LISTEN_FAILED',
        `heartbeat listener on ${config.node.listen}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (config.realserver !== undefined) await this.#startRealServer();
  }

  /**
   * Without IFA_PROTO (Linux < 5.18) vipd could not tell its VIPs from an operator's, and a
   * restarted node would leave a crashed one's VIPs in place: refuse before touching any.
   */
  #checkAddressMarking(): void {
    try {
      this.#addresses.checkMarking();
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'ADDRESS_MARK_UNSUPPORTED') throw error;
      throw new VipdError(
        'ADDRESS_MARK_UNSUPPORTED',
        `this kernel (${release()}) does not keep the IFA_PROTO mark vipd puts on the ` +
          "addresses it adds, so vipd could not tell its VIPs from anyone else's: Linux 5.18 " +
          'or newer is needed. No address was changed.',
        { cause: error },
      );
    }
  }

  /**
   * Routes marked as vipd's that a crashed predecessor left behind, in any table: a stale
   * route would keep drawing a VIP's traffic here (at an old epoch's metric) once BIRD runs.
   */
  #removeStaleRoutes(): void {
    for (const route of this.#routes.listManagedNow()) {
      const where = `the route to ${route.address} from table ${route.table} (metric ${route.metric})`;
      try {
        this.#routes.removeNow(route);
        this.#log.warn(
          { vip: route.address, table: route.table, metric: route.metric },
          `removed ${where}: left by a previous vipd that did not stop cleanly`,
        );
      } catch (error) {
        this.#log.error({ vip: route.address, err: error }, `could not remove stale ${where}`);
      }
    }
  }

  /** VIPs marked as vipd's that a crashed predecessor left behind. */
  #removeStaleVips(): void {
    for (const vip of this.#addresses.listManagedNow()) {
      try {
        this.#addresses.removeNow(vip);
        this.#log.warn(
          { vip: vipText(vip), interface: vip.interface },
          `removed ${vipText(vip)} from ${vip.interface}: left by a previous vipd that did not stop cleanly`,
        );
      } catch (error) {
        this.#log.error(
          { vip: vipText(vip), err: error },
          `could not remove stale ${vipText(vip)} from ${vip.interface}`,
        );
      }
    }
  }

  #preopenSockets(): void {
    for (const iface of new Set(
      this.#config.groups.flatMap((g) => g.vips.map((v) => v.interface)),
    )) {
      try {
        this.#preopened.set(
          iface,
          countingSender(this.#openPacketSocket(iface), iface, this.metrics),
        );
      } catch (error) {
        // The announcer tries again at the first takeover; the interface may appear later.
        this.#log.warn(
          { interface: iface, code: (error as { code?: unknown }).code },
          `cannot open a packet socket on ${iface} yet: ${(error as Error).message}`,
        );
      }
    }
  }

  async #startApi(): Promise<void> {
    const driver = this.#driver;
    const app = await buildApp({
      control: {
        status: () => driver.status(),
        group: (name) => driver.group(name),
        takeover: (group, timeoutMs, call) => driver.takeover(group, timeoutMs, call),
        release: (group, timeoutMs, call) => driver.release(group, timeoutMs, call),
        setMaintenance: async (enabled, call) => {
          const outcome = await driver.setMaintenance(enabled, call);
          if (!outcome.ok) return outcome;
          const persistence = await this.#maintenance.keep(outcome.value.maintenance);
          return { ok: true, value: { ...outcome.value, ...persistence } };
        },
        phase: () => driver.phase(),
      },
      metrics: this.metrics,
      logger: this.#log,
      token: () => this.#config.api.token,
      allowedHosts: () => this.#config.api.allowedHosts,
      limits: { maxConnections: this.#config.api.maxConnections },
      events: this.events,
    });
    const { host, port } = this.#config.api.listenEndpoint;
    try {
      await app.listen({ host, port });
    } catch (error) {
      await app.close();
      throw new VipdError(
        'LISTEN_FAILED',
        `API listener on ${this.#config.api.listen}: ${(error as Error).message}`,
        { cause: error },
      );
    }
    this.#app = app;
    const address = app.server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : port;
    this.#apiAddress = `http://${host.includes(':') ? `[${host}]` : host}:${bound}`;
  }

  async #startRealServer(): Promise<void> {
    await this.#realServerRole().configure(this.#config.realserver ?? null);
  }

  /** Created on first use: a node may gain the role on a reload. */
  #realServerRole(): RealServerRole {
    this.#realserver ??= new RealServerRole({
      deps: { ops: new LinuxSystemOps(), files: new NodeFileStore() },
      sink: createRealServerPromMetrics(this.metrics.registry),
      log: this.#log.child({ component: 'realserver' }),
    });
    return this.#realserver;
  }

  #logReady(startupMs: number): void {
    const c = this.#config;
    const groups = c.groups.map(
      (g) =>
        `${g.name} (${g.vips.map(vipText).join(', ')} on ${g.interface}, priority ${g.priority})`,
    );
    this.#log.info(
      {
        event: 'ready',
        version: VIPD_VERSION,
        heartbeat: c.node.listen,
        heartbeatPort: this.#mesh.port(),
        api: this.#apiAddress,
        groups: c.groups.map((g) => g.name),
        peers: c.cluster.peers.map((p) => p.id),
        witness: c.groups.length === 0,
        startupMs: Math.round(startupMs),
      },
      `vipd ready: node ${c.node.id}, heartbeat on port ${this.#mesh.port()}, API ${this.#apiAddress ?? 'disabled'}, ` +
        `${c.groups.length === 0 ? 'witness (no groups)' : groups.join('; ')}, peers: ${c.cluster.peers.map((p) => p.id).join(', ') || 'none'}`,
    );
  }

  /**
   * SIGHUP: a bad file, a restart-only change or a mesh that cannot take the change (an
   * unreadable TLS file) keeps the running config. Reloads run one at a time, in order.
   */
  reload(file = this.#config.file): Promise<boolean> {
    const run = this.#reloading.then(() => this.#reload(file));
    this.#reloading = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  async #reload(file: string): Promise<boolean> {
    if (!this.#acceptsReload()) {
      this.#log.warn(
        { code: 'NOT_READY' },
        `reload ignored: the node is ${this.#running ? 'stopping' : 'not running yet'}`,
      );
      return false;
    }
    const next = this.#loadForReload(file);
    if (next === null) return false;
    const plan = planReload(this.#config, next);
    if (!plan.apply) {
      this.#reloadRefused(
        { code: 'CONFIG_RELOAD_UNSUPPORTED', changed: plan.restartOnly, reasons: plan.reasons },
        plan.reasons.join('; '),
        'restart-needed',
      );
      return false;
    }
    try {
      // First, and checked whole before it changes anything: if the mesh refuses (an
      // unreadable certificate), nothing else has moved either.
      const mesh = await this.#mesh.reconfigure(meshChange(next));
      this.#log.info({ ...mesh }, 'heartbeat mesh took the reload');
    } catch (error) {
      this.#reloadRefused(
        { code: (error as { code?: unknown }).code ?? 'INTERNAL' },
        (error as Error).message,
      );
      return false;
    }
    // A SIGTERM that came while the TLS files were read wins.
    if (!this.#acceptsReload()) return false;
    this.#apply(next, plan);
    return true;
  }

  #acceptsReload(): boolean {
    return this.#running && this.#stopping === null;
  }

  /** The new file, or null (logged and counted) when it does not load. */
  #loadForReload(file: string): VipdConfig | null {
    try {
      const loaded = loadConfigFile(file, { env: this.#env });
      for (const warning of loaded.warnings)
        this.#log.warn(
          { path: warning.path, line: warning.line },
          `config warning: ${formatProblem(warning)}`,
        );
      return loaded.config;
    } catch (error) {
      const problems =
        error instanceof ConfigError
          ? error.problems.map(formatProblem)
          : [(error as Error).message];
      this.#reloadRefused({ code: (error as VipdError).code, problems }, problems.join('; '));
      return null;
    }
  }

  #reloadRefused(
    fields: object,
    why: string,
    reason: 'rejected' | 'restart-needed' = 'rejected',
  ): void {
    this.metrics.configReloads.inc({ result: 'failure' });
    this.metrics.configReloadOk.set(0);
    this.#log.error(fields, `reload rejected, keeping the running configuration: ${why}`);
    this.#recordReload(reason, `reload rejected: ${why}`);
  }

  #apply(next: VipdConfig, plan: Extract<ReloadPlan, { apply: true }>): void {
    const { added, removed, changed, keysChanged } = plan;
    this.#config = next;
    if (keysChanged) {
      this.#mesh.setKeys(
        next.cluster.key.reveal(),
        next.cluster.acceptKeys.map((key) => key.reveal()),
      );
    }
    this.#driver.reconfigure(next);
    this.metrics.declareConfig(next);
    this.#trackers.apply(next.trackers, next.groups);
    this.#notify.setTimeoutMs(next.notifyTimeoutMs);
    this.#webhooks.configure(next.webhooks);
    // Same apply as at start; runs after this returns and logs its own outcome.
    if (next.realserver !== undefined || this.#realserver !== null)
      void this.#realServerRole().configure(next.realserver ?? null);
    // For new connections; open ones stay until shed for a newcomer.
    if (this.#app !== null) setConnectionCap(this.#app.server, next.api.maxConnections);
    this.events.resize(next.api.eventHistory);
    this.#log.level = next.log.level;
    this.metrics.configReloads.inc({ result: 'success' });
    this.metrics.configReloadOk.set(1);
    this.#log.info(
      { added, removed, changed, clusterKeysChanged: keysChanged },
      `configuration reloaded: ${added.length} group(s) added, ${removed.length} removed, ${changed.length} changed`,
    );
    const changes = `${listed('added', added)}${listed('removed', removed)}${listed('changed', changed)}`;
    this.#recordReload(
      'applied',
      `configuration reloaded: ${changes === '' ? 'no group changed' : changes.slice(0, -2)}` +
        (keysChanged ? '; cluster keys changed' : ''),
    );
  }

  /** A reload is node-wide; the signal (SIGHUP, systemctl reload) is its actor. */
  #recordReload(reason: 'applied' | 'rejected' | 'restart-needed', detail: string): void {
    this.events.record({ kind: 'reload', reason, detail, actor: 'signal' });
  }

  /** SIGTERM: resign so a backup takes over at once, remove the VIPs, stop everything. */
  shutdown(): Promise<void> {
    this.#stopping ??= (async () => {
      this.#log.info({ event: 'stopping' }, 'vipd stopping: resigning every group');
      // keepalived's STOP carries the priority the instance had, not the 0 it resigns with.
      const priorities = new Map(
        this.#driver.status().groups.map((group) => [group.name, group.effectivePriority]),
      );
      await this.#driver.resign();
      this.#notifyStop(priorities);
      await this.#teardown();
      this.#log.info({ event: 'stopped' }, 'vipd stopped');
    })();
    return this.#stopping;
  }

  /** keepalived-convention hooks hear STOP for every group, as keepalived's `notify` did. */
  #notifyStop(priorities: ReadonlyMap<string, number>): void {
    const specs = new Map(this.#config.groups.map((group) => [group.name, group]));
    for (const view of this.#driver.status().groups) {
      const spec = specs.get(view.name);
      if (spec === undefined) continue;
      this.#notify.notify(spec.notify, {
        group: view.name,
        from: view.state,
        to: 'STOP',
        epoch: view.epoch,
        reason: 'shutdown',
        interface: view.interface,
        addresses: view.addresses,
        master: view.master,
        priority: priorities.get(view.name) ?? view.effectivePriority,
      });
    }
  }

  async #teardown(): Promise<void> {
    this.#driver.stop();
    await this.#trackers.stop();
    await this.#realserver?.stop();
    await this.#app?.close();
    await this.#mesh.stop();
    this.#conflictWatch.close();
    this.#macWatch.close();
    this.#announcer.close();
    for (const sender of this.#preopened.values()) sender.close();
    this.#preopened.clear();
    this.#addresses.close();
    this.#routes.close();
    // Hooks of the last transitions still run, within their own timeout; webhooks get a moment.
    await Promise.all([this.#notify.idle(), this.#webhooks.close(SHUTDOWN_DRAIN_MS)]);
  }
}

function listed(what: string, groups: readonly string[]): string {
  return groups.length === 0 ? '' : `${what} ${groups.join(', ')}; `;
}
