import { execFileSync } from 'node:child_process';

const COMMAND_TIMEOUT_MS = 15_000;

/**
 * Runs a command to completion (no shell, so lab names are never interpreted) and returns
 * its stdout; a failure throws with the command line and its stderr, which is what a
 * failing lab step needs to say.
 */
export function run(argv: readonly string[], input?: string): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: COMMAND_TIMEOUT_MS,
      input: input ?? '',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`\`${argv.join(' ')}\` failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}
