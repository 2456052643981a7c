// Tokens to directives. keepalived's grammar is line-based: a line's first word is the
// keyword and the rest its arguments; a `{` on that line, or alone on the next, opens the
// block of that directive, and inside a block the same rules apply again.

import { KeepalivedConfigError, type Directive, type SourceLocation } from './directive.js';
import { readKeepalivedSource, type SourceOptions } from './source.js';
import type { Token } from './tokens.js';

interface DirectiveDraft {
  keyword: string;
  args: string[];
  at: SourceLocation;
  block?: DirectiveDraft[];
}

interface OpenBlock {
  readonly directives: DirectiveDraft[];
  readonly openedAt: SourceLocation;
}

function sameLine(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line;
}

export function parseTokens(tokens: readonly Token[]): Directive[] {
  const top: DirectiveDraft[] = [];
  const open: OpenBlock[] = [];
  // The directive the current line started, which takes further words as arguments.
  let current: DirectiveDraft | null = null;
  for (const token of tokens) {
    if (current !== null && !sameLine(current.at, token.at)) current = null;
    const directives = open.at(-1)?.directives ?? top;
    if (token.kind === 'word') {
      if (current === null) {
        current = { keyword: token.text, args: [], at: token.at };
        directives.push(current);
      } else {
        current.args.push(token.text);
      }
    } else if (token.kind === 'open') {
      const owner = current ?? directives.at(-1);
      if (owner === undefined || owner.block !== undefined)
        throw new KeepalivedConfigError(
          'KEEPALIVED_SYNTAX',
          token.at,
          "'{' with no directive before it",
        );
      owner.block = [];
      open.push({ directives: owner.block, openedAt: token.at });
      current = null;
    } else {
      if (open.pop() === undefined)
        throw new KeepalivedConfigError('KEEPALIVED_SYNTAX', token.at, "'}' closes no open block");
      current = null;
    }
  }
  const unclosed = open.at(-1);
  if (unclosed !== undefined)
    throw new KeepalivedConfigError(
      'KEEPALIVED_SYNTAX',
      unclosed.openedAt,
      `the '{' opened here is never closed (${open.length} block${open.length === 1 ? '' : 's'} open at the end)`,
    );
  return top;
}

export interface KeepalivedConfig {
  readonly directives: readonly Directive[];
  readonly files: readonly string[];
}

/** Reads and parses a keepalived.conf with its includes; throws KeepalivedConfigError. */
export function readKeepalivedConfig(file: string, options: SourceOptions): KeepalivedConfig {
  const source = readKeepalivedSource(file, options);
  return { directives: parseTokens(source.tokens), files: source.files };
}
