// The `vipd` command: run a node, check a config, clean up after a stop, make a key, and the
// real-server role's sub-commands.

import { randomBytes } from 'node:crypto';
import type { Capability, NetlinkRouteManager } from '@vipd/arp';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Logger } from 'pino';
import {
  ConfigError,
  formatProblem,
  formatProblemAt,
  isRealServerOnly,
  loadConfigFile,
  type LoadedConfig,
} from '../config/load.js';
import type { LogFormat, LogLevel, VipdConfig } from '../config/types.js';
import {
  missingCapabilities,
  missingCapabilitySentence,
  type NetCapability,
} from '../daemon/capabilities.js';
import type { Daemon } from '../daemon/daemon.js';
import { systemdNotifier, type ServiceNotifier } from '../daemon/service-notify.js';
import { stopBudget, stopTiming } from '../daemon/stop-budget.js';
import { formatDuration } from '../config/duration.js';
import { vipText } from '../driver/vip-holder.js';
import { VipdError } from '../errors.js';
import { createLogger } from '../log/logger.js';
import { runClusterCheck } from '../check/cluster-command.js';
import { checksOnThisHost } from '../check/host.js';
import { serviceUserOnThisHost } from '../check/service-user-on-host.js';
import type { DocumentCheck } from '../config/problems.js';
import { buildImportKeepalivedCommand } from '../keepalived/index.js';
import { buildRealServerCommand, RealServerError } from '../realserver/index.js';
import { VIPD_VERSION } from '../version.js';
import { EXIT, startFailureExit } from './exit-codes.js';
import type { CliIo } from './io.js';
import { buildReloadCommand } from './reload.js';
import { RunLifecycle, type RunSignal } from './run-lifecycle.js';

import { DEFAULT_CONFIG_FILE } from './node-config.js';

export { DEFAULT_CONFIG_FILE };

