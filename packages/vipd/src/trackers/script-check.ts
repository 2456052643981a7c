import { spawn } from 'node:child_process';
import { errorText, type Check } from './check.js';

const OUTPUT_TAIL_CHARS = 200;

/**
 * Runs a program (no shell); healthy on exit status 0 within the timeout. An overrunning
 * program is killed with its whole process group, so a hung `curl` in a script dies too.
 */
export function scriptCheck(path: string, args: readonly string[], timeoutMs: number): Check {
  return (signal) =>
    new Promise((resolve) => {
      let output = '';
      let timedOut = false;
      const child = spawn(path, args, {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
        env: { ...process.env, VIPD_TRACKER: '1' },
      });
      const keepTail = (chunk: Buffer) => {
        output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
      };
      child.stdout.on('data', keepTail);
      child.stderr.on('data', keepTail);
      const killGroup = () => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // Already gone.
        }
      };
      const timer = setTimeout(() => {
        timedOut = true;
        killGroup();
      }, timeoutMs);
      const onAbort = () => {
        killGroup();
      };
      signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (error) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve({ ok: false, detail: `cannot run ${path}: ${errorText(error)}` });
      });
      child.once('close', (code, killSignal) => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        const tail = output.trim().split('\n').pop() ?? '';
        if (timedOut) resolve({ ok: false, detail: `killed after ${timeoutMs}ms timeout` });
        else if (code === 0)
          resolve({ ok: true, detail: tail === '' ? 'exit 0' : `exit 0: ${tail}` });
        else {
          const how = code === null ? `killed by ${killSignal ?? 'signal'}` : `exit ${code}`;
          resolve({ ok: false, detail: tail === '' ? how : `${how}: ${tail}` });
        }
      });
    });
}
