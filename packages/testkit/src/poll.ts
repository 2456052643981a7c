// The one way a test waits for something another process or the kernel does in its own
// time (a neighbour entry, a daemon's state, a log line). Code that takes a Clock is
// tested on a manual clock instead; this is for what no clock of ours drives.

export interface PollOptions {
  /** Give up after this long. Default 3000 ms. */
  readonly timeoutMs?: number;
  /** Ask again this often. Default 20 ms. */
  readonly intervalMs?: number;
  /** Appended to the timeout error: the state that explains why it never came. */
  readonly describe?: () => string;
}

/** "Not yet": any other value, including 0 and '', is the answer. */
type NotYet = undefined | null | false;

/**
 * Asks `probe` until it answers (anything but undefined, null or false) and returns the
 * answer; after `timeoutMs` it throws, naming `what`, the last error the probe threw and
 * `describe()`. A probe that throws counts as "not yet": the kernel may not have the object.
 */
export async function poll<T>(
  what: string,
  probe: () => T | NotYet | Promise<T | NotYet>,
  { timeoutMs = 3000, intervalMs = 20, describe }: PollOptions = {},
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (error) {
      lastError = error instanceof Error ? error : new Error(String(error));
    }
    if (performance.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  const why = lastError === undefined ? '' : `: ${lastError.message}`;
  const detail = describe === undefined ? '' : ` ${describe()}`;
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}${detail}`);
}
