// Loading a config file: YAML → schema validation → checks across keys and against the file
// system → the normalised VipdConfig. Every problem is collected, never just the first, each
// with its path and line, so one `vipd check` run shows everything to fix.

import { randomBytes } from 'node:crypto';
import {
  constants,
  accessSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { AnnounceSchedule, Vip } from '@vipd/arp';
import { VipdError, type ErrorCode } from '../errors.js';
import {
  RealServerError,
  toRealServerConfig,
  type RealServerConfig,
  type RealServerSection,
} from '../realserver/index.js';
import { readHostPort } from '@vipd/heartbeat';
import { LISTEN_ADDRESS, parseVip } from './addresses.js';
import { parseDurationMs } from './duration.js';
import { scriptExposure, secretFileExposure } from './file-trust.js';
import { formatPath, locate } from './locate.js';
import { Secret } from './secret.js';
import type { ConfigProblem, GroupSpec, TrackerSpec, VipdConfig } from './types.js';
import { validateAgainstSchema } from './validate.js';

/** 256 bits, what HMAC-SHA256 can use; `vipd keygen` prints 44 bytes of base64. */
export const MIN_CLUSTER_KEY_BYTES = 32;
export const MIN_API_TOKEN_BYTES = 16;
/** @vipd/arp's announcer: a periodic refresh is off (0) or at least this often. */
export const MIN_REFRESH_MS = 100;

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
}

export interface LoadedConfig {
  readonly config: VipdConfig;
  /** Not fatal, worth fixing: world-readable key, read-only API, unused tracker. */
  readonly warnings: readonly ConfigProblem[];
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

type Path = readonly (string | number)[];

class ProblemList {
  readonly errors: ConfigProblem[] = [];
  readonly warnings: ConfigProblem[] = [];

  constructor(
    private readonly locateFn: (
      path: Path,
      key?: string,
    ) => { line: number; column: number } | undefined,
  ) {}

  error(path: Path, message: string, key?: string, code?: ErrorCode): void {
    this.errors.push(this.make(path, message, key, code));
  }

  warn(path: Path, message: string, key?: string, code?: ErrorCode): void {
    this.warnings.push(this.make(path, message, key, code));
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
  const problems = new ProblemList((path, key) => locate(doc, lineCounter, path, key));
  const data: unknown = doc.toJS() ?? {};
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    problems.error([], 'the file must be a mapping with node, cluster, groups … at the top');
    throw new ConfigError(file, problems.errors);
  }
  for (const problem of validateAgainstSchema(data)) {
    problems.error(problem.path, problem.message, problem.key);
  }
  const baseDir = dirname(file);
  const secrets = checkAcrossKeys(data as Raw, problems, baseDir, env);
  if (problems.errors.length > 0) throw new ConfigError(file, byLine(problems.errors));
  return {
    config: normalise(data as Raw, file, baseDir, secrets),
    warnings: byLine(problems.warnings),
  };
}

function byLine(problems: readonly ConfigProblem[]): ConfigProblem[] {
  return [...problems].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0),
  );
}

// ---------------------------------------------------------------------------------------------
// Checks that span keys or touch the file system. They run even when the schema found
// problems (so every problem is listed at once), hence the defensive reads.

type Raw = Record<string, unknown>;

function obj(value: unknown): Raw | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? (value as Raw)
    : undefined;
}
function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}
function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

interface Secrets {
  readonly clusterKey: Secret | null;
  readonly acceptKeys: readonly Secret[];
  readonly apiToken: Secret | null;
  readonly realserver: RealServerConfig | null;
}

