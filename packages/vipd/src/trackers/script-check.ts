import { systemClock, type Clock } from '@vipd/clock';
import { runScript } from '../run-script.js';
import { errorText, type Check } from './check.js';

const OUTPUT_TAIL_CHARS = 200;

/**
 * Runs a program (no shell); healthy on exit status 0 within the timeout. An overrunning
 * program is killed with its whole process group, so a hung `curl` in a script dies too.
 * Its environment is runScript's (PATH, locale, TZ) plus VIPD_TRACKER=1, never vipd's secrets.
 */
export function scriptCheck(
  path: string,
  args: readonly string[],
  timeoutMs: number,
  clock: Clock = systemClock,
): Check {
  return async (signal) => {
    const outcome = await runScript({
      path,
      args,
      env: { VIPD_TRACKER: '1' },
      timeoutMs,
      outputTailChars: OUTPUT_TAIL_CHARS,
      signal,
      clock,
    });
    if (outcome.kind === 'spawn-error')
      return { ok: false, detail: `cannot run ${path}: ${errorText(outcome.error)}` };
    const tail = outcome.output.trim().split('\n').pop() ?? '';
    switch (outcome.kind) {
      case 'timeout':
        return { ok: false, detail: `killed after ${timeoutMs}ms timeout` };
      case 'aborted':
        return { ok: false, detail: 'stopped by vipd' };
      case 'exited':
        if (outcome.code === 0)
          return { ok: true, detail: tail === '' ? 'exit 0' : `exit 0: ${tail}` };
        return { ok: false, detail: withTail(`exit ${outcome.code}`, tail) };
      case 'signalled':
        return { ok: false, detail: withTail(`killed by ${outcome.signal}`, tail) };
    }
  };
}

function withTail(how: string, tail: string): string {
  return tail === '' ? how : `${how}: ${tail}`;
}
