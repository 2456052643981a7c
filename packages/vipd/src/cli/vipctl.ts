// `vipctl`: the operator's client for one node's REST API. Finds the API and the token in
// the node's config (-c, default /etc/vipd/vipd.yaml), unless flags or the environment name
// them; prints a table (or --json); exits with a status that says what happened
// (cli/exit-codes.ts).

import { Command, InvalidArgumentError, Option } from 'commander';
import type { GroupView, MaintenanceResult, StatusView, TakeoverResult } from '../api/control.js';
import { CliFailure, NodeTarget, type NodeTargetOptions } from './node-target.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { DEFAULT_CONFIG_FILE } from './node-config.js';
import { VIPD_VERSION } from '../version.js';
import {
  clusterProblems,
  clusterViews,
  collectPeerApi,
  renderClusterStatus,
  statusProblems,
  STATUS_EXIT_HELP,
  throwIfUnhealthy,
} from './status-health.js';
import { addEventCommands } from './vipctl-events.js';

export const DEFAULT_API = 'http://127.0.0.1:7411';

/**
 * A takeover or release answers within its --timeout (504 after it); the request waits this
 * much longer, so a slow move is reported as the node's answer, never as "cannot reach".
 */
export const MOVE_REPLY_MARGIN_MS = 5000;

export interface VipctlOptions extends NodeTargetOptions {
  json?: boolean;
  requestTimeout: number;
}

export type VipctlAction = <A extends unknown[]>(
  body: (options: VipctlOptions, target: NodeTarget, ...args: A) => Promise<void>,
) => (...args: [...A, unknown, Command]) => Promise<void>;

export type VipctlPrint = (options: VipctlOptions, body: unknown, human: () => string) => void;

export interface VipctlHooks {
  readonly setExitCode: (code: number) => void;
  readonly fetch?: typeof fetch;
  /** Ends `events --follow` and `watch` (exit 0); the command line ends them with Ctrl-C. */
  readonly signal?: AbortSignal;
}

export interface ApiAnswer {
  readonly status: number;
  readonly body: unknown;
}

export interface ApiRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly timeoutMs: number;
  readonly token?: string;
  readonly body?: unknown;
}

