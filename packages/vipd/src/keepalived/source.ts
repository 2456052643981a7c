// Reads a keepalived.conf and every file it includes into one stream of tokens, applying the
// preprocessing keepalived does before it parses (keepalived.conf(5)): lines continued with a
// trailing `\`, conditional lines (`@id …` kept only for that config id, `@^id …` for every
// other one), parameters (`$NAME=value`, then `$NAME` and `${NAME}`), and `include PATTERN`
// with globs resolved against the directory of the file that includes.

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
const DEFINITION = /^\s*\$([A-Za-z_][A-Za-z0-9_]*)=(.*)$/;
const CONDITIONAL = /^\s*@(\^?)(\S*)(.*)$/;

class SourceReader {
  readonly tokens: Token[] = [];
  readonly files: string[] = [];
  readonly #parameters = new Map<string, string>();
  /** Real paths of the files being read, innermost last (include loops). */
  readonly #stack: string[] = [];

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
    for (const [line, number] of logicalLines(text)) this.#readLine(line, { file, line: number });
    this.#stack.pop();
  }

  #readLine(raw: string, at: SourceLocation): void {
    const line = this.#applyCondition(raw);
    if (line === null) return;
    const definition = DEFINITION.exec(line);
    if (definition) {
      const [, name = '', value = ''] = definition;
      this.#parameters.set(name, value.trim());
      return;
    }
    const tokens = tokenizeLine(this.#substitute(line), at);
    const [first, pattern] = tokens;
    if (first?.kind === 'word' && INCLUDE_KEYWORDS.has(first.text) && pattern?.kind === 'word') {
      for (const file of this.#expandInclude(pattern.text, at)) this.readFile(file, at);
      return;
    }
    this.tokens.push(...tokens);
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

/** Lines joined where one ends in `\`, each with the number of its first physical line. */
function* logicalLines(text: string): Generator<[string, number]> {
  const physical = text.split('\n');
  for (let i = 0; i < physical.length; i++) {
    const number = i + 1;
    let line = physical[i] ?? '';
    while (/\\\s*$/.test(line) && i + 1 < physical.length) {
      line = `${line.replace(/\\\s*$/, '')} ${physical[++i] ?? ''}`;
    }
    yield [line, number];
  }
}

export function readKeepalivedSource(file: string, options: SourceOptions): ReadSource {
  const reader = new SourceReader(options);
  reader.readFile(file, null);
  return { tokens: reader.tokens, files: reader.files };
}
