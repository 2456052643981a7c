// A check is one probe of something a group depends on. It never throws: every failure is a
// result with a detail an operator can read in `vipctl status` and the logs.

export interface CheckResult {
  readonly ok: boolean;
  /** Short human text: "HTTP 503", "connection refused", "exit 2: disk full". */
  readonly detail: string;
  /** File trackers only: the number read from the file. */
  readonly value?: number;
}

/** Runs one probe; `signal` aborts it when the daemon stops. */
export type Check = (signal: AbortSignal) => Promise<CheckResult>;

export function errorText(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === undefined ? error.message : `${code}: ${error.message}`;
  }
  return String(error);
}
