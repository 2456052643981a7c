// journald priorities for vipd's JSON lines. systemd reads a `<N>` prefix on each line a
// service writes to stdout (sd-daemon(3), SyslogLevelPrefix=yes, the default) as the line's
// syslog priority and strips it; without one every line is priority 6 (info), and
// `journalctl -p warning -u vipd` showed nothing. The JSON after the prefix is unchanged.

import { fstatSync } from 'node:fs';
import { pino, type DestinationStream, type Level } from 'pino';

/** syslog priority for each pino level (sd-daemon.h: SD_CRIT 2 … SD_DEBUG 7). */
export const JOURNAL_PRIORITY: Readonly<Record<Level, number>> = {
  fatal: 2,
  error: 3,
  warn: 4,
  info: 6,
  debug: 7,
  trace: 7,
};

/** `<N>` before every line, N from the line's level; pino's multistream routes by level. */
export function journalDestination(destination: DestinationStream): DestinationStream {
  const levels = Object.entries(JOURNAL_PRIORITY) as [Level, number][];
  return pino.multistream(
    levels.map(([level, priority]) => ({
      level,
      stream: {
        write: (line: string) => {
          destination.write(`<${priority}>${line}`);
        },
      },
    })),
    // Each line goes to the stream of the highest level it reaches: its own, once.
    { dedupe: true },
  );
}

/**
 * Whether stdout is connected to the journal: systemd sets JOURNAL_STREAM to the device and
 * inode of that stream (systemd.exec(5)); matching it against fd 1 tells a service started
 * by systemd from a child that merely inherited the variable with stdout redirected.
 */
export function stdoutIsJournal(
  env: Readonly<Record<string, string | undefined>>,
  statStdout: () => { dev: number; ino: number } = () => fstatSync(1),
): boolean {
  const stream = env['JOURNAL_STREAM'];
  if (stream === undefined || stream === '') return false;
  try {
    const { dev, ino } = statStdout();
    return stream === `${dev}:${ino}`;
  } catch {
    return false;
  }
}
