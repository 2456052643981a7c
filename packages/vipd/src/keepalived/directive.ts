// The shape of a keepalived.conf once read: directives (a keyword, its arguments, maybe a
// block of further directives), each with the file and line it came from, so every message
// about it can point at the line an operator has to look at.

import { VipdError, type ErrorCode } from '../errors.js';

export interface SourceLocation {
  /** As the operator named it (the command-line path, or joined to the including file's). */
  readonly file: string;
  /** 1-based; 0 for the file as a whole. */
  readonly line: number;
}

export interface Directive {
  readonly keyword: string;
  readonly args: readonly string[];
  readonly at: SourceLocation;
  /** The `{ … }` that follows it, when it has one. */
  readonly block?: readonly Directive[];
}

/** `FILE:LINE`, or just FILE for the file as a whole (line 0: it could not be read). */
export function locationText(at: SourceLocation): string {
  return at.line === 0 ? at.file : `${at.file}:${at.line}`;
}

/** A keepalived file that cannot be read or parsed; the message starts with FILE:LINE. */
export class KeepalivedConfigError extends VipdError {
  readonly at: SourceLocation;

  constructor(
    code: Extract<ErrorCode, `KEEPALIVED_${string}`>,
    at: SourceLocation,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(code, `${locationText(at)}: ${detail}`, options);
    this.name = 'KeepalivedConfigError';
    this.at = at;
  }
}