interface GlobalOptions {
  config: string;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

export interface VipdCliHooks {
  /** Set the process exit status (main: process.exitCode). */
  readonly setExitCode: (code: number) => void;
  /** Signals for `vipd run` (main: process.on). */
  readonly onSignal?: (signal: RunSignal, handler: () => void) => void;
  /** Uncaught exceptions and unhandled rejections during `vipd run` (main: process.on). */
  readonly onProcessFailure?: (
    handler: (error: unknown, origin: 'uncaughtException' | 'unhandledRejection') => void,
  ) => void;
  /** End the process now with this status (main: process.exit). */
  readonly exit?: (code: number) => void;
  /** Capabilities check, injectable for tests. */
  readonly missingCapabilities?: (needed: readonly NetCapability[]) => NetCapability[];
  /** Called once `vipd run` is ready (tests). */
  readonly onReady?: (daemon: Daemon) => void;
}

function printProblems(io: CliIo, error: ConfigError): void {
  io.stderr(
    `vipd: ${error.file} is invalid (${error.problems.length} problem${error.problems.length === 1 ? '' : 's'}):\n`,
  );
  for (const problem of error.problems) io.stderr(`  ${formatProblemAt(error.file, problem)}\n`);
}

/** Loads the config or prints why not; null means the exit code is already set. */
function loadOrReport(
  io: CliIo,
  hooks: VipdCliHooks,
  file: string,
  checks: readonly DocumentCheck[] = [],
): LoadedConfig | null {
  try {
    return loadConfigFile(file, { env: io.env, checks });
  } catch (error) {
    if (error instanceof ConfigError) {
      printProblems(io, error);
      hooks.setExitCode(EXIT.CONFIG_INVALID);
    } else {
      io.stderr(`vipd: ${(error as Error).message}\n`);
      hooks.setExitCode(
        error instanceof VipdError && error.code === 'CONFIG_UNREADABLE'
          ? EXIT.CONFIG_INVALID
          : EXIT.FAILURE,
      );
    }
    return null;
  }
}

function summary(config: VipdConfig): string {
  const realServerOnly = isRealServerOnly({
    realserver: config.realserver,
    groups: config.groups,
    peers: config.cluster.peers,
  });
  const lines = [
    realServerOnly
      ? `node ${config.node.id}: a real server only (no groups, no peers: no heartbeats)`
      : `node ${config.node.id}: heartbeat on ${config.node.listen}, cluster "${config.cluster.name}", every ${config.cluster.heartbeatIntervalMs}ms, master down after ${config.cluster.downMultiplier * config.cluster.heartbeatIntervalMs}ms`,
    `peers: ${config.cluster.peers.map((p) => `${p.id} (${p.address})`).join(', ') || 'none'}${config.cluster.quorum ? '; quorum guard on' : ''}`,
    config.groups.length === 0
      ? realServerOnly
        ? 'groups: none'
        : 'groups: none (a witness)'
      : `groups: ${config.groups.map((g) => `${g.name} on ${g.interface} priority ${g.priority}${g.vrrp === undefined ? '' : ` (VRRP vrid ${g.vrrp.vrid}, every ${g.vrrp.advertIntervalMs}ms)`}: ${g.vips.map(vipText).join(', ')}`).join('; ')}`,
    `API: ${config.api.enabled ? `${config.api.listen}${config.api.token === null ? ' (read-only: no token)' : ''}` : 'disabled'}`,
  ];
  if (config.realserver !== undefined)
    lines.push(`real server: ${config.realserver.vips.join(', ')} hidden on lo`);
  // systemd SIGKILLs a node still handing over after TimeoutStopSec.
  const stop = stopBudget(stopTiming(config));
  lines.push(
    `stop: at most ${formatDuration(stop.totalMs)} after SIGTERM (resign ${formatDuration(stop.resignMs)}, hooks ${formatDuration(stop.hooksMs)}, real server ${formatDuration(stop.realServerMs)}, teardown ${formatDuration(stop.teardownMs)}); systemd's TimeoutStopSec must be at least that`,
  );
  return lines.join('\n');
}

function parseLevel(value: string): LogLevel {
  const levels: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
  if (!levels.includes(value as LogLevel))
    throw new InvalidArgumentError(`one of ${levels.join(', ')}`);
  return value as LogLevel;
}

function neededCapabilities(config: VipdConfig): NetCapability[] {
  return config.groups.length > 0
    ? ['CAP_NET_ADMIN', 'CAP_NET_RAW']
    : config.realserver === undefined
      ? []
      : ['CAP_NET_ADMIN'];
}

async function run(io: CliIo, hooks: VipdCliHooks, options: GlobalOptions): Promise<void> {
  const loaded = loadOrReport(io, hooks, options.config);
  if (loaded === null) return;
  const { config } = loaded;
  const logger = createLogger({
    level: options.logLevel ?? config.log.level,
    format: options.logFormat ?? config.log.format,
    base: { node: config.node.id },
  });
  // Nothing above waited, so no signal can have arrived unhandled: from here on a signal
  // during start-up is queued, and a crash takes the VIPs off before the process exits.
  const lifecycle = new RunLifecycle({
    logger,
    nodeId: config.node.id,
    configFile: config.file,
    notifier: serviceNotifier(io, logger),
    setExitCode: hooks.setExitCode,
    exit: hooks.exit ?? hooks.setExitCode,
  });
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    hooks.onSignal?.(signal, () => {
      lifecycle.signal(signal);
    });
  }
  hooks.onProcessFailure?.((error, origin) => {
    lifecycle.fatal(error, origin);
  });
  for (const warning of loaded.warnings)
    logger.warn(
      { path: warning.path, line: warning.line },
      `config warning: ${formatProblem(warning)}`,
    );
  const missing = (hooks.missingCapabilities ?? missingCapabilities)(neededCapabilities(config));
  if (missing.length > 0) {
    const sentence = missingCapabilitySentence(missing, 'add VIPs and send gratuitous ARP');
    logger.fatal({ code: 'MISSING_CAPABILITY', missing }, sentence);
    io.stderr(`${sentence}\n`);
    hooks.setExitCode(EXIT.MISSING_CAPABILITY);
    return;
  }
  let daemon: Daemon;
  try {
    // The daemon's modules (fastify, the mesh, netlink) load only for `run`.
    const { Daemon } = await import('../daemon/daemon.js');
    daemon = Daemon.create({
      config,
      logger,
      env: io.env,
      onFatal: (error) => {
        lifecycle.fatal(error, 'election');
      },
    });
    lifecycle.attach(daemon);
    await daemon.start();
  } catch (error) {
    lifecycle.startFailed();
    failStart(io, hooks, logger, error);
    return;
  }
  hooks.onReady?.(daemon);
  await lifecycle.running();
}

