// The checks that read the file system: secrets (key and token files, or the environment),
// TLS and CA files that must be readable, scripts that must be safe to run with vipd's
// capabilities. The pure rules are in rules.ts; these need a disk.

import {
  constants,
  accessSync,
  closeSync,
  fstatSync,
  openSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { resolve } from 'node:path';
import { scriptExposure, secretFileExposure } from './file-trust.js';
import type { Path, ProblemList } from './problems.js';
import { documentIsRealServerOnly, documentNeedsMesh } from './rules.js';
import { Secret } from './secret.js';
import { list, obj, str, type Unchecked } from './unchecked.js';

/** 256 bits, what HMAC-SHA256 can use; `vipd keygen` prints 44 bytes of base64. */
export const MIN_CLUSTER_KEY_BYTES = 32;
export const MIN_API_TOKEN_BYTES = 16;
export const MIN_WEBHOOK_SECRET_BYTES = 16;

export interface Secrets {
  readonly clusterKey: Secret | null;
  readonly acceptKeys: readonly Secret[];
  readonly apiToken: Secret | null;
  /** One per notify.webhooks entry, same order; null where it could not be read. */
  readonly webhookSecrets: readonly (Secret | null)[];
}

/** Reads the secrets and checks every file the config names; returns the secrets read. */
export function checkFiles(
  data: Unchecked,
  problems: ProblemList,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Secrets {
  const secrets = readSecrets(data, problems, baseDir, env);
  const tls = obj(obj(data['cluster'])?.['tls']);
  for (const key of ['cert_file', 'key_file', 'ca_file']) {
    const file = str(tls?.[key]);
    if (file !== undefined)
      checkReadable(problems, ['cluster', 'tls', key], resolve(baseDir, file));
  }

  // Scripts run with vipd's capabilities: only root and vipd's user may be able to change them.
  const scriptRule: ScriptRule = {
    allowUnsafe: obj(data['node'])?.['allow_unsafe_scripts'] === true,
  };
  list(data['trackers']).forEach((tracker, i) => {
    const t = obj(tracker);
    const path = str(t?.['path']);
    if (t?.['type'] === 'script' && path !== undefined) {
      checkScript(problems, ['trackers', i, 'path'], resolve(baseDir, path), scriptRule);
    }
    const caFile = str(t?.['ca_file']);
    if (t?.['type'] === 'http' && caFile !== undefined) {
      checkReadable(problems, ['trackers', i, 'ca_file'], resolve(baseDir, caFile));
    }
  });
  list(obj(data['notify'])?.['scripts']).forEach((script, i) => {
    if (typeof script === 'string')
      checkScript(problems, ['notify', 'scripts', i], resolve(baseDir, script), scriptRule);
  });
  list(data['groups']).forEach((group, g) => {
    list(obj(group)?.['notify']).forEach((script, s) => {
      if (typeof script === 'string')
        checkScript(problems, ['groups', g, 'notify', s], resolve(baseDir, script), scriptRule);
    });
  });
  return secrets;
}

function readSecrets(
  data: Unchecked,
  problems: ProblemList,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Secrets {
  const cluster = obj(data['cluster']);
  const api = obj(data['api']);
  const realServerOnly = documentIsRealServerOnly(data);
  const clusterKey = readSecret(problems, {
    path: ['cluster'],
    key: 'key_file',
    file: str(cluster?.['key_file']),
    envName: 'VIPD_CLUSTER_KEY',
    env,
    baseDir,
    minBytes: MIN_CLUSTER_KEY_BYTES,
    what: 'cluster key',
    required: documentNeedsMesh(data),
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
  return {
    clusterKey,
    acceptKeys,
    apiToken,
    webhookSecrets: readWebhookSecrets(data, problems, baseDir, env),
  };
}

function readWebhookSecrets(
  data: Unchecked,
  problems: ProblemList,
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
): (Secret | null)[] {
  return list(obj(data['notify'])?.['webhooks']).map((webhook, i) => {
    const w = obj(webhook);
    return readSecret(problems, {
      path: ['notify', 'webhooks', i],
      key: 'secret_file',
      file: str(w?.['secret_file']),
      envName: undefined,
      env,
      baseDir,
      minBytes: MIN_WEBHOOK_SECRET_BYTES,
      what: 'webhook secret',
      required: true,
      allowReadable: w?.['allow_readable_secret_file'] === true,
      override: `notify.webhooks[${i}].allow_readable_secret_file`,
    });
  });
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