function checkAcrossKeys(
  data: Raw,
  problems: ProblemList,
  baseDir: string,
  env: LoadOptions['env'] & object,
): Secrets {
  const node = obj(data['node']);
  const cluster = obj(data['cluster']);
  const api = obj(data['api']);
  const nodeId = str(node?.['id']);

  // Peers: unique, and never this node itself.
  const peerIds = new Map<string, number>();
  const peerAddresses = new Map<string, number>();
  list(cluster?.['peers']).forEach((peer, i) => {
    const id = str(obj(peer)?.['id']);
    const address = str(obj(peer)?.['address']);
    if (id !== undefined) {
      if (id === nodeId)
        problems.error(['cluster', 'peers', i, 'id'], `"${id}" is this node's own id (node.id)`);
      const first = peerIds.get(id);
      if (first !== undefined)
        problems.error(
          ['cluster', 'peers', i, 'id'],
          `duplicate peer id "${id}" (also cluster.peers[${first}])`,
        );
      else peerIds.set(id, i);
    }
    if (address !== undefined) {
      const first = peerAddresses.get(address);
      if (first !== undefined)
        problems.error(
          ['cluster', 'peers', i, 'address'],
          `duplicate peer address ${address} (also cluster.peers[${first}])`,
        );
      else peerAddresses.set(address, i);
    }
  });

  const realServerOnly = isRealServerOnly({
    realserver: data['realserver'],
    groups: list(data['groups']),
    peers: list(cluster?.['peers']),
  });
  const nodeListen = str(node?.['listen']);
  if (node !== undefined && nodeListen === undefined && !realServerOnly) {
    problems.error(['node'], 'missing required key "listen"');
  }
  const apiListen = str(api?.['listen']);
  if (
    api?.['enabled'] !== false &&
    nodeListen !== undefined &&
    nodeListen === apiListen &&
    !nodeListen.endsWith(':0')
  ) {
    problems.error(
      ['api', 'listen'],
      `same address as node.listen (${nodeListen}); the API needs its own port`,
    );
  }

  const clusterKey = readSecret(problems, {
    path: ['cluster'],
    key: 'key_file',
    file: str(cluster?.['key_file']),
    envName: 'VIPD_CLUSTER_KEY',
    env,
    baseDir,
    minBytes: MIN_CLUSTER_KEY_BYTES,
    what: 'cluster key',
    required: !realServerOnly,
    allowReadable: cluster?.['allow_readable_key_file'] === true,
    override: 'cluster.allow_readable_key_file',
  });
  // Keys accepted on received heartbeats during a rotation; never from the environment.
  const acceptKeys = list(cluster?.['accept_key_files']).flatMap((file, index) => {
    const secret = readSecret(problems, {
      path: ['cluster', 'accept_key_files'],
      key: index,
      file: str(file),
      envName: undefined,
      env,
      baseDir,
      minBytes: MIN_CLUSTER_KEY_BYTES,
      what: 'accepted cluster key',
      required: true,
      allowReadable: cluster?.['allow_readable_key_file'] === true,
      override: 'cluster.allow_readable_key_file',
    });
    return secret === null ? [] : [secret];
  });
  const apiToken = readSecret(problems, {
    path: ['api'],
    key: 'token_file',
    file: str(api?.['token_file']),
    envName: 'VIPD_API_TOKEN',
    env,
    baseDir,
    minBytes: MIN_API_TOKEN_BYTES,
    what: 'API token',
    required: false,
    allowReadable: api?.['allow_readable_token_file'] === true,
    override: 'api.allow_readable_token_file',
    shape: headerTokenProblem,
  });
  // A real server only has nothing to take over, release or drain: read-only is all it needs.
  if (apiToken === null && api?.['enabled'] !== false && !realServerOnly) {
    problems.warn(
      ['api'],
      'no token_file and no VIPD_API_TOKEN: the API is read-only (takeover, release and maintenance are refused)',
    );
  }

  const tls = obj(cluster?.['tls']);
  for (const key of ['cert_file', 'key_file', 'ca_file']) {
    const file = str(tls?.[key]);
    if (file !== undefined)
      checkReadable(problems, ['cluster', 'tls', key], resolve(baseDir, file));
  }

  // Scripts run with vipd's capabilities: only root and vipd's user may be able to change them.
  const scriptRule: ScriptRule = { allowUnsafe: node?.['allow_unsafe_scripts'] === true };

  // Trackers: unique names, runnable scripts.
  const trackerNames = new Map<string, number>();
  const trackerUsed = new Set<string>();
  list(data['trackers']).forEach((tracker, i) => {
    const t = obj(tracker);
    const name = str(t?.['name']);
    noteUniqueName(problems, trackerNames, 'trackers', 'tracker', name, i);
    const path = str(t?.['path']);
    if (t?.['type'] === 'script' && path !== undefined) {
      checkScript(problems, ['trackers', i, 'path'], resolve(baseDir, path), scriptRule);
    }
    const caFile = str(t?.['ca_file']);
    if (t?.['type'] === 'http' && caFile !== undefined) {
      checkReadable(problems, ['trackers', i, 'ca_file'], resolve(baseDir, caFile));
      const url = str(t['url']) ?? '';
      if (!url.startsWith('https://') || t['tls_verify'] === false) {
        problems.warn(
          ['trackers', i, 'ca_file'],
          'ca_file is only used for an https:// URL with tls_verify on; it is ignored here',
        );
      }
    }
  });

  list(obj(data['notify'])?.['scripts']).forEach((script, i) => {
    if (typeof script === 'string')
      checkScript(problems, ['notify', 'scripts', i], resolve(baseDir, script), scriptRule);
  });

  // Groups: unique names, every VIP in one place only, labels the kernel accepts.
  const groupNames = new Map<string, number>();
  const vipOwners = new Map<string, string>();
  list(data['groups']).forEach((group, g) => {
    const raw = obj(group);
    const name = str(raw?.['name']);
    noteUniqueName(problems, groupNames, 'groups', 'group', name, g);
    list(raw?.['addresses']).forEach((address, a) => {
      if (typeof address !== 'string') return;
      const vip = parseVip(address);
      if (vip === null) return;
      const where = formatPath(['groups', g, 'addresses', a]);
      const first = vipOwners.get(vip.address);
      if (first !== undefined)
        problems.error(
          ['groups', g, 'addresses', a],
          `duplicate VIP ${vip.address} (also ${first})`,
        );
      else vipOwners.set(vip.address, `${where}${name === undefined ? '' : ` in group "${name}"`}`);
    });
    const label = str(raw?.['label']);
    const iface = str(raw?.['interface']);
    if (label !== undefined && iface !== undefined && !label.startsWith(iface)) {
      problems.error(
        ['groups', g, 'label'],
        `must start with the interface name "${iface}", e.g. "${iface}:vip"`,
      );
    }
    const tracked = new Set<string>();
    list(raw?.['track']).forEach((ref, r) => {
      const tracker = str(obj(ref)?.['tracker']);
      if (tracker === undefined) return;
      trackerUsed.add(tracker);
      if (!trackerNames.has(tracker)) {
        const known = [...trackerNames.keys()];
        problems.error(
          ['groups', g, 'track', r, 'tracker'],
          `unknown tracker "${tracker}"; ${known.length === 0 ? 'no trackers are defined under "trackers"' : `defined: ${known.join(', ')}`}`,
        );
      }
      if (tracked.has(tracker))
        problems.error(
          ['groups', g, 'track', r, 'tracker'],
          `tracker "${tracker}" is listed twice`,
        );
      tracked.add(tracker);
    });
    list(raw?.['notify']).forEach((script, s) => {
      if (typeof script === 'string')
        checkScript(problems, ['groups', g, 'notify', s], resolve(baseDir, script), scriptRule);
    });
  });
  // The announcer refuses a refresh faster than 100ms (a flood, not a refresh); say so now,
  // not at the first takeover.
  const checkRefresh = (path: Path, value: unknown) => {
    const ms = typeof value === 'string' ? parseDurationMs(value) : null;
    if (ms !== null && ms > 0 && ms < MIN_REFRESH_MS) {
      problems.error(
        path,
        `must be 0s (off) or at least ${MIN_REFRESH_MS}ms (got ${String(value)})`,
      );
    }
  };
  checkRefresh(['announce', 'refresh'], obj(data['announce'])?.['refresh']);
  list(data['groups']).forEach((group, g) => {
    checkRefresh(['groups', g, 'announce', 'refresh'], obj(obj(group)?.['announce'])?.['refresh']);
  });
  for (const [name, index] of trackerNames) {
    if (!trackerUsed.has(name))
      problems.warn(['trackers', index, 'name'], `tracker "${name}" is not tracked by any group`);
  }

  return { clusterKey, acceptKeys, apiToken, realserver: checkRealServer(data, problems) };
}

