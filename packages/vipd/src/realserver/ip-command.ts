// Runs one `ip` (or `ip netns exec … cat|tee`) command for the real-server role: bounded in
// time, with none of vipd's environment, its failure a REALSERVER_COMMAND_FAILED naming it.

import { execFile } from 'node:child_process';
import { scriptEnvironment } from '../run-script.js';
import { RealServerError } from './errors.js';

/** An `ip` command still running after this is killed and the operation fails. */
export const COMMAND_TIMEOUT_MS = 10_000;

export interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCommand(argv: readonly string[], stdin?: string): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: COMMAND_TIMEOUT_MS,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        // `ip` needs none of vipd's environment, and certainly not its secrets.
        env: scriptEnvironment({}),
      },
      (error, stdout, stderr) => {
        resolve({ ok: error === null, stdout, stderr: stderr || (error?.message ?? '') });
      },
    );
    // A command that exits before reading stdin (most do) must not crash us with EPIPE;
    // its exit status already says whether it worked.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });
}

export function commandFailed(argv: readonly string[], result: CommandResult): RealServerError {
  return new RealServerError(
    'REALSERVER_COMMAND_FAILED',
    `\`${argv.join(' ')}\` failed: ${result.stderr.trim()}`,
  );
}

export function parseJsonArray<T>(argv: readonly string[], text: string): T[] {
  try {
    const value: unknown = JSON.parse(text.trim() === '' ? '[]' : text);
    if (!Array.isArray(value)) throw new Error('not a JSON array');
    return value as T[];
  } catch (error) {
    throw new RealServerError(
      'REALSERVER_COMMAND_FAILED',
      `\`${argv.join(' ')}\` printed output that is not JSON`,
      { cause: error },
    );
  }
}