export async function call(
  hooks: VipctlHooks,
  target: Pick<NodeTarget, 'url'>,
  request: ApiRequest,
): Promise<ApiAnswer> {
  const api = target.url();
  const headers: Record<string, string> = { accept: 'application/json' };
  if (request.token !== undefined) headers['authorization'] = `Bearer ${request.token}`;
  if (request.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await (hooks.fetch ?? fetch)(`${api.url}${request.path}`, {
      method: request.method,
      headers,
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(request.timeoutMs),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    const why = cause === 'TimeoutError' ? `no answer within ${request.timeoutMs} ms` : cause;
    throw new CliFailure(
      EXIT.UNAVAILABLE,
      'API_UNREACHABLE',
      `cannot reach the vipd API at ${api.url} (${why}); is vipd running? (the address is ${api.source})`,
    );
  }
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // Not JSON: keep the text for the message.
  }
  return { status: response.status, body: parsed };
}

function exitFor(status: number): number {
  if (status === 409) return EXIT.REFUSED;
  // 421: the node refuses the host name in the URL (api.allowed_hosts): an access refusal.
  if (status === 401 || status === 403 || status === 421) return EXIT.UNAUTHORIZED;
  if (status === 404) return EXIT.NOT_FOUND;
  if (status === 503 || status === 504) return EXIT.UNAVAILABLE;
  return EXIT.FAILURE;
}

/** What to do about a 421, which the API's own message cannot say: it does not know vipctl. */
const HOST_REFUSED_HINT =
  '; use the IP address in --api, or add the name to api.allowed_hosts on the node';

/** Turns an error answer into a CliFailure with the API's code and message. */
export function failIfError(answer: ApiAnswer, what: string): void {
  if (answer.status >= 200 && answer.status < 300) return;
  const body = answer.body as { code?: string; message?: string } | string;
  const code =
    typeof body === 'object' ? (body.code ?? `HTTP_${answer.status}`) : `HTTP_${answer.status}`;
  const message = typeof body === 'object' ? (body.message ?? '') : body;
  const verb = answer.status === 409 ? 'refused' : 'failed';
  const hint = answer.status === 421 ? HOST_REFUSED_HINT : '';
  throw new CliFailure(exitFor(answer.status), code, `${what} ${verb}: ${code}: ${message}${hint}`);
}

// ---- human output ----

export function table(rows: readonly (readonly string[])[]): string {
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, column) =>
          column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

function ago(iso: string | null, nowMs: number): string {
  if (iso === null) return 'never';
  const seconds = (nowMs - Date.parse(iso)) / 1000;
  return seconds < 0.05
    ? 'just now'
    : `${seconds < 10 ? seconds.toFixed(1) : Math.round(seconds)}s ago`;
}

function rtt(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1 ? `${(ms * 1000).toFixed(0)}µs` : `${ms.toFixed(1)}ms`;
}

/** A mesh master holds an epoch; a VRRP master is an address speaking for a VRID. */
function masterTerm(view: GroupView): string {
  // A node older than VRRP support answers without the field at all.
  const vrrp = view.vrrp as GroupView['vrrp'] | undefined;
  return vrrp === null || vrrp === undefined
    ? `at epoch ${view.epoch}`
    : `(VRRP vrid ${vrrp.vrid})`;
}

export function renderStatus(status: StatusView, nowMs = Date.now()): string {
  const { node, quorum } = status;
  const lines = [
    `node ${node.id}  vipd ${node.version}  ${node.phase}${node.maintenance ? '  MAINTENANCE' : ''}${node.witness ? '  witness' : ''}  up ${Math.round(node.uptimeSeconds)}s`,
    `quorum: ${quorum.enabled ? `${quorum.hasQuorum ? 'held' : 'LOST'} (hears ${quorum.votersHeard} of ${quorum.voters} voters)` : `off (hears ${quorum.votersHeard} of ${quorum.voters})`}`,
    '',
  ];
  if (status.groups.length > 0) {
    lines.push(
      table([
        ['GROUP', 'STATE', 'MODE', 'MASTER', 'PRIO', 'EFFECTIVE', 'EPOCH', 'VIPS'],
        ...status.groups.map((g) => [
          g.name,
          `${g.state}${g.forced ? ' (forced)' : ''}`,
          // A VRRP group's master is an address on the wire, and it has no epochs.
          g.vrrp === null ? 'mesh' : `vrrp ${g.vrrp.vrid}`,
          g.master ?? '-',
          String(g.priority),
          String(g.effectivePriority),
          g.vrrp === null ? String(g.epoch) : '-',
          `${g.addresses.join(', ')} on ${g.interface}${g.state === 'MASTER' && !g.announced ? ' (not yet announced)' : ''}`,
        ]),
      ]),
      '',
    );
  } else {
    lines.push('no groups (witness)', '');
  }
  lines.push(
    status.peers.length === 0
      ? 'no peers'
      : table([
          ['PEER', 'ADDRESS', 'UP', 'RTT', 'LAST HEARTBEAT', 'PATH'],
          ...status.peers.map((p) => [
            p.id,
            p.address,
            p.up ? 'up' : 'DOWN',
            rtt(p.rttMs),
            ago(p.lastHeartbeatAt, nowMs),
            p.path ?? '-',
          ]),
        ]),
  );
  const failing = status.trackers.filter((t) => t.up === false);
  if (failing.length > 0)
    lines.push(
      '',
      `failing trackers: ${failing.map((t) => `${t.name} (${t.detail ?? 'down'})`).join(', ')}`,
    );
  return `${lines.join('\n')}\n`;
}

const REASON_OPTION = [
  '--reason <text>',
  'why (a ticket, "kernel upgrade"): kept in the audit log and the event history',
] as const;
const ACTOR_OPTION = ['--actor <name>', 'who asks (default: $SUDO_USER, else $USER)'] as const;

/** The optional reason and actor of an operator command; the login name when none is given. */
function operatorCall(
  options: VipctlOptions,
  env: Readonly<Record<string, string | undefined>>,
): { reason?: string; actor?: string } {
  const { reason, actor } = options as VipctlOptions & { reason?: string; actor?: string };
  const who = actor ?? (env['SUDO_USER'] || env['USER'] || undefined);
  return {
    ...(reason === undefined ? {} : { reason }),
    ...(who === undefined ? {} : { actor: who }),
  };
}

function parseTimeout(value: string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms < 1 || ms > 60_000)
    throw new InvalidArgumentError('milliseconds, 1 to 60000');
  return ms;
}

