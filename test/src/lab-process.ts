import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { LabError } from './errors.js';

export type OutputStream = 'stdout' | 'stderr';
export type LineListener = (line: string, stream: OutputStream) => void;

export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export interface LabProcessOptions {
  /** Short label used in errors and as the log file's name. */
  readonly name: string;
  readonly logPath: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Keep stdin open so the harness can write commands to the process. */
  readonly stdin?: boolean;
}

/** Lines kept for waitForLine; a daemon that prints more is still fully in its log file. */
const MAX_KEPT_LINES = 20_000;

/**
 * A process the lab started (usually `ip netns exec NS …`, which execs in place, so `pid`
 * is the program itself). Its stdout and stderr go to a log file in the run directory and
 * are split into lines for listeners and waitForLine.
 */
export class LabProcess {
  readonly name: string;
  readonly logPath: string;
  readonly pid: number;
  readonly exited: Promise<ProcessExit>;
  private readonly child: ChildProcess;
  private readonly log: WriteStream;
  private readonly lines: { line: string; stream: OutputStream }[] = [];
  private readonly listeners = new Set<LineListener>();
  private exit: ProcessExit | undefined;

  constructor(argv: readonly string[], options: LabProcessOptions) {
    const [file, ...args] = argv;
    if (file === undefined) throw new LabError('LAB_BAD_ARGUMENT', 'empty command');
    this.name = options.name;
    this.logPath = options.logPath;
    this.log = createWriteStream(options.logPath, { flags: 'a' });
    // The run directory may be removed under a process being killed at teardown.
    this.log.on('error', () => undefined);
    this.log.write(`# ${argv.join(' ')}\n`);
    this.child = spawn(file, args, {
      stdio: [options.stdin === true ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    if (this.child.pid === undefined) {
      throw new LabError('LAB_COMMAND_FAILED', `could not start ${this.name} (${file})`);
    }
    this.pid = this.child.pid;
    this.follow('stdout');
    this.follow('stderr');
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      this.child.once('error', () => {
        this.exit ??= { code: null, signal: null };
        resolve(this.exit);
      });
    });
    // The log stream must outlive the last line; close it only after both pipes ended.
    this.child.once('close', () => this.log.end());
  }

  private follow(stream: OutputStream): void {
    const source = this.child[stream];
    if (source === null) return;
    const reader = createInterface({ input: source, crlfDelay: Infinity });
    reader.on('line', (line) => {
      this.log.write(stream === 'stderr' ? `! ${line}\n` : `${line}\n`);
      if (this.lines.length < MAX_KEPT_LINES) this.lines.push({ line, stream });
      for (const listener of this.listeners) listener(line, stream);
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get exitStatus(): ProcessExit | undefined {
    return this.exit;
  }

  /** Every line so far (up to MAX_KEPT_LINES), in order. */
  output(stream?: OutputStream): string[] {
    return this.lines.filter((l) => stream === undefined || l.stream === stream).map((l) => l.line);
  }

  onLine(listener: LineListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes one line to the process's stdin (started with `stdin: true`). */
  writeLine(line: string): void {
    const stdin = this.child.stdin;
    if (stdin === null) throw new LabError('LAB_BAD_ARGUMENT', `${this.name} has no stdin`);
    stdin.write(`${line}\n`);
  }

  /**
   * Resolves with the first line (already printed or future) that matches; rejects with
   * LAB_TIMEOUT, or LAB_PROCESS_EXITED if the process ends first.
   */
  waitForLine(pattern: RegExp, timeoutMs: number, stream?: OutputStream): Promise<string> {
    const matches = (line: string, from: OutputStream): boolean =>
      (stream === undefined || from === stream) && pattern.test(line);
    const seen = this.lines.find((l) => matches(l.line, l.stream));
    if (seen !== undefined) return Promise.resolve(seen.line);
    return new Promise((resolve, reject) => {
      let settled = false;
      const done = (): void => {
        settled = true;
        clearTimeout(timer);
        unsubscribe();
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new LabError(
            'LAB_TIMEOUT',
            `${this.name}: no line matching ${String(pattern)} within ${timeoutMs} ms (log: ${this.logPath})`,
          ),
        );
      }, timeoutMs);
      const unsubscribe = this.onLine((line, from) => {
        if (!matches(line, from)) return;
        done();
        resolve(line);
      });
      void this.exited.then((exit) => {
        if (settled) return;
        done();
        reject(
          new LabError(
            'LAB_PROCESS_EXITED',
            `${this.name} exited (code ${String(exit.code)}, signal ${String(exit.signal)}) before printing ${String(pattern)} (log: ${this.logPath})`,
          ),
        );
      });
    });
  }

  /** Sends a signal; false if the process is already gone. */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 3_000): Promise<ProcessExit> {
    if (!this.running) return this.exited;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    const exit = await this.exited;
    clearTimeout(timer);
    return exit;
  }

  /** For teardown from an 'exit' handler: no waiting. */
  killNow(): void {
    this.signal('SIGKILL');
  }
}
