// Collecting config problems: every one is kept (never just the first), each with its dotted
// path and, when the YAML has the node, its line and column.

import type { ErrorCode } from '../errors.js';
import { formatPath } from './locate.js';
import type { ConfigProblem } from './types.js';
import type { Unchecked } from './unchecked.js';

/** Path segments into the document: keys and list indexes. */
export type Path = readonly (string | number)[];

export type Locator = (path: Path, key?: string) => { line: number; column: number } | undefined;

/** A check over the whole document that reports into the list (rules.ts, check/host.ts). */
export type DocumentCheck = (data: Unchecked, problems: ProblemList) => void;

export type Severity = 'error' | 'warning';

export class ProblemList {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  constructor(private readonly locateFn: Locator) {}

  error(path: Path, message: string, key?: string, code?: ErrorCode): void {
    this.errors.push(this.make(path, message, key, code));
  }

  warn(path: Path, message: string, key?: string, code?: ErrorCode): void {
    this.warnings.push(this.make(path, message, key, code));
  }

  report(severity: Severity, path: Path, message: string, code?: ErrorCode): void {
    (severity === 'error' ? this.errors : this.warnings).push(
      this.make(path, message, undefined, code),
    );
  }

  private make(path: Path, message: string, key?: string, code?: ErrorCode): ConfigProblem {
    const position = this.locateFn(path, key);
    return {
      path: formatPath(path, key),
      ...(position ? { line: position.line, column: position.column } : {}),
      message,
      ...(code === undefined ? {} : { code }),
    };
  }
}

/** In file order, so `vipd check` reads top to bottom; ties keep the order they were found. */
export function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}