export function buildVipctlProgram(io: CliIo, hooks: VipctlHooks): Command {
  const program = new Command('vipctl')
    .description('control a vipd node over its REST API')
    .version(VIPD_VERSION, '-V, --version')
    .addOption(
      new Option('-c, --config <file>', "the node's config: where its API listens, its token")
        .env('VIPD_CONFIG')
        .default(DEFAULT_CONFIG_FILE),
    )
    .addOption(
      new Option(
        '--api <url>',
        `the node's API (default: api.listen in the config, else ${DEFAULT_API})`,
      ).env('VIPD_API'),
    )
    .addOption(
      new Option(
        '--token-file <file>',
        "file holding the API token (or set VIPD_API_TOKEN; default: the config's api.token_file)",
      ),
    )
    .option('--json', "print the API's JSON answer")
    .addOption(
      new Option('--request-timeout <ms>', 'give up on the API after this long')
        .argParser(parseTimeout)
        .default(10_000),
    )
    .configureOutput({
      writeOut: (text) => {
        io.stdout(text);
      },
      writeErr: (text) => {
        io.stderr(text);
      },
    })
    .showHelpAfterError('(run vipctl --help for usage)');

  const action: VipctlAction =
    <A extends unknown[]>(
      body: (options: VipctlOptions, target: NodeTarget, ...args: A) => Promise<void>,
    ) =>
    async (...args: [...A, unknown, Command]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      const options = command.optsWithGlobals<VipctlOptions>();
      // An empty VIPD_CONFIG counts as unset, as an empty VIPD_API does.
      const configExplicit =
        program.getOptionValueSource('config') !== 'default' && options.config !== '';
      const target = new NodeTarget(
        io,
        { ...options, config: configExplicit ? options.config : DEFAULT_CONFIG_FILE },
        { configExplicit, defaultApi: DEFAULT_API },
      );
      try {
        await body(options, target, ...(args.slice(0, -2) as A));
        hooks.setExitCode(EXIT.OK);
      } catch (error) {
        if (!(error instanceof CliFailure)) throw error;
        if (options.json === true)
          io.stdout(`${JSON.stringify({ code: error.code, message: error.message })}\n`);
        io.stderr(`vipctl: ${error.message}\n`);
        hooks.setExitCode(error.exitCode);
      }
    };

  const print: VipctlPrint = (options, body, human) => {
    io.stdout(options.json === true ? `${JSON.stringify(body, null, 2)}\n` : human());
  };

  program
    .command('status')
    .description(
      'groups (state, master, priorities, epoch), peers (up, RTT, last heartbeat), trackers',
    )
    .option('--cluster', "one table of every node's view, asking each peer's API")
    .addOption(
      new Option(
        '--peer-api <id=url>',
        "a peer's API (repeat; default: the peer's heartbeat host with this node's API port)",
      )
        .argParser(collectPeerApi)
        .default({}),
    )
    .addHelpText('after', STATUS_EXIT_HELP)
    .action(
      action(async (options, target) => {
        const { cluster, peerApi } = options as VipctlOptions & {
          cluster?: boolean;
          peerApi: Record<string, string>;
        };
        const answer = await call(hooks, target, {
          method: 'GET',
          path: '/v1/status',
          timeoutMs: options.requestTimeout,
        });
        failIfError(answer, 'status');
        const status = answer.body as StatusView;
        if (cluster === true) {
          const views = await clusterViews(hooks, target, status, peerApi, options.requestTimeout);
          print(options, views, () => renderClusterStatus(views));
          throwIfUnhealthy(clusterProblems(views));
          return;
        }
        print(options, status, () => renderStatus(status));
        throwIfUnhealthy(statusProblems(status));
      }),
    );

  addEventCommands(program, { hooks, io, action, print });

  /**
   * takeover and release: one POST on a group that the node answers once the VIPs have moved
   * (or with why not), so both share the timeout option, the call and the error handling.
   */
  function groupMove(
    verb: 'takeover' | 'release',
    description: string,
    timeoutHelp: string,
    render: (group: string, body: unknown) => string,
  ): void {
    program
      .command(verb)
      .description(description)
      .argument('<group>')
      .addOption(new Option('--timeout <ms>', timeoutHelp).argParser(parseTimeout).default(5000))
      .option(...REASON_OPTION)
      .option(...ACTOR_OPTION)
      .action(
        action(async (options, target, group: string) => {
          const timeout = (options as VipctlOptions & { timeout: number }).timeout;
          const token = target.token();
          const answer = await call(hooks, target, {
            method: 'POST',
            path: `/v1/groups/${encodeURIComponent(group)}/${verb}?timeout_ms=${timeout}`,
            timeoutMs: Math.max(options.requestTimeout, timeout + MOVE_REPLY_MARGIN_MS),
            token,
            body: operatorCall(options, io.env),
          });
          failIfError(answer, `${verb} ${group}`);
          print(options, answer.body, () => render(group, answer.body));
        }),
      );
  }

  groupMove(
    'takeover',
    'make this node master of GROUP now; returns once the VIPs are announced',
    'how long the node waits for the VIPs to move',
    (group, body) => {
      const result = body as TakeoverResult;
      return `${group}: ${result.group.master ?? '?'} is master ${masterTerm(result.group)}; ${result.group.addresses.join(', ')} announced after ${result.durationMs.toFixed(1)}ms\n`;
    },
  );

  groupMove(
    'release',
    'hand GROUP to the best other node; returns once it took over and the VIPs are gone here',
    'how long the node waits for another master',
    (group, body) => {
      const view = body as GroupView;
      if (view.vrrp !== null)
        return `${group}: released; advertising priority ${view.effectivePriority} again, ${view.master ?? 'no one yet'} is master ${masterTerm(view)}\n`;
      return `${group}: released; ${view.master ?? 'another node'} is master at epoch ${view.epoch}\n`;
    },
  );

  program
    .command('maintenance')
    .description('on: drain this node (every group hands over, stays backup); off: back to normal')
    .argument('<on|off>', 'on or off', (value: string) => {
      if (value !== 'on' && value !== 'off') throw new InvalidArgumentError('on or off');
      return value;
    })
    .option(...REASON_OPTION)
    .option(...ACTOR_OPTION)
    .action(
      action(async (options, target, mode: string) => {
        const token = target.token();
        const answer = await call(hooks, target, {
          method: 'POST',
          path: '/v1/maintenance',
          timeoutMs: options.requestTimeout,
          token,
          body: { enabled: mode === 'on', ...operatorCall(options, io.env) },
        });
        failIfError(answer, `maintenance ${mode}`);
        print(options, answer.body, () => {
          const { persisted, persistError } = answer.body as MaintenanceResult;
          // The setting is in force either way; a restart may not keep it.
          return persisted === false
            ? `maintenance ${mode}, but NOT saved for a restart: ${persistError ?? 'state file not written'}\n`
            : `maintenance ${mode}\n`;
        });
      }),
    );

  return program;
}
