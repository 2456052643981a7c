// `vipctl events` (the history, or --follow it) and `vipctl watch` (the status table, redrawn
// from the event stream whenever something happens, like watch(1) but without polling).

import { Command, InvalidArgumentError, Option } from 'commander';
import type { StatusView } from '../api/control.js';
import { followEvents, FollowRefused } from '../events/follow-client.js';
import { followResumed, StreamEnded } from './resumed-follow.js';
import type { VipdEvent } from '../events/types.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { CliFailure, type NodeTarget } from './node-target.js';
import {
  call,
  failIfError,
  renderStatus,
  type VipctlAction,
  type VipctlHooks,
  type VipctlOptions,
  type VipctlPrint,
} from './vipctl.js';

export interface EventCommandContext {
  readonly hooks: VipctlHooks;
  readonly io: CliIo;
  readonly action: VipctlAction;
  readonly print: VipctlPrint;
}

interface EventsOptions extends VipctlOptions {
  group?: string;
  since?: number;
  limit: number;
  follow?: boolean;
  reconnect: boolean;
}

/** Events shown under the table of `vipctl watch`. */
const WATCH_RECENT = 8;
/** Redraws of `vipctl watch` come at most this often, however busy the stream. */
const WATCH_REDRAW_MS = 200;

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('a whole number, 0 or more');
  return n;
}

/** One line per event: when, what, which group, the change, why, who, and the sentence. */
export function renderEvent(event: VipdEvent): string {
  const change =
    event.from !== undefined || event.to !== undefined
      ? `${event.from ?? ''}->${event.to ?? ''}`
      : '';
  const parts = [
    new Date(event.timeMs).toISOString(),
    `#${event.seq}`,
    event.kind,
    event.group ?? event.subject ?? '-',
    change,
    event.reason,
    event.actor === undefined ? '' : `by ${event.actor}`,
  ].filter((p) => p !== '');
  return `${parts.join('  ')}${event.detail === undefined ? '' : `: ${event.detail}`}\n`;
}

function streamFailure(error: unknown, api: string): CliFailure {
  if (error instanceof StreamEnded)
    return new CliFailure(EXIT.UNAVAILABLE, 'STREAM_ENDED', error.message);
  if (error instanceof FollowRefused) {
    const body = /"code":"([A-Z_]+)"/.exec(error.body);
    return new CliFailure(
      error.status === 503 ? EXIT.UNAVAILABLE : EXIT.FAILURE,
      body?.[1] ?? `HTTP_${error.status}`,
      `following events failed: ${error.message}`,
    );
  }
  return new CliFailure(
    EXIT.UNAVAILABLE,
    'API_UNREACHABLE',
    `the event stream of ${api} ended: ${(error as Error).message}`,
  );
}

interface FollowRequest {
  readonly group?: string;
  readonly lastEventId: number;
  readonly reconnect: boolean;
  readonly timeoutMs: number;
  readonly onEvent: (e: VipdEvent) => void;
  readonly onComment?: () => void;
}

/** The newest seq the node has recorded, or null if it cannot be asked now. */
async function newestSeq(
  ctx: EventCommandContext,
  target: NodeTarget,
  timeoutMs: number,
): Promise<number | null> {
  try {
    const answer = await call(ctx.hooks, target, {
      method: 'GET',
      path: '/v1/events?limit=1',
      timeoutMs,
    });
    const body = answer.body as { lastSeq?: unknown };
    return answer.status === 200 && typeof body.lastSeq === 'number' ? body.lastSeq : null;
  } catch {
    return null;
  }
}

/**
 * Follows the node's events until Ctrl-C (or the hooks' signal), reconnecting through restarts;
 * with `reconnect: false`, until the stream ends, which fails with exit 8 like a lost node.
 */
async function follow(
  ctx: EventCommandContext,
  target: NodeTarget,
  request: FollowRequest,
): Promise<void> {
  const api = target.url().url;
  const { hooks, io } = ctx;
  const shared = {
    api,
    lastEventId: request.lastEventId,
    ...(hooks.fetch === undefined ? {} : { fetch: hooks.fetch }),
    ...(request.group === undefined ? {} : { group: request.group }),
    ...(hooks.signal === undefined ? {} : { signal: hooks.signal }),
    onEvent: request.onEvent,
    ...(request.onComment === undefined ? {} : { onComment: request.onComment }),
  };
  try {
    if (request.reconnect) {
      await followResumed({
        ...shared,
        newestSeq: () => newestSeq(ctx, target, request.timeoutMs),
        notice: (text) => {
          io.stderr(`vipctl: ${text}\n`);
        },
      });
      return;
    }
    await followEvents(shared);
  } catch (error) {
    throw streamFailure(error, api);
  }
  if (hooks.signal?.aborted !== true) throw streamFailure(new StreamEnded(api), api);
}

