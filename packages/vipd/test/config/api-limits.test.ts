import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, loadConfigFile } from '../../src/config/load.js';
import type { VipdConfig } from '../../src/config/types.js';
import { configDir } from './fixture.js';

const MINIMAL = `node: { id: n1, listen: 127.0.0.1:7410 }
cluster: { key_file: cluster.key }
`;

function load(yaml: string): VipdConfig {
  const dir = configDir(`${MINIMAL}${yaml}`);
  try {
    return loadConfigFile(dir.file, { env: {} }).config;
  } finally {
    dir.remove();
  }
}

function problems(yaml: string): string[] {
  try {
    load(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((p) => `${p.path}: ${p.message}`);
    throw error;
  }
  return [];
}

describe('api.max_connections and api.allowed_hosts', () => {
  it('default to 64 connections and no names', () => {
    const { api } = load('');
    assert.equal(api.maxConnections, 64);
    assert.deepEqual(api.allowedHosts, []);
  });

  it('are read from the file; names are compared lower-case', () => {
    const { api } = load(
      'api: { max_connections: 8, allowed_hosts: [vipd-1.example, Node2.Example] }\n',
    );
    assert.equal(api.maxConnections, 8);
    assert.deepEqual(api.allowedHosts, ['vipd-1.example', 'node2.example']);
  });

  it('refuse a cap of 0, a name with a port or a scheme, and a duplicate name', () => {
    const found = problems(
      'api:\n  max_connections: 0\n  allowed_hosts: [vipd.example:7411, "http://vipd.example", a.example, a.example]\n',
    );
    assert.deepEqual(found, [
      'api.max_connections: must be >= 1 (got 0)',
      'api.allowed_hosts[0]: must be a DNS name without port or scheme, e.g. vipd-1.example (got the string "vipd.example:7411")',
      'api.allowed_hosts[1]: must be a DNS name without port or scheme, e.g. vipd-1.example (got the string "http://vipd.example")',
      'api.allowed_hosts[2]: duplicate of item 3',
    ]);
  });
});