/** The real-server role's own cross-key rules (duplicate VIPs in other spellings, …). */
function checkRealServer(data: Raw, problems: ProblemList): RealServerConfig | null {
  const section = obj(data['realserver']);
  if (section === undefined) return null;
  try {
    return toRealServerConfig(section as unknown as RealServerSection);
  } catch (error) {
    // Shape errors are the schema's to report; only report the role's own rules when the
    // section is otherwise well formed.
    if (error instanceof RealServerError) problems.error(['realserver'], error.message);
    return null;
  }
}

interface SecretSource {
  readonly path: Path;
  /** The key naming the file under `path` (an index for an entry of a list). */
  readonly key: string | number;
  readonly file: string | undefined;
  /** An environment variable that overrides the file, if there is one. */
  readonly envName: string | undefined;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly baseDir: string;
  readonly minBytes: number;
  readonly what: string;
  readonly required: boolean;
  /** Accept a file other users can read (with a warning) instead of refusing it. */
  readonly allowReadable: boolean;
  /** The config key that sets allowReadable, named in the refusal. */
  readonly override: string;
  /** What else is wrong with these bytes as this secret, or null. */
  readonly shape?: (bytes: Buffer) => string | null;
}

/**
 * The API token travels in an HTTP header (`Authorization: Bearer …`), which cannot carry
 * spaces at its ends or bytes outside visible ASCII: such a token could never match.
 */
