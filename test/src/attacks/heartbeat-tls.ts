// Mutual TLS for a lab cluster's heartbeats: a throwaway CA and one certificate per node
// (SAN = the node's lab address) made with the openssl CLI inside the run directory, and
// `cluster.tls` added to every node's config file.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readCommandSync } from '../command.js';
import type { Lab, LabHost } from '../lab.js';
import type { VipdCluster } from '../vipd-cluster.js';

function openssl(cwd: string, args: readonly string[]): void {
  readCommandSync(['sh', '-c', 'cd "$0" && exec openssl "$@"', cwd, ...args]);
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

function makeNodeCertificate(dir: string, node: LabHost): void {
  const name = `hb-${node.name}`;
  openssl(dir, [
    'req',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.csr`,
    '-subj',
    `/CN=${node.name}`,
  ]);
  writeFileSync(
    join(dir, `${name}.ext`),
    `subjectAltName=IP:${node.ipv4}\nextendedKeyUsage=serverAuth,clientAuth\n`,
  );
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'hb-ca.crt',
    '-CAkey',
    'hb-ca.key',
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '1',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** Writes the PKI into the lab's run directory and turns on cluster.tls in every config. */
export function enableHeartbeatTls(lab: Lab, cluster: VipdCluster): void {
  const dir = lab.runDir;
  openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    'hb-ca.key',
    '-out',
    'hb-ca.crt',
    '-days',
    '1',
    '-subj',
    '/CN=vipd-lab-ca',
  ]);
  for (const node of cluster.members) {
    makeNodeCertificate(dir, node);
    const path = cluster.configPath(node);
    const config = parse(readFileSync(path, 'utf8')) as { cluster: Record<string, unknown> };
    config.cluster['tls'] = {
      cert_file: join(dir, `hb-${node.name}.crt`),
      key_file: join(dir, `hb-${node.name}.key`),
      ca_file: join(dir, 'hb-ca.crt'),
    };
    writeFileSync(path, stringify(config));
  }
}
