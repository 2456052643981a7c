import { execFile, spawnSync } from 'node:child_process';
import { LabError } from './errors.js';

/** What one command printed. */
export interface CommandOutput {
  readonly stdout: string;
  readonly stderr: string;
}

function describe(argv: readonly string[]): string {
  return argv.join(' ');
}

/**
 * Runs a command to completion (no shell, so lab names can never be interpreted) and
 * resolves with its output; a non-zero exit becomes LAB_COMMAND_FAILED carrying stderr.
 */
export function runCommand(argv: readonly string[], timeoutMs = 10_000): Promise<CommandOutput> {
  const [file, ...args] = argv;
  if (file === undefined) throw new LabError('LAB_BAD_ARGUMENT', 'empty command');
  return new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) {
          reject(
            new LabError(
              'LAB_COMMAND_FAILED',
              `\`${describe(argv)}\` failed: ${stderr.trim() || error.message}`,
              { cause: error },
            ),
          );
          return;
        }
        resolve({ stdout, stderr });
      },
    );
  });
}

/** Output of a command that must succeed, synchronously (setup steps that cannot race). */
export function readCommandSync(argv: readonly string[], timeoutMs = 10_000): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new LabError('LAB_BAD_ARGUMENT', 'empty command');
  const result = spawnSync(file, args, { timeout: timeoutMs, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new LabError(
      'LAB_COMMAND_FAILED',
      `\`${describe(argv)}\` failed: ${result.stderr.trim() || String(result.error ?? result.status)}`,
    );
  }
  return result.stdout;
}
