// Running an operator's program (a notify hook, a script tracker): no shell, its own process
// group, an explicit environment, a deadline. Shared so both kinds follow the same rules.
//
// The environment is built, never inherited: vipd's own environment may hold
// VIPD_CLUSTER_KEY and VIPD_API_TOKEN, and a script that logs `env` must not leak them.
//
// The result is taken when the direct child EXITS, not when its pipes close: a background
// grandchild (`sleep 30 &`) inherits stdout and keeps the pipe open long after the script
// itself has finished, and waiting for `close` would wedge the hook queue or the tracker.
// The deadline still applies to the whole process group: what the script left behind in it
// is killed then.

import { spawn } from 'node:child_process';
import { systemClock, type Clock, type TimerHandle } from '@vipd/clock';

/** Copied from vipd's own environment when set; everything else is left out. */
export const PASSED_ENV_NAMES: readonly string[] = ['PATH', 'LANG', 'LANGUAGE', 'TZ'];
/** The locale categories (LC_ALL, LC_CTYPE, …) are passed too. */
const PASSED_ENV_PATTERN = /^LC_[A-Z_]+$/;
/** What a script finds when vipd itself runs without PATH (a bare exec from an init system). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/**
 * Output still in the pipes when the child exits is read for this long; after that the
 * pipes are let go, whoever holds their other end.
 */
export const OUTPUT_DRAIN_MS = 50;

/** The environment a script gets: PATH, locale and TZ from vipd's, then vipd's own variables. */
export function scriptEnvironment(
  own: Readonly<Record<string, string>>,
  from: Readonly<Record<string, string | undefined>> = process.env,
): Record<string, string> {
  const env: Record<string, string> = { PATH: DEFAULT_PATH };
  for (const [name, value] of Object.entries(from)) {
    if (value === undefined) continue;
    if (PASSED_ENV_NAMES.includes(name) || PASSED_ENV_PATTERN.test(name)) env[name] = value;
  }
  return { ...env, ...own };
}

export interface ScriptRun {
  readonly path: string;
  readonly args: readonly string[];
  /** vipd's variables for this run (VIPD_GROUP, …); added to scriptEnvironment's. */
  readonly env: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  /** How much of stdout+stderr (together, the end of it) to keep. */
  readonly outputTailChars: number;
  /** Aborting kills the process group, as a timeout does. */
  readonly signal?: AbortSignal;
  /** Times the deadline and the output drain; the program itself runs in real time. */
  readonly clock?: Clock;
}

export type ScriptOutcome =
  | { readonly kind: 'exited'; readonly code: number; readonly output: string }
  | { readonly kind: 'signalled'; readonly signal: string; readonly output: string }
  | { readonly kind: 'timeout'; readonly output: string }
  | { readonly kind: 'aborted'; readonly output: string }
  | { readonly kind: 'spawn-error'; readonly error: Error };

/** Runs the program; never rejects. */
export function runScript(run: ScriptRun): Promise<ScriptOutcome> {
  const clock = run.clock ?? systemClock;
  return new Promise((resolve) => {
    let output = '';
    let ended: 'timeout' | 'aborted' | null = null;
    const child = spawn(run.path, [...run.args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout kills what it started too.
      detached: true,
      env: scriptEnvironment(run.env),
    });
    const keepTail = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-run.outputTailChars);
    };
    child.stdout.on('data', keepTail);
    child.stderr.on('data', keepTail);
    const killGroup = () => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The group is gone already.
      }
    };
    let exited = false;
    const stop = (why: 'timeout' | 'aborted') => {
      // After the script's exit the deadline only clears up what it left in its group.
      if (!exited) ended ??= why;
      killGroup();
    };
    const timer = clock.setTimeout(() => {
      stop('timeout');
    }, run.timeoutMs);
    const onAbort = () => {
      stop('aborted');
    };
    if (run.signal?.aborted === true) onAbort();
    else run.signal?.addEventListener('abort', onAbort, { once: true });

    child.once('error', (error) => {
      clock.clearTimeout(timer);
      run.signal?.removeEventListener('abort', onAbort);
      resolve({ kind: 'spawn-error', error });
    });
    child.once('exit', (code, signal) => {
      exited = true;
      run.signal?.removeEventListener('abort', onAbort);
      // Background children still in the group die at the deadline, as a hung script would:
      // a tracker run every few seconds must not pile them up. The result does not wait.
      unrefIfNodeTimer(timer);
      let settled = false;
      const settle = () => {
        if (settled) return;
        settled = true;
        clock.clearTimeout(drain);
        // A grandchild may hold the other end until the deadline (or for ever, if it left the
        // process group); vipd stops reading now.
        child.stdout.destroy();
        child.stderr.destroy();
        if (ended !== null) resolve({ kind: ended, output });
        else if (code !== null) resolve({ kind: 'exited', code, output });
        else resolve({ kind: 'signalled', signal: signal ?? 'signal', output });
      };
      const drain = clock.setTimeout(settle, OUTPUT_DRAIN_MS);
      child.once('close', settle);
    });
  });
}

/**
 * A deadline kept only to clear up leftovers must not hold vipd (or a test run) open until it
 * falls due. The system clock's handle is a Node timer, which can be told so; a manual
 * clock's handle holds nothing open.
 */
function unrefIfNodeTimer(handle: TimerHandle): void {
  (handle as { unref?: () => unknown }).unref?.();
}