const NO_RECONNECT =
  'exit (status 8) when the stream ends or the node cannot be reached, instead of reconnecting';

export function addEventCommands(program: Command, ctx: EventCommandContext): void {
  const { hooks, io, action, print } = ctx;

  program
    .command('events')
    .description(
      'what happened and why: transitions, operator actions, peers, trackers, conflicts, hooks, reloads',
    )
    .option('--group <group>', 'only events of this group')
    .addOption(new Option('--since <seq>', 'only events after this seq').argParser(parseCount))
    .addOption(
      new Option('--limit <n>', 'at most this many (the newest, or the oldest after --since)')
        .argParser(parseCount)
        .default(50),
    )
    .option('-f, --follow', 'then print each new event as it happens (Ctrl-C to stop)')
    .option('--no-reconnect', NO_RECONNECT)
    .action(
      action(async (options, target) => {
        const { group, since, limit, follow: live, reconnect } = options as EventsOptions;
        const query = new URLSearchParams();
        if (group !== undefined) query.set('group', group);
        if (since !== undefined) query.set('since', String(since));
        query.set('limit', String(Math.max(1, limit)));
        const answer = await call(hooks, target, {
          method: 'GET',
          path: `/v1/events?${query.toString()}`,
          timeoutMs: options.requestTimeout,
        });
        failIfError(answer, 'events');
        const page = answer.body as { lastSeq: number; events: VipdEvent[] };
        const shown = limit === 0 ? [] : page.events;
        if (live !== true) {
          print(options, page, () => shown.map(renderEvent).join(''));
          return;
        }
        const line = (event: VipdEvent) => {
          io.stdout(options.json === true ? `${JSON.stringify(event)}\n` : renderEvent(event));
        };
        for (const event of shown) line(event);
        await follow(ctx, target, {
          ...(group === undefined ? {} : { group }),
          lastEventId: page.lastSeq,
          reconnect,
          timeoutMs: options.requestTimeout,
          onEvent: line,
        });
      }),
    );

  program
    .command('watch')
    .description('the status table, redrawn live from the event stream (Ctrl-C to stop)')
    .option('--no-reconnect', NO_RECONNECT)
    .action(
      action(async (options, target) => {
        const { reconnect } = options as VipctlOptions & { reconnect: boolean };
        const recent: VipdEvent[] = [];
        const status = async (): Promise<StatusView> => {
          const answer = await call(hooks, target, {
            method: 'GET',
            path: '/v1/status',
            timeoutMs: options.requestTimeout,
          });
          failIfError(answer, 'status');
          return answer.body as StatusView;
        };
        const redraw = watchRedraw(io, status, recent, target);
        await redraw.now();
        await follow(ctx, target, {
          lastEventId: (await newestSeq(ctx, target, options.requestTimeout)) ?? 0,
          reconnect,
          timeoutMs: options.requestTimeout,
          onEvent: (event) => {
            recent.push(event);
            if (recent.length > WATCH_RECENT) recent.shift();
            redraw.soon();
          },
          // The heartbeat comment: the "ago" columns move on while nothing happens.
          onComment: () => {
            redraw.soon();
          },
        });
      }),
    );
}

/** Redraws at most every WATCH_REDRAW_MS; a failed status read is shown, not fatal. */
function watchRedraw(
  io: CliIo,
  status: () => Promise<StatusView>,
  recent: readonly VipdEvent[],
  target: NodeTarget,
): { now: () => Promise<void>; soon: () => void } {
  let pending: NodeJS.Timeout | null = null;
  const now = async () => {
    let body: string;
    try {
      body = renderStatus(await status());
    } catch (error) {
      body = `${target.url().url}: ${(error as Error).message}\n`;
    }
    const events =
      recent.length === 0 ? '' : `\nrecent events:\n${recent.map(renderEvent).join('')}`;
    // Home and clear, as watch(1) does; then the table and the newest events.
    io.stdout(`\u001b[H\u001b[2J${new Date().toISOString()}  vipctl watch\n\n${body}${events}`);
  };
  return {
    now,
    soon: () => {
      pending ??= setTimeout(() => {
        pending = null;
        void now();
      }, WATCH_REDRAW_MS);
    },
  };
}
