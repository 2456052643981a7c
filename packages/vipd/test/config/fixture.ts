// Writes a config directory (config file, key and token files) under a fresh temp dir, and
// loads one the way the daemon does.

import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import type { ConfigProblem, VipdConfig } from '../../src/config/types.js';

export const CLUSTER_KEY = 'k'.repeat(32);
export const API_TOKEN = 't'.repeat(24);

/** The shape from the issue, verbatim. */
export const ISSUE_EXAMPLE = `node:
  id: n1
  listen: 10.213.0.1:7410          # heartbeat WebSocket endpoint
cluster:
  key_file: ./cluster.key          # shared heartbeat key
  heartbeat_interval: 100ms        # durations: ms, s, m
  down_multiplier: 3
  quorum: false                    # quorum guard; witnesses are peers with no groups
  peers:
    - id: n2
      address: 10.213.0.2:7410
groups:
  - name: web
    interface: eth0
    addresses: [10.213.0.100/24]   # IPv4 and IPv6
    priority: 150
    preempt: true
    preempt_delay: 0s
api:
  listen: 127.0.0.1:7411
  token_file: ./api.token          # bearer token for mutating calls
`;

export interface ConfigDir {
  readonly dir: string;
  readonly file: string;
  write(name: string, content: string, mode?: number): string;
  remove(): void;
}

export function configDir(yaml: string, options: { withSecrets?: boolean } = {}): ConfigDir {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-config-'));
  const write = (name: string, content: string, mode = 0o600): string => {
    const path = join(dir, name);
    writeFileSync(path, content);
    chmodSync(path, mode);
    return path;
  };
  if (options.withSecrets !== false) {
    write('cluster.key', `${CLUSTER_KEY}\n`);
    write('api.token', `${API_TOKEN}\n`);
  }
  const file = write('vipd.yaml', yaml, 0o644);
  return {
    dir,
    file,
    write,
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadOptions {
  /** Write cluster.key and api.token beside the file (default true). */
  readonly withSecrets?: boolean;
  /** The environment `${VAR}` references read (default empty). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Loads `yaml` from a fresh config directory: the config, or every problem the loader found
 * (any other failure throws). The directory is removed either way.
 */
export function loadOrProblems(
  yaml: string,
  options: LoadOptions = {},
): VipdConfig | ConfigProblem[] {
  const dir = configDir(yaml, options);
  try {
    return loadConfigFile(dir.file, { env: { ...options.env } }).config;
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  } finally {
    dir.remove();
  }
}
