// Loading a config file: YAML → schema validation → the rules across keys (rules.ts) and the
// checks that read the file system (files.ts) → the normalised VipdConfig (normalise.ts).
// Every problem is collected, never just the first, each with its path and line, so one
// `vipd check` run shows everything to fix.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import { VipdError } from '../errors.js';
import { checkFiles } from './files.js';
import { locate } from './locate.js';
import { normalise } from './normalise.js';
import { checkAddresses } from './address-rules.js';
import { ProblemList, byLine, type DocumentCheck, type Locator } from './problems.js';
import { checkRules } from './rules.js';
import type { ConfigFile } from './schema.js';
import type { ConfigProblem, VipdConfig } from './types.js';
import { validateAgainstSchema } from './validate.js';

export { MIN_API_TOKEN_BYTES, MIN_CLUSTER_KEY_BYTES, secretBytes } from './files.js';
export { MIN_REFRESH_MS, isRealServerOnly } from './rules.js';

/** Configuration is invalid: `problems` lists every reason, each with path and line. */
export class ConfigError extends VipdError {
  readonly file: string;
  readonly problems: readonly ConfigProblem[];

  constructor(file: string, problems: readonly ConfigProblem[]) {
    super(
      'CONFIG_INVALID',
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.file = file;
    this.problems = problems;
  }
}

/** `vipd.yaml:12:7: groups[0].priority: must be <= 255 (got 300)`, as compilers print it. */
export function formatProblemAt(file: string, problem: ConfigProblem): string {
  const where =
    problem.line === undefined ? file : `${file}:${problem.line}:${problem.column ?? 1}`;
  return `${where}: ${problem.path === '' ? '' : `${problem.path}: `}${problem.message}${codeSuffix(problem)}`;
}

/** `line 12:7: groups[0].priority: must be <= 255 (got 300)` */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.line === undefined ? '' : `line ${problem.line}:${problem.column ?? 1}: `;
  const path = problem.path === '' ? '' : `${problem.path}: `;
  return `${where}${path}${problem.message}${codeSuffix(problem)}`;
}

/** ` [SCRIPT_UNSAFE]` for a problem with a code of its own, so scripts can match on it. */
function codeSuffix(problem: ConfigProblem): string {
  return problem.code === undefined ? '' : ` [${problem.code}]`;
}

export interface LoadOptions {
  /** Where VIPD_CLUSTER_KEY / VIPD_API_TOKEN come from; defaults to process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** More checks run with the rules, e.g. `vipd check`'s look at this host (check/host.ts). */
  readonly checks?: readonly DocumentCheck[];
}

export interface LoadedConfig {
  readonly config: VipdConfig;
  /** Not fatal, worth fixing: world-readable key, read-only API, unused tracker. */
  readonly warnings: readonly ConfigProblem[];
  /** Line and column of a path in the file, for problems found after loading (`--cluster`). */
  readonly locate: Locator;
}

/** Reads and validates a config file; throws ConfigError or VipdError(CONFIG_UNREADABLE). */
export function loadConfigFile(file: string, options: LoadOptions = {}): LoadedConfig {
  const absolute = resolve(file);
  let text: string;
  try {
    text = readFileSync(absolute, 'utf8');
  } catch (error) {
    throw new VipdError(
      'CONFIG_UNREADABLE',
      `cannot read config file ${absolute}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      { cause: error },
    );
  }
  return parseConfig(text, absolute, options);
}

/** Parses and validates config text; `file` names it in messages and anchors relative paths. */
export function parseConfig(text: string, file: string, options: LoadOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => {
        const { line, col } = lineCounter.linePos(e.pos[0]);
        return {
          path: '',
          line,
          column: col,
          message: `YAML syntax: ${e.message.split('\n')[0] ?? e.code}`,
        };
      }),
    );
  }
  const locator: Locator = (path, key) => locate(doc, lineCounter, path, key);
  const problems = new ProblemList(locator);
  const data: unknown = doc.toJS() ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.error([], 'the file must be a mapping with node, cluster, groups … at the top');
    throw new ConfigError(file, problems.errors);
  }
  const document = data as Record<string, unknown>;
  const schemaProblems = validateAgainstSchema(document);
  for (const problem of schemaProblems) {
    problems.error(problem.path, problem.message, problem.key);
  }
  const baseDir = dirname(file);
  checkRules(document, problems);
  checkAddresses(document, problems);
  for (const check of options.checks ?? []) check(document, problems);
  const secrets = checkFiles(document, problems, baseDir, env);
  if (problems.errors.length > 0) throw new ConfigError(file, byLine(problems.errors));
  return {
    // No schema problems: the document is a ConfigFile, defaults filled in.
    config: normalise(document as ConfigFile, file, baseDir, secrets),
    warnings: byLine(problems.warnings),
    locate: locator,
  };
}
