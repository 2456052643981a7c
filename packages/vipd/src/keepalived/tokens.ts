// keepalived's lexical rules for one (logical) line, from keepalived.conf(5): words are split
// by whitespace; `"` and `'` quote parts of a word (the quotes go, the spaces inside stay, and
// `abc" d "e` is the one word `abc d e`); a backslash escapes inside quotes as in the shell;
// an unquoted `#` or `!` starts a comment anywhere on the line; `{` and `}` open and close
// blocks.

import { KeepalivedConfigError, type SourceLocation } from './directive.js';

export type Token =
  | { readonly kind: 'word'; readonly text: string; readonly at: SourceLocation }
  | { readonly kind: 'open' | 'close'; readonly at: SourceLocation };

const COMMENT_STARTS = new Set(['#', '!']);
const QUOTES = new Set(['"', "'"]);
const ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

function isSpace(char: string): boolean {
  return char === ' ' || char === '\t' || char === '\r' || char === '\n';
}

/** The quoted part starting at `start` (a quote): its text, and where the word goes on. */
function readQuoted(line: string, start: number, at: SourceLocation): [string, number] {
  const quote = line.charAt(start);
  let text = '';
  for (let i = start + 1; i < line.length; i++) {
    const char = line.charAt(i);
    if (char === quote) return [text, i + 1];
    if (char === '\\' && i + 1 < line.length) {
      const next = line.charAt(++i);
      text += ESCAPES[next] ?? next;
    } else {
      text += char;
    }
  }
  throw new KeepalivedConfigError(
    'KEEPALIVED_SYNTAX',
    at,
    `the ${quote} opened in column ${start + 1} is never closed`,
  );
}

/** Where a word of the config ends: braces and comments end it as whitespace does. */
function endsConfigWord(char: string): boolean {
  return isSpace(char) || char === '{' || char === '}' || COMMENT_STARTS.has(char);
}

/** The word starting at `start`: its text (quotes removed), and the index after it. */
function readWord(
  line: string,
  start: number,
  at: SourceLocation,
  endsWord: (char: string) => boolean,
): [string, number] {
  let text = '';
  let i = start;
  while (i < line.length) {
    const char = line.charAt(i);
    if (endsWord(char)) break;
    if (QUOTES.has(char)) {
      const [quoted, next] = readQuoted(line, i, at);
      text += quoted;
      i = next;
    } else {
      text += char;
      i++;
    }
  }
  return [text, i];
}

export function tokenizeLine(line: string, at: SourceLocation): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < line.length) {
    const char = line.charAt(i);
    if (isSpace(char)) {
      i++;
    } else if (COMMENT_STARTS.has(char)) {
      break;
    } else if (char === '{' || char === '}') {
      tokens.push({ kind: char === '{' ? 'open' : 'close', at });
      i++;
    } else {
      const [text, next] = readWord(line, i, at, endsConfigWord);
      tokens.push({ kind: 'word', text, at });
      i = next;
    }
  }
  return tokens;
}

/**
 * A script's command line split as keepalived splits it before exec (no shell): unquoted
 * whitespace separates arguments, quotes keep spaces inside one.
 */
export function splitCommandLine(command: string, at: SourceLocation): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < command.length) {
    if (isSpace(command.charAt(i))) {
      i++;
    } else {
      const [text, next] = readWord(command, i, at, isSpace);
      words.push(text);
      i = next;
    }
  }
  return words;
}