/** Under a Type=notify unit ($NOTIFY_SOCKET set): tells systemd about readiness and stops. */
function serviceNotifier(io: CliIo, logger: Logger): ServiceNotifier | null {
  const socket = io.env['NOTIFY_SOCKET'];
  if (socket === undefined || socket === '') return null;
  // As sd_notify(unset_environment) does: notify hooks and trackers must not speak to systemd
  // as vipd; the notifier passes the socket to systemd-notify itself.
  if (io.env === process.env) delete process.env['NOTIFY_SOCKET'];
  return systemdNotifier({
    socket,
    onError: (error) => {
      logger.warn({ code: error.code, err: error }, `could not tell systemd: ${error.message}`);
    },
  });
}

function failStart(io: CliIo, hooks: VipdCliHooks, logger: Logger, error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  // @vipd/arp's PrivilegeError, recognised without loading the package for every command.
  const capability = (error as { capability?: Capability } | null)?.capability;
  if (error instanceof Error && error.name === 'PrivilegeError' && capability !== undefined) {
    const sentence = missingCapabilitySentence(
      [capability === 'CAP_NET_RAW' ? 'CAP_NET_RAW' : 'CAP_NET_ADMIN'],
      'manage VIPs',
    );
    logger.fatal({ code: 'MISSING_CAPABILITY', err: error }, sentence);
    io.stderr(`${sentence}\n`);
    hooks.setExitCode(EXIT.MISSING_CAPABILITY);
    return;
  }
  const errorCode = (error as { code?: unknown } | null)?.code;
  const code = typeof errorCode === 'string' ? errorCode : 'INTERNAL';
  logger.fatal({ code, err: error }, `vipd could not start: ${message}`);
  io.stderr(`vipd: could not start: ${code}: ${message}\n`);
  hooks.setExitCode(startFailureExit(code));
}

interface CheckOptions extends GlobalOptions {
  json?: boolean;
  offline?: boolean;
  cluster?: string[];
  user?: string;
}

function check(io: CliIo, hooks: VipdCliHooks, options: CheckOptions): void {
  if (options.cluster !== undefined) {
    hooks.setExitCode(runClusterCheck(io, options.cluster, options.json === true));
    return;
  }
  let host =
    options.offline === true ? 'not checked (--offline)' : 'interfaces and addresses checked';
  const checks: DocumentCheck[] =
    options.offline === true
      ? []
      : checksOnThisHost((reason) => {
          host = `not checked: cannot read this host's interfaces (${reason})`;
          io.stderr(`vipd: host checks skipped: ${reason}\n`);
        });
  if (options.offline !== true) {
    const serviceUser = serviceUserOnThisHost(options.config, options.user);
    if (serviceUser.unknownUser !== undefined) {
      io.stderr(`vipd: --user ${serviceUser.unknownUser}: no such user on this host\n`);
      hooks.setExitCode(EXIT.USAGE);
      return;
    }
    checks.push(...serviceUser.checks);
    host = `${host}; ${serviceUser.note}`;
  }
  if (options.json !== true) {
    const loaded = loadOrReport(io, hooks, options.config, checks);
    if (loaded === null) return;
    io.stdout(`${options.config}: OK\n${summary(loaded.config)}\nhost: ${host}\n`);
    for (const warning of loaded.warnings)
      io.stdout(`warning: ${formatProblemAt(options.config, warning)}\n`);
    hooks.setExitCode(EXIT.OK);
    return;
  }
  const report = { file: options.config, host };
  try {
    const { warnings } = loadConfigFile(options.config, { env: io.env, checks });
    io.stdout(`${JSON.stringify({ ...report, valid: true, problems: [], warnings })}\n`);
    hooks.setExitCode(EXIT.OK);
  } catch (error) {
    const problems =
      error instanceof ConfigError
        ? error.problems
        : [{ path: '', message: (error as Error).message }];
    io.stdout(`${JSON.stringify({ ...report, valid: false, problems, warnings: [] })}\n`);
    hooks.setExitCode(EXIT.CONFIG_INVALID);
  }
}

