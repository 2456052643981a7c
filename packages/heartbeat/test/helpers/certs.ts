// Throwaway PKI for the TLS tests, made with the openssl CLI in a temp dir: a cluster CA,
// node certificates it signs (SAN IP 127.0.0.1, usable as server and client), and a rogue
// CA with a certificate of its own.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TlsOptions } from '../../src/index.js';

export interface TestPki {
  readonly dir: string;
  /**
   * cert/key/CA files for a node signed by the cluster CA: subject CN `name` unless `cn`
   * says otherwise, `uris` added as URI subjectAltNames (e.g. vipd:node/<id>).
   */
  node(
    name: string,
    names?: { readonly cn?: string; readonly uris?: readonly string[] },
  ): TlsOptions;
  /** A certificate signed by a CA the cluster does not trust (cluster CA as caFile). */
  rogue(name: string): TlsOptions;
  remove(): void;
}

function openssl(cwd: string, ...args: string[]): void {
  execFileSync('openssl', args, { cwd, stdio: 'pipe' });
}

function makeCa(dir: string, name: string): void {
  openssl(
    dir,
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-subj',
    `/CN=${name}`,
  );
}

function makeCert(
  dir: string,
  ca: string,
  name: string,
  cn = name,
  uris: readonly string[] = [],
): void {
  openssl(
    dir,
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:prime256v1',
    '-nodes',
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${cn}`,
  );
  const altNames = ['IP:127.0.0.1', ...uris.map((uri) => `URI:${uri}`)].join(',');
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=${altNames}\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  openssl(
    dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  );
}

export function createTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-heartbeat-pki-'));
  makeCa(dir, 'cluster-ca');
  makeCa(dir, 'rogue-ca');
  const files = (name: string): TlsOptions => ({
    certFile: join(dir, `${name}.crt`),
    keyFile: join(dir, `${name}.key`),
    caFile: join(dir, 'cluster-ca.crt'),
  });
  return {
    dir,
    node: (name, names = {}) => {
      makeCert(dir, 'cluster-ca', name, names.cn, names.uris);
      return files(name);
    },
    rogue: (name) => {
      makeCert(dir, 'rogue-ca', name);
      return files(name);
    },
    remove: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
