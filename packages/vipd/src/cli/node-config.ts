// What a client on the node (vipctl, `vipd reload`) takes from the node's own config file:
// where its API listens and the API token. Read through the same loader as `vipd run`, so
// the client finds exactly the address and token the daemon uses.

import type { HostPort } from '@vipd/heartbeat';
import { ConfigError, formatProblemAt, loadConfigFile } from '../config/load.js';
import type { VipdConfig } from '../config/types.js';
import { VipdError } from '../errors.js';

export const DEFAULT_CONFIG_FILE = '/etc/vipd/vipd.yaml';

/** Why the node's config gave no answer: `missing` only when the file does not exist. */
export class NodeConfigError extends Error {
  constructor(
    readonly reason: 'missing' | 'unreadable' | 'invalid',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Placeholders for secrets a client never sends. With them in the loader's environment it
 * does not open the cluster key file (0600 vipd:vipd), so an operator in group vipd, who may
 * read vipd.yaml but not the key, still gets the API address.
 */
const UNUSED_SECRET = 'unused-by-this-client-'.padEnd(44, 'x');

export interface NodeConfigRead {
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Read api.token_file too (takeover, release, maintenance); else only the address. */
  readonly withToken: boolean;
}

/** Loads the node's config for a client; throws NodeConfigError saying what to do instead. */
export function readNodeConfig(read: NodeConfigRead): VipdConfig {
  const env = {
    ...read.env,
    VIPD_CLUSTER_KEY: UNUSED_SECRET,
    ...(read.withToken ? {} : { VIPD_API_TOKEN: UNUSED_SECRET }),
  };
  try {
    return loadConfigFile(read.file, { env }).config;
  } catch (error) {
    throw asNodeConfigError(read.file, error);
  }
}

function asNodeConfigError(file: string, error: unknown): NodeConfigError {
  if (error instanceof ConfigError) {
    const token = error.problems.find((p) => p.path.startsWith('api.token_file'));
    if (token !== undefined)
      return new NodeConfigError(
        'unreadable',
        `${formatProblemAt(file, token)}; run vipctl as root (sudo), or pass --token-file FILE`,
      );
    const first = error.problems[0];
    return new NodeConfigError(
      'invalid',
      `${file} is invalid (${first === undefined ? 'see vipd check' : formatProblemAt(file, first)}); ` +
        `run \`vipd check -c ${file}\`, or pass --api URL`,
    );
  }
  const cause = (error as { cause?: NodeJS.ErrnoException }).cause?.code;
  if (error instanceof VipdError && cause === 'ENOENT')
    return new NodeConfigError('missing', `${file} does not exist`);
  if (error instanceof VipdError && (cause === 'EACCES' || cause === 'EPERM'))
    return new NodeConfigError(
      'unreadable',
      `cannot read ${file} (permission denied): run vipctl as root (sudo) or as a member of ` +
        `group vipd, or pass --api URL (and --token-file FILE)`,
    );
  return new NodeConfigError('unreadable', (error as Error).message);
}

/**
 * The URL a client on this host uses for an API listening on `listen`: a wildcard address
 * (0.0.0.0, ::) is reached over loopback; IPv6 literals go in brackets.
 */
export function apiUrlOf(listen: HostPort): string {
  const host = listen.host === '0.0.0.0' ? '127.0.0.1' : listen.host === '::' ? '::1' : listen.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${listen.port}`;
}