/** Routes of routed groups, marked proto 241, in any table; returns how many failed. */
function removeManagedRoutes(
  io: CliIo,
  routes: Pick<NetlinkRouteManager, 'listManagedNow' | 'removeNow' | 'close'>,
): number {
  let failures = 0;
  try {
    for (const route of routes.listManagedNow()) {
      const what = `the route to ${route.address} from table ${route.table}`;
      try {
        routes.removeNow(route);
        io.stdout(`removed ${what}\n`);
      } catch (error) {
        failures++;
        io.stderr(`vipd: could not remove ${what}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    routes.close();
  }
  return failures;
}

/** Remove every VIP and VIP route vipd marked as its own (for ExecStopPost); no config needed. */
async function cleanup(io: CliIo, hooks: VipdCliHooks): Promise<void> {
  const missing = (hooks.missingCapabilities ?? missingCapabilities)(['CAP_NET_ADMIN']);
  if (missing.length > 0) {
    io.stderr(`${missingCapabilitySentence(missing, 'remove VIPs')}\n`);
    hooks.setExitCode(EXIT.MISSING_CAPABILITY);
    return;
  }
  const { createAddressManager, createRouteManager } = await import('@vipd/arp');
  const addresses = createAddressManager();
  let failures = 0;
  try {
    const managed = addresses.listManagedNow();
    for (const vip of managed) {
      try {
        addresses.removeNow(vip);
        io.stdout(`removed ${vipText(vip)} from ${vip.interface}\n`);
      } catch (error) {
        failures++;
        io.stderr(
          `vipd: could not remove ${vipText(vip)} from ${vip.interface}: ${(error as Error).message}\n`,
        );
      }
    }
    if (managed.length === 0) io.stdout('no VIPs managed by vipd on this host\n');
    failures += removeManagedRoutes(io, createRouteManager());
  } finally {
    addresses.close();
  }
  hooks.setExitCode(failures === 0 ? EXIT.OK : EXIT.FAILURE);
}

export function buildVipdProgram(io: CliIo, hooks: VipdCliHooks): Command {
  const program = new Command('vipd')
    .description(
      'vipd: virtual IP failover (VRRP semantics over authenticated WebSocket heartbeats)',
    )
    .version(VIPD_VERSION, '-V, --version')
    .addOption(
      new Option('-c, --config <file>', 'configuration file')
        .env('VIPD_CONFIG')
        .default(DEFAULT_CONFIG_FILE),
    )
    .addOption(new Option('--log-level <level>', 'override log.level').argParser(parseLevel))
    .addOption(
      new Option('--log-format <format>', 'override log.format').choices(['json', 'pretty']),
    )
    .configureOutput({
      writeOut: (text) => {
        io.stdout(text);
      },
      writeErr: (text) => {
        io.stderr(text);
      },
    })
    .showHelpAfterError('(run vipd --help for usage)');

  program
    .command('run')
    .description('run a node (a node with no groups is a witness); SIGTERM resigns, SIGHUP reloads')
    .action(async (_options: unknown, command: Command) => {
      await run(io, hooks, command.optsWithGlobals<GlobalOptions>());
    });

  program
    .command('check')
    .description(
      "validate the configuration against this host, or a cluster's files against each other; list every problem with its line; exit 3 if any is an error",
    )
    .option('--json', 'print the result as JSON')
    .option(
      '--offline',
      "skip the checks against this host's interfaces, addresses and the service user's access",
    )
    .option(
      '--user <name>',
      'check that this user can read every file the node opens (default as root: vipd, if it exists)',
    )
    .option('--cluster <files...>', "check that these nodes' files agree (not this host)")
    .action((_options: unknown, command: Command) => {
      check(io, hooks, command.optsWithGlobals<CheckOptions>());
    });

  program
    .command('cleanup')
    .description('remove every VIP vipd added on this host (systemd ExecStopPost)')
    .action(async () => {
      await cleanup(io, hooks);
    });

  program
    .command('keygen')
    .description('print a new random cluster key or API token (base64, 32 bytes)')
    .action(() => {
      io.stdout(`${randomBytes(32).toString('base64')}\n`);
      hooks.setExitCode(EXIT.OK);
    });

  program.addCommand(buildImportKeepalivedCommand({ io, setExitCode: hooks.setExitCode }));

  program.addCommand(
    buildReloadCommand({
      io,
      setExitCode: hooks.setExitCode,
      load: (file) => loadOrReport(io, hooks, file),
    }),
  );

  program.addCommand(
    buildRealServerCommand({
      loadConfig: (globals) => {
        const file =
          typeof globals['config'] === 'string' ? globals['config'] : DEFAULT_CONFIG_FILE;
        const { config } = loadConfigFile(file, { env: io.env });
        if (config.realserver === undefined) {
          return Promise.reject(
            new RealServerError('REALSERVER_CONFIG_INVALID', `${file} has no realserver section`),
          );
        }
        return Promise.resolve(config.realserver);
      },
      write: (text) => {
        io.stdout(text);
      },
      writeError: (text) => {
        io.stderr(text);
      },
      setExitCode: hooks.setExitCode,
    }),
  );
  return program;
}