function headerTokenProblem(bytes: Buffer): string | null {
  return bytes.every((b) => b >= 0x21 && b <= 0x7e)
    ? null
    : 'must be visible ASCII without spaces (it is sent in an HTTP header; vipd keygen makes one)';
}

function readSecret(problems: ProblemList, source: SecretSource): Secret | null {
  const fromEnv = source.envName === undefined ? undefined : source.env[source.envName];
  if (fromEnv !== undefined && fromEnv !== '') {
    // The variable's UTF-8 bytes, exactly: whitespace in a secret is the secret's.
    const bytes = Buffer.from(fromEnv, 'utf8');
    if (bytes.length < source.minBytes) {
      problems.error(
        source.path,
        `${source.envName} is ${bytes.length} bytes; the ${source.what} needs at least ${source.minBytes}`,
        String(source.key),
        'KEY_TOO_SHORT',
      );
      return null;
    }
    const shapeProblem = source.shape?.(bytes) ?? null;
    if (shapeProblem !== null) {
      problems.error(source.path, `${source.envName}: ${shapeProblem}`, String(source.key));
      return null;
    }
    return new Secret(bytes);
  }
  if (source.file === undefined) {
    if (source.required)
      problems.error(
        source.path,
        `missing required key "${source.key}"${source.envName === undefined ? '' : ` (or set ${source.envName})`}`,
      );
    return null;
  }
  const file = resolve(source.baseDir, source.file);
  const where = [...source.path, source.key];
  let read: { bytes: Buffer; exposure: string | null };
  try {
    read = readSecretFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.error(
      where,
      code === 'ENOENT'
        ? `${source.what} file ${file} does not exist`
        : `cannot read ${source.what} file ${file} (${code ?? String(error)})`,
    );
    return null;
  }
  if (read.exposure !== null) {
    if (source.allowReadable) {
      problems.warn(where, `${file} ${read.exposure}; chmod 600 it`, undefined, 'KEY_FILE_EXPOSED');
    } else {
      problems.error(
        where,
        `${file} ${read.exposure}; chmod 600 ${file} (or set ${source.override}: true)`,
        undefined,
        'KEY_FILE_EXPOSED',
      );
      return null;
    }
  }
  const bytes = secretBytes(read.bytes);
  if (bytes.length < source.minBytes) {
    problems.error(
      where,
      `${source.what} in ${file} is ${bytes.length} bytes; at least ${source.minBytes} needed (vipd keygen makes one)`,
      undefined,
      'KEY_TOO_SHORT',
    );
    return null;
  }
  const shapeProblem = source.shape?.(bytes) ?? null;
  if (shapeProblem !== null) {
    problems.error(where, `${source.what} in ${file} ${shapeProblem}`);
    return null;
  }
  return new Secret(bytes);
}

