// Reads a keepalived.conf and every file it includes into one stream of tokens, applying the
// preprocessing keepalived does before it parses (keepalived.conf(5)): conditional lines
// (`@id …` kept only for that config id, `@^id …` for every other one), parameters
// (`$NAME=value`, multi-line when each line but the last ends in `\`, then `$NAME` and
// `${NAME}` replaced), and `include PATTERN` with globs resolved against the directory of the
// file that includes. Lines a parameter expands to keep the number of the line that used it.

import { readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { KeepalivedConfigError, type SourceLocation } from './directive.js';
import { tokenizeLine, type Token } from './tokens.js';

export interface SourceOptions {
  /** keepalived's `-i`: which `@id` lines apply. */
  readonly configId: string;
}

export interface ReadSource {
  readonly tokens: readonly Token[];
  /** Every file read, the given one first, as displayed in messages. */
  readonly files: readonly string[];
}

/** All of keepalived's include keywords; the suffixed ones only add checks keepalived makes. */
const INCLUDE_KEYWORDS = new Set([
  'include',
  'includer',
  'includem',
  'includew',
  'includeb',
  'includea',
]);
const MAX_INCLUDE_DEPTH = 16;
const MAX_SUBSTITUTION_ROUNDS = 32;
const CONTINUED = /\\\s*$/;
const DEFINITION = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const CONDITIONAL = /^\s*@(\^?)(\S*)(.*)$/;

class SourceReader {
  readonly tokens: Token[] = [];
  readonly files: string[] = [];
  readonly #parameters = new Map<string, string>();
  /** Real paths of the files being read, innermost last (include loops). */
  readonly #stack: string[] = [];
  /** A multi-line parameter definition still collecting lines. */
  #pending: { readonly name: string; readonly lines: string[] } | null = null;

  constructor(readonly options: SourceOptions) {}

  readFile(file: string, includedFrom: SourceLocation | null): void {
    const at = includedFrom ?? { file, line: 0 };
    let text: string;
    let real: string;
    try {
      text = readFileSync(file, 'utf8');
      real = realpathSync(file);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new KeepalivedConfigError(
        'KEEPALIVED_UNREADABLE',
        at,
        `cannot read ${file} (${reason})`,
        { cause: error },
      );
    }
    if (this.#stack.includes(real))
      throw new KeepalivedConfigError('KEEPALIVED_INCLUDE_FAILED', at, `${file} includes itself`);
    if (this.#stack.length >= MAX_INCLUDE_DEPTH)
      throw new KeepalivedConfigError(
        'KEEPALIVED_INCLUDE_FAILED',
        at,
        `includes nest deeper than ${MAX_INCLUDE_DEPTH} files`,
      );
    this.files.push(file);
    this.#stack.push(real);
    for (const [index, line] of text.split('\n').entries())
      this.#readLine(line, { file, line: index + 1 }, 0);
    this.#stack.pop();
  }

  #readLine(raw: string, at: SourceLocation, depth: number): void {
    if (this.#continueDefinition(raw)) return;
    const line = this.#applyCondition(raw);
    if (line === null) return;
    const definition = DEFINITION.exec(line);
    if (definition) {
      const [, name = '', value = ''] = definition;
      if (CONTINUED.test(value)) {
        const first = value.replace(CONTINUED, '').trim();
        this.#pending = { name, lines: first === '' ? [] : [first] };
      } else {
        this.#parameters.set(name, value.trim());
      }
      return;
    }
    const expanded = this.#substitute(line);
    if (expanded.includes('\n') && depth < MAX_SUBSTITUTION_ROUNDS) {
      for (const part of expanded.split('\n')) this.#readLine(part, at, depth + 1);
      return;
    }
    const tokens = tokenizeLine(expanded, at);
    const [first, pattern] = tokens;
    if (first?.kind === 'word' && INCLUDE_KEYWORDS.has(first.text) && pattern?.kind === 'word') {
      for (const file of this.#expandInclude(pattern.text, at)) this.readFile(file, at);
      return;
    }
    this.tokens.push(...tokens);
  }

  /** Adds the line to a multi-line definition being read; false when none is. */
  #continueDefinition(raw: string): boolean {
    const pending = this.#pending;
    if (pending === null) return false;
    pending.lines.push(raw.replace(CONTINUED, ''));
    if (!CONTINUED.test(raw)) {
      this.#parameters.set(pending.name, pending.lines.join('\n'));
      this.#pending = null;
    }
    return true;
  }

  /** The line without its `@id` prefix, or null when the line is for another config id. */
  #applyCondition(line: string): string | null {
    const match = CONDITIONAL.exec(line);
    if (!match) return line;
    const matches = match[2] === this.options.configId;
    const keep = match[1] === '^' ? !matches : matches;
    return keep ? (match[3] ?? '') : null;
  }

  #substitute(line: string): string {
    let text = line;
    for (let round = 0; round < MAX_SUBSTITUTION_ROUNDS; round++) {
      const next = text.replace(
        /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)(?=\s|$)/g,
        (whole, braced?: string, bare?: string) =>
          this.#parameters.get(braced ?? bare ?? '') ?? whole,
      );
      if (next === text) return text;
      text = next;
    }
    return text;
  }

  #expandInclude(pattern: string, at: SourceLocation): string[] {
    const base = dirname(at.file);
    const shown = isAbsolute(pattern) ? pattern : join(base, pattern);
    if (!isDynamicPattern(pattern)) return [shown];
    const cwd = isAbsolute(pattern) ? '/' : resolve(base);
    const matches = globSync(isAbsolute(pattern) ? pattern.slice(1) : pattern, {
      cwd,
      onlyFiles: true,
      expandDirectories: false,
    }).sort();
    if (matches.length === 0)
      throw new KeepalivedConfigError(
        'KEEPALIVED_INCLUDE_FAILED',
        at,
        `include ${pattern} matches no file (looked in ${cwd})`,
      );
    return matches.map((match) => (isAbsolute(pattern) ? `/${match}` : join(base, match)));
  }
}

export function readKeepalivedSource(file: string, options: SourceOptions): ReadSource {
  const reader = new SourceReader(options);
  reader.readFile(file, null);
  return { tokens: reader.tokens, files: reader.files };
}
