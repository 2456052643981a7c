// Runs the real bin/vipd.js and bin/vipctl.js as child processes.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** packages/vipd/bin, from dist/test/cli. */
export const BIN_DIR = fileURLToPath(new URL('../../../bin/', import.meta.url));
export const VIPD = `${BIN_DIR}vipd.js`;
export const VIPCTL = `${BIN_DIR}vipctl.js`;

export interface RunResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion (prefix: e.g. ['ip', 'netns', 'exec', NS]). */
export function runSync(
  bin: string,
  args: readonly string[],
  options: { env?: Record<string, string>; prefix?: readonly string[]; timeoutMs?: number } = {},
): RunResult {
  const argv = [...(options.prefix ?? []), process.execPath, bin, ...args];
  const result = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    env: { ...process.env, ...options.env },
    timeout: options.timeoutMs ?? 20_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

export interface LogLine {
  readonly level: string;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A long-running `vipd run`, its JSON log lines parsed as they arrive. */
export class DaemonProcess {
  readonly child: ChildProcess;
  readonly lines: LogLine[] = [];
  stderr = '';
  readonly exited: Promise<number | null>;
  #buffer = '';

  constructor(
    args: readonly string[],
    options: { env?: Record<string, string>; prefix?: readonly string[] } = {},
  ) {
    const argv = [...(options.prefix ?? []), process.execPath, VIPD, ...args];
    this.child = spawn(argv[0]!, argv.slice(1), {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      this.#buffer += chunk;
      let newline = this.#buffer.indexOf('\n');
      while (newline !== -1) {
        const line = this.#buffer.slice(0, newline);
        this.#buffer = this.#buffer.slice(newline + 1);
        try {
          this.lines.push(JSON.parse(line) as LogLine);
        } catch {
          this.lines.push({ level: 'raw', msg: line });
        }
        newline = this.#buffer.indexOf('\n');
      }
    });
    this.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => {
        resolve(code);
      });
    });
  }

  /** Resolves with the first log line matching, failing after timeoutMs or if the process exits. */
  async waitFor(
    match: (line: LogLine, index: number) => boolean,
    timeoutMs = 20_000,
    what = 'a log line',
  ): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find(match);
      if (found) return found;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(
          `vipd exited (${this.child.exitCode ?? `killed by ${this.child.signalCode}`}) before ${what}; stderr: ${this.stderr}; log: ${JSON.stringify(this.lines)}`,
        );
      }
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; log: ${JSON.stringify(this.lines.slice(-10))}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  signal(signal: NodeJS.Signals): void {
    this.child.kill(signal);
  }

  /** Kills it if still running (test cleanup). */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGKILL');
      await this.exited;
    }
  }
}