/** The file's bytes and its mode, from one open file (no swap between the stat and the read). */
function readSecretFile(file: string): { bytes: Buffer; exposure: string | null } {
  const fd = openSync(file, 'r');
  try {
    return { exposure: secretFileExposure(fstatSync(fd)), bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

/**
 * A key or token file holds the secret's bytes exactly — binary is fine — except that ONE
 * trailing newline ("\n" or "\r\n") is dropped, so `vipd keygen > cluster.key` and an editor's
 * final newline work. Nothing else is trimmed: every other byte is key material.
 */
export function secretBytes(file: Buffer): Buffer {
  const n = file.length;
  if (n >= 2 && file[n - 2] === 0x0d && file[n - 1] === 0x0a) return file.subarray(0, n - 2);
  if (n >= 1 && file[n - 1] === 0x0a) return file.subarray(0, n - 1);
  return file;
}

function checkReadable(problems: ProblemList, path: Path, file: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.error(
      path,
      code === 'ENOENT'
        ? `${file} does not exist`
        : `cannot read ${file} (${code ?? String(error)})`,
    );
  }
}

interface ScriptRule {
  /** node.allow_unsafe_scripts: run scripts others can change (with a warning). */
  readonly allowUnsafe: boolean;
}

function checkScript(problems: ProblemList, path: Path, file: string, rule: ScriptRule): void {
  try {
    if (!statSync(file).isFile()) {
      problems.error(path, `${file} is not a regular file`);
      return;
    }
    accessSync(file, constants.X_OK);
    const exposure = scriptExposure(file);
    if (exposure === null) return;
    if (rule.allowUnsafe)
      problems.warn(
        path,
        `${exposure}; it runs with vipd's capabilities`,
        undefined,
        'SCRIPT_UNSAFE',
      );
    else
      problems.error(
        path,
        `${exposure}, and the script runs with vipd's capabilities: chmod go-w and chown root it (or set node.allow_unsafe_scripts: true)`,
        undefined,
        'SCRIPT_UNSAFE',
      );
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    problems.error(
      path,
      code === 'ENOENT'
        ? `${file} does not exist`
        : code === 'EACCES'
          ? `${file} is not executable (chmod +x)`
          : `cannot use ${file} (${code ?? String(error)})`,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Normalisation of a document the checks above accepted: every access is safe now.

function ms(value: unknown): number {
  const parsed = parseDurationMs(value as string);
  if (parsed === null) throw new Error(`unvalidated duration ${String(value)}`);
  return parsed;
}

function announceFrom(raw: Raw, base?: AnnounceSchedule): AnnounceSchedule {
  const pick = <T>(key: string, convert: (v: unknown) => T, fallback: T | undefined): T => {
    if (raw[key] !== undefined) return convert(raw[key]);
    if (fallback === undefined) throw new Error(`announce.${key} has no default`);
    return fallback;
  };
  return {
    repeat: pick('repeat', (v) => v as number, base?.repeat),
    intervalMs: pick('interval', ms, base?.intervalMs),
    secondBurstDelayMs: pick('delay', ms, base?.secondBurstDelayMs),
    refreshMs: pick('refresh', ms, base?.refreshMs),
    mode: pick('mode', (v) => v as AnnounceSchedule['mode'], base?.mode),
  };
}

function normalise(data: Raw, file: string, baseDir: string, secrets: Secrets): VipdConfig {
  const node = data['node'] as Raw;
  const cluster = data['cluster'] as Raw;
  const api = data['api'] as Raw;
  const log = data['log'] as Raw;
  const notify = data['notify'] as Raw;
  const announce = announceFrom(data['announce'] as Raw);
  const globalScripts = (notify['scripts'] as string[]).map((s) => resolve(baseDir, s));
  const tls = obj(cluster['tls']);
  // Only a real-server-only node has none (checkAcrossKeys requires it otherwise). Its mesh
  // has no peers and listens on loopback; a key nobody knows keeps it closed to everyone.
  const clusterKey = secrets.clusterKey ?? new Secret(randomBytes(32).toString('base64'));

  const groups: GroupSpec[] = (data['groups'] as Raw[]).map((g) => {
    const iface = g['interface'] as string;
    const label = str(g['label']);
    const vips: Vip[] = (g['addresses'] as string[]).map((text) => {
      const vip = parseVip(text);
      if (vip === null) throw new Error(`unvalidated VIP ${text}`);
      return {
        address: vip.address,
        prefixLength: vip.prefixLength,
        interface: iface,
        ...(label !== undefined && vip.family === 4 ? { label } : {}),
      };
    });
    const syncGroup = str(g['sync_group']);
    return {
      name: g['name'] as string,
      interface: iface,
      vips,
      priority: g['priority'] as number,
      preempt: g['preempt'] as boolean,
      preemptDelayMs: ms(g['preempt_delay']),
      ...(syncGroup === undefined ? {} : { syncGroup }),
      track: (g['track'] as Raw[]).map((t) => ({
        tracker: t['tracker'] as string,
        weight: t['weight'] as number,
      })),
      trackInterface: g['track_interface'] as boolean,
      notify: [...globalScripts, ...(g['notify'] as string[]).map((s) => resolve(baseDir, s))],
      announce: obj(g['announce']) ? announceFrom(g['announce'] as Raw, announce) : announce,
    };
  });

  const trackers: TrackerSpec[] = (data['trackers'] as Raw[]).map((t) => {
    const base = {
      name: t['name'] as string,
      intervalMs: ms(t['interval']),
      rise: (t['rise'] as number | undefined) ?? 1,
      fall: (t['fall'] as number | undefined) ?? 1,
    };
    const type = t['type'] as TrackerSpec['type'];
    switch (type) {
      case 'interface':
        return { ...base, type, interface: t['interface'] as string };
      case 'http':
        return {
          ...base,
          type,
          url: t['url'] as string,
          expectStatus: t['expect_status'] as number[],
          tlsVerify: t['tls_verify'] as boolean,
          ...(typeof t['ca_file'] === 'string' ? { caFile: resolve(baseDir, t['ca_file']) } : {}),
          timeoutMs: ms(t['timeout']),
        };
      case 'tcp':
        return { ...base, type, address: t['address'] as string, timeoutMs: ms(t['timeout']) };
      case 'script':
        return {
          ...base,
          type,
          path: resolve(baseDir, t['path'] as string),
          args: t['args'] as string[],
          timeoutMs: ms(t['timeout']),
        };
      case 'file':
        return { ...base, type, path: resolve(baseDir, t['path'] as string) };
    }
  });

  const peers = (cluster['peers'] as Raw[]).map((p) => ({
    id: p['id'] as string,
    address: p['address'] as string,
  }));
  return {
    file,
    node: {
      id: node['id'] as string,
      listen: str(node['listen']) ?? '127.0.0.1:0',
      stateFile: node['state_file'] as string,
    },
    cluster: {
      name: cluster['name'] as string,
      key: clusterKey,
      acceptKeys: secrets.acceptKeys,
      heartbeatIntervalMs: ms(cluster['heartbeat_interval']),
      downMultiplier: cluster['down_multiplier'] as number,
      quorum: cluster['quorum'] as boolean,
      peers,
      ...(tls
        ? {
            tls: {
              certFile: resolve(baseDir, tls['cert_file'] as string),
              keyFile: resolve(baseDir, tls['key_file'] as string),
              caFile: resolve(baseDir, tls['ca_file'] as string),
            },
          }
        : {}),
    },
    groups,
    trackers,
    notifyTimeoutMs: ms(notify['timeout']),
    api: {
      enabled: api['enabled'] as boolean,
      listen: api['listen'] as string,
      token: secrets.apiToken,
      maxConnections: api['max_connections'] as number,
      allowedHosts: (api['allowed_hosts'] as string[]).map((host) => host.toLowerCase()),
    },
    log: {
      level: log['level'] as VipdConfig['log']['level'],
      format: log['format'] as VipdConfig['log']['format'],
    },
    ...(secrets.realserver === null ? {} : { realserver: secrets.realserver }),
  };
}

/** Parsed listen endpoint of a validated config value. */
/**
 * A real server behind a director: a realserver section, no groups, no peers. It has nobody
 * to send heartbeats to, so it needs neither a listen address nor a cluster key.
 */
export function isRealServerOnly(node: {
  readonly realserver: unknown;
  readonly groups: readonly unknown[];
  readonly peers: readonly unknown[];
}): boolean {
  return node.realserver !== undefined && node.groups.length === 0 && node.peers.length === 0;
}

export function listenEndpoint(text: string): { host: string; port: number } {
  const parsed = readHostPort(text, LISTEN_ADDRESS);
  if (parsed === null) throw new Error(`unvalidated listen address ${text}`);
  return parsed;
}

/**
 * Records `name` at `section[index]`, or reports it as a duplicate of the first entry that
 * used it: the same rule for trackers and groups, which are referred to by name.
 */
function noteUniqueName(
  problems: ProblemList,
  seen: Map<string, number>,
  section: 'trackers' | 'groups',
  kind: string,
  name: string | undefined,
  index: number,
): void {
  if (name === undefined) return;
  const first = seen.get(name);
  if (first === undefined) {
    seen.set(name, index);
    return;
  }
  problems.error(
    [section, index, 'name'],
    `duplicate ${kind} name "${name}" (also ${section}[${first}])`,
  );
}
