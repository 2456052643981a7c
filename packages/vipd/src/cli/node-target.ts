// Which API vipctl talks to and with which token. Flags and the environment win; otherwise
// both come from the node's config file, so `vipctl takeover web` works on a node as it is
// installed. The file is read once, and only when something is needed from it.

import { readFileSync } from 'node:fs';
import type { VipdConfig } from '../config/types.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { apiUrlOf, NodeConfigError, readNodeConfig } from './node-config.js';

/** A failure vipctl reports in one line, with its exit status and a code for --json. */
export class CliFailure extends Error {
  constructor(
    readonly exitCode: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface NodeTargetOptions {
  /** -c / VIPD_CONFIG / the default path. */
  config: string;
  /** --api / VIPD_API; undefined: from the config. */
  api?: string;
  tokenFile?: string;
}

export interface NodeTargetSources {
  /** -c or VIPD_CONFIG named the file: it must exist. */
  readonly configExplicit: boolean;
  /** Used when neither --api nor a config names the API (a developer's node). */
  readonly defaultApi: string;
}

export interface ApiLocation {
  readonly url: string;
  /** Where the URL came from, for messages. */
  readonly source: string;
}

export class NodeTarget {
  readonly #io: CliIo;
  readonly #options: NodeTargetOptions;
  readonly #sources: NodeTargetSources;
  #config: { withToken: boolean; config: VipdConfig | null } | undefined;

  constructor(io: CliIo, options: NodeTargetOptions, sources: NodeTargetSources) {
    this.#io = io;
    this.#options = options;
    this.#sources = sources;
  }

  url(): ApiLocation {
    const explicit = this.#options.api;
    if (explicit !== undefined && explicit !== '')
      return { url: baseUrl(explicit), source: 'from --api / VIPD_API' };
    const config = this.#nodeConfig(false);
    if (config === null)
      return {
        url: this.#sources.defaultApi,
        source: `the default: ${this.#options.config} does not exist; pass --api or -c`,
      };
    if (!config.api.enabled)
      throw new CliFailure(
        EXIT.UNAVAILABLE,
        'API_DISABLED',
        `${config.file} sets api.enabled: false; this node serves no API`,
      );
    return {
      url: apiUrlOf(config.api.listenEndpoint),
      source: `api.listen in ${config.file}`,
    };
  }

  /** The bearer token: --token-file, VIPD_API_TOKEN_FILE, VIPD_API_TOKEN, then the config. */
  token(): string {
    const file = this.#options.tokenFile ?? this.#io.env['VIPD_API_TOKEN_FILE'];
    if (file !== undefined && file !== '') return readTokenFile(file);
    const fromEnv = this.#io.env['VIPD_API_TOKEN'];
    if (fromEnv !== undefined && fromEnv !== '') return fromEnv.trim();
    // The config's token goes only to the config's API, never to another node named by --api.
    const api = this.#options.api;
    const configOwnsApi = api === undefined || api === '' || this.#sources.configExplicit;
    const config = configOwnsApi ? this.#nodeConfig(true) : null;
    if (config?.api.token != null) return config.api.token.reveal().toString('utf8');
    throw new CliFailure(
      EXIT.UNAUTHORIZED,
      'TOKEN_MISSING',
      config === null
        ? 'this command needs the API token: pass --token-file FILE or set VIPD_API_TOKEN (or -c CONFIG with api.token_file)'
        : `this command needs the API token, and ${config.file} has no api.token_file (the API is read-only): pass --token-file FILE or set VIPD_API_TOKEN`,
    );
  }

  /** The node's config, or null when the default file does not exist. */
  #nodeConfig(withToken: boolean): VipdConfig | null {
    if (this.#config !== undefined && (this.#config.withToken || !withToken))
      return this.#config.config;
    let config: VipdConfig | null;
    try {
      config = readNodeConfig({ file: this.#options.config, env: this.#io.env, withToken });
    } catch (error) {
      if (!(error instanceof NodeConfigError)) throw error;
      if (error.reason !== 'missing' || this.#sources.configExplicit)
        throw new CliFailure(
          EXIT.CONFIG_INVALID,
          error.reason === 'invalid' ? 'CONFIG_INVALID' : 'CONFIG_UNREADABLE',
          error.message,
        );
      config = null;
    }
    this.#config = { withToken, config };
    return config;
  }
}

function baseUrl(api: string): string {
  const withScheme = /^https?:\/\//.test(api) ? api : `http://${api}`;
  return withScheme.replace(/\/+$/, '');
}

function readTokenFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').replace(/\s+$/, '');
  } catch (error) {
    throw new CliFailure(
      EXIT.UNAUTHORIZED,
      'TOKEN_MISSING',
      `cannot read token file ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
}
