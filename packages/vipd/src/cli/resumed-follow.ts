// The event stream as `vipctl events --follow` and `vipctl watch` read it: one that outlives a
// restart of the node or a moment the API cannot be reached. When the stream ends or cannot be
// opened, it is opened again after a backoff (cockatiel), resuming after the last event seen
// (Last-Event-ID), so nothing the node still keeps is missed or printed twice. A node that
// restarted numbers its events from 1 again and would answer "nothing after #N": then the
// follow starts over from the oldest event the new process kept, and says so.

import { ExponentialBackoff, handleWhen, retry } from 'cockatiel';
import { followEvents, FollowRefused } from '../events/follow-client.js';
import type { VipdEvent } from '../events/types.js';

/** Waits between attempts: quick after a restart, at most this long while the node is away. */
export const RESUME_INITIAL_DELAY_MS = 250;
export const RESUME_MAX_DELAY_MS = 5_000;

export interface ResumedFollowOptions {
  readonly api: string;
  readonly group?: string;
  /** The last event already shown (from the page fetched before following). */
  readonly lastEventId: number;
  /** The node's newest seq now, or null if it cannot be read (asked after each cut). */
  readonly newestSeq: () => Promise<number | null>;
  readonly onEvent: (event: VipdEvent) => void;
  readonly onComment?: () => void;
  /** One line for the operator about a cut, a retry or a resumption (stderr). */
  readonly notice: (text: string) => void;
  readonly fetch?: typeof fetch;
  readonly signal?: AbortSignal;
  readonly initialDelayMs?: number;
  readonly maxDelayMs?: number;
}

/** The stream ended although the node answered: it is stopping or restarting. */
export class StreamEnded extends Error {
  constructor(api: string) {
    super(`${api} closed the event stream (stopping?)`);
  }
}

/**
 * A refusal that asking again cannot mend (a wrong token, a bad group): every 4xx. A 503 (too
 * many streams, or the node starting) and every network error are tried again.
 */
function retryable(error: Error): boolean {
  return !(error instanceof FollowRefused) || error.status >= 500;
}

/** Follows until the signal aborts (resolves) or the node refuses for good (rejects). */
export async function followResumed(options: ResumedFollowOptions): Promise<void> {
  let lastSeen = options.lastEventId;
  let cut = false;
  const policy = retry(handleWhen(retryable), {
    maxAttempts: Number.POSITIVE_INFINITY,
    backoff: new ExponentialBackoff({
      initialDelay: options.initialDelayMs ?? RESUME_INITIAL_DELAY_MS,
      maxDelay: options.maxDelayMs ?? RESUME_MAX_DELAY_MS,
    }),
  });
  policy.onRetry((reason) => {
    if (cut) return;
    cut = true;
    const why = 'error' in reason ? reason.error.message : 'no answer';
    options.notice(`lost the event stream of ${options.api}: ${why}; reconnecting`);
  });
  const attempt = async (): Promise<void> => {
    if (cut) lastSeen = await resumePoint(options, lastSeen);
    await followEvents({
      api: options.api,
      lastEventId: lastSeen,
      ...(options.group === undefined ? {} : { group: options.group }),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
      onOpen: () => {
        if (!cut) return;
        cut = false;
        options.notice(`resumed the event stream of ${options.api} after #${lastSeen}`);
      },
      onEvent: (event) => {
        lastSeen = event.seq;
        options.onEvent(event);
      },
      ...(options.onComment === undefined ? {} : { onComment: options.onComment }),
    });
    if (options.signal?.aborted !== true) throw new StreamEnded(options.api);
  };
  try {
    await policy.execute(attempt, options.signal);
  } catch (error) {
    if (options.signal?.aborted === true) return;
    throw error;
  }
}

/** Where to resume: after the last event seen, or from the start if the node restarted. */
async function resumePoint(options: ResumedFollowOptions, lastSeen: number): Promise<number> {
  const newest = await options.newestSeq();
  if (newest === null || newest >= lastSeen) return lastSeen;
  options.notice(
    `${options.api} restarted (its events now end at #${newest}); following its new history from the start`,
  );
  return 0;
}
