// One pino instance per process; components take child loggers ({ component: 'driver' }).
// JSON lines by default (one object per line, ISO time, level as a word); `pretty` renders
// colourised text for a terminal. Under systemd with stdout on the journal, each JSON line
// starts with its syslog priority (`<4>{"level":"warn",…}`, journal.ts). Secrets are redacted by path as a second line of defence:
// keys and tokens are Secret objects that already serialise as [REDACTED].

import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from '../config/types.js';
import { journalDestination, stdoutIsJournal } from './journal.js';

export type { Logger } from 'pino';

export const REDACT_PATHS = [
  'key',
  'token',
  'password',
  'authorization',
  '*.key',
  '*.token',
  '*.password',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'request.headers.authorization',
  'cluster.key',
  'api.token',
];

export interface LoggerOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Where lines go; defaults to stdout (written synchronously so nothing is lost on exit). */
  readonly destination?: DestinationStream;
  /** Fields on every line, e.g. { node: 'n1' }. */
  readonly base?: Record<string, unknown>;
  /**
   * JSON lines prefixed with their journald priority. Default: when no destination is given
   * and stdout is the journal (JOURNAL_STREAM).
   */
  readonly journal?: boolean;
}

function jsonDestination(options: LoggerOptions): DestinationStream {
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  const journal =
    options.journal ?? (options.destination === undefined && stdoutIsJournal(process.env));
  return journal ? journalDestination(destination) : destination;
}

export function createLogger(options: LoggerOptions): Logger {
  const destination =
    options.format === 'pretty'
      ? pretty({
          colorize: process.stdout.isTTY,
          sync: true,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname',
          singleLine: true,
          ...(options.destination ? { destination: options.destination } : {}),
        })
      : jsonDestination(options);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid, ...options.base },
      timestamp: stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    },
    destination,
  );
}

/** A logger that drops everything (tests that do not look at logs). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
