// A bound on a whole lab scenario. A test that awaits something that never settles would
// otherwise hold the lab (namespaces, daemons, the e2e lock) until CI's own limit ends the run
// with nothing torn down and no hint where it hung; past the deadline the scenario fails, its
// `finally` blocks tear the lab down, and the message says what was still running.

export class ScenarioDeadlineError extends Error {
  constructor(what: string, limitMs: number) {
    super(
      `${what} did not finish within ${limit(limitMs)}: something it awaited ` +
        'never settled; the lab was torn down',
    );
    this.name = 'ScenarioDeadlineError';
  }
}

function limit(ms: number): string {
  return ms >= 60_000 ? `${(ms / 60_000).toFixed(1)} min` : `${ms.toString()} ms`;
}

/** `work`, or a ScenarioDeadlineError once `limitMs` has passed (the work is left behind). */
export async function withinDeadline<T>(
  work: Promise<T>,
  limitMs: number,
  what: string,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new ScenarioDeadlineError(what, limitMs));
    }, limitMs);
  });
  // The work may still fail after the deadline; that is no second failure to report.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
