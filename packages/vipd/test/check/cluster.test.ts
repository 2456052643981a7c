// `vipd check --cluster` without the CLI: node files loaded as the daemon loads them, compared.

import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { checkCluster, keyFingerprint, type ClusterNode } from '../../src/check/cluster.js';
import { loadConfigFile } from '../../src/config/load.js';
import { Secret } from '../../src/config/secret.js';
import { configDir } from '../config/fixture.js';

const dir = configDir('{}\n');
dir.write('other.key', `${'o'.repeat(40)}\n`);
after(() => {
  dir.remove();
});

interface NodeSpec {
  readonly id: string;
  readonly listen: string;
  readonly peers: readonly (readonly [string, string])[];
  readonly groups?: string;
  readonly cluster?: string;
  readonly keyFile?: string;
}

function node(spec: NodeSpec): ClusterNode {
  const file = dir.write(
    `${spec.id}.yaml`,
    `node: { id: ${spec.id}, listen: "${spec.listen}" }
cluster:
  key_file: ${spec.keyFile ?? 'cluster.key'}
  peers: [${spec.peers.map(([id, address]) => `{ id: ${id}, address: "${address}" }`).join(', ')}]
${spec.cluster ?? ''}
${spec.groups === undefined ? '' : `groups:\n${spec.groups}`}
api: { listen: 127.0.0.1:7411 }
`,
    0o644,
  );
  const loaded = loadConfigFile(file, { env: {} });
  return { file: `${spec.id}.yaml`, config: loaded.config, locate: loaded.locate };
}

const group = (name: string, vips: string, priority: number, iface = 'eth0') =>
  `  - { name: ${name}, interface: ${iface}, addresses: [${vips}], priority: ${priority} }\n`;

/** Three nodes that agree; each test changes one thing. */
function trio(change: Partial<Record<'n1' | 'n2' | 'n3', Partial<NodeSpec>>> = {}): ClusterNode[] {
  const base: Record<'n1' | 'n2' | 'n3', NodeSpec> = {
    n1: {
      id: 'n1',
      listen: '10.0.0.1:7410',
      peers: [
        ['n2', '10.0.0.2:7410'],
        ['n3', '10.0.0.3:7410'],
      ],
      groups: group('web', '10.0.0.100/24', 150) + group('db', '10.0.0.101/24', 100),
    },
    n2: {
      id: 'n2',
      listen: '10.0.0.2:7410',
      peers: [
        ['n1', '10.0.0.1:7410'],
        ['n3', '10.0.0.3:7410'],
      ],
      // Interface names may differ between nodes.
      groups:
        group('web', '10.0.0.100/24', 100, 'ens3') + group('db', '10.0.0.101/24', 150, 'ens3'),
    },
    // A witness: no groups.
    n3: {
      id: 'n3',
      listen: '0.0.0.0:7410',
      peers: [
        ['n1', 'n1.example:7410'],
        ['n2', '10.0.0.2:7410'],
      ],
    },
  };
  return (['n1', 'n2', 'n3'] as const).map((id) => node({ ...base[id], ...change[id] }));
}

const rows = (nodes: ClusterNode[]) =>
  checkCluster(nodes).map((p) => `${p.severity} ${p.file} ${p.path}: ${p.message}`);

describe('vipd check --cluster: the rules', () => {
  it('passes nodes that agree (interface names differ, a witness, a peer named by DNS)', () => {
    assert.deepEqual(rows(trio()), []);
  });

  it('finds differing cluster names, timing and TLS against the majority', () => {
    const nodes = trio({
      n2: { cluster: '  name: other\n  heartbeat_interval: 200ms\n  down_multiplier: 5\n' },
      n3: { cluster: '  quorum: true\n  heartbeat_datagram: false\n' },
    });
    assert.deepEqual(rows(nodes), [
      'error n2.yaml cluster.name: cluster name is other here but vipd in n1.yaml, n3.yaml',
      'error n2.yaml cluster.heartbeat_interval: heartbeat interval is 200ms here but 100ms in n1.yaml, n3.yaml',
      'error n2.yaml cluster.down_multiplier: down multiplier is 5 here but 3 in n1.yaml, n3.yaml',
      'warning n3.yaml cluster.quorum: quorum guard is on here but off in n1.yaml, n2.yaml',
      'warning n3.yaml cluster.heartbeat_datagram: heartbeat_datagram is off here but on in n1.yaml, n2.yaml',
    ]);
    const found = checkCluster(nodes)[0];
    assert.equal(found?.code, 'CLUSTER_MISMATCH');
    assert.equal(found.line, 5, 'points at the line of cluster.name in n2.yaml');
  });

  it('finds duplicate node ids', () => {
    const nodes = trio();
    const copy = { ...nodes[0]!, file: 'copy.yaml' };
    assert.ok(
      rows([...nodes, copy]).includes(
        'error copy.yaml node.id: node id "n1" is also n1.yaml\'s; every node needs its own',
      ),
    );
  });

  it('finds peers missing, pointing at the wrong port or host, and unknown', () => {
    const nodes = trio({
      n1: {
        peers: [
          ['n2', '10.0.0.2:7411'],
          ['n9', '10.0.0.9:7410'],
        ],
      },
      n2: {
        peers: [
          ['n1', '10.0.0.5:7410'],
          ['n3', '10.0.0.3:7410'],
        ],
      },
    });
    assert.deepEqual(rows(nodes), [
      'error n1.yaml cluster.peers: lists no peer "n3" (node.id in n3.yaml); every node must list every other',
      'error n1.yaml cluster.peers[0].address: dials 10.0.0.2:7411, but n2 listens on 10.0.0.2:7410 (node.listen in n2.yaml)',
      'warning n1.yaml cluster.peers[1].id: peer "n9" is not the node.id of any file checked',
      'error n2.yaml cluster.peers[0].address: dials 10.0.0.5:7410, but n1 listens on 10.0.0.1:7410 (node.listen in n1.yaml)',
    ]);
  });

  it('finds a group with other VIPs, one missing on a node, one on a single node, and ties at the top', () => {
    const nodes = trio({
      n1: { groups: group('web', '10.0.0.100/24', 150) + group('db', '10.0.0.101/24', 150) },
      n2: {
        groups:
          group('web', '10.0.0.100/24, 10.0.0.102/24', 100) +
          group('db', '10.0.0.101/24', 150) +
          group('mail', '10.0.0.103/24', 100),
      },
    });
    assert.deepEqual(rows(nodes), [
      'warning n1.yaml groups[1].priority: priority 150 ties for the top of group "db" with n2: the greater node id (n2) becomes master, not a choice written down',
      'error n2.yaml groups[0].addresses: group "web" has VIPs 10.0.0.100/24, 10.0.0.102/24 here but 10.0.0.100/24 in n1.yaml',
      'warning n2.yaml groups[1].priority: priority 150 ties for the top of group "db" with n1: the greater node id (n2) becomes master, not a choice written down',
      'warning n2.yaml groups[2].name: only this node has group "mail": nothing can fail over to another node',
    ]);
  });

  it('compares keys by fingerprint: refused keys are errors, a rotation under way a warning', () => {
    const other = trio({ n2: { keyFile: 'other.key' } });
    const refused = rows(other);
    assert.equal(refused.length, 3);
    const n2Key = keyFingerprint(new Secret('o'.repeat(40)));
    assert.ok(
      refused[0]?.startsWith(
        `error n1.yaml cluster.key_file: does not accept the key n2.yaml signs with (${n2Key}; `,
      ),
      refused[0],
    );
    assert.match(
      refused[1] ?? '',
      /^error n2\.yaml cluster\.key_file: does not accept the key n1\.yaml, n3\.yaml sign with/,
    );
    // The fingerprint names the key; the key itself never appears.
    assert.ok(!refused.join('\n').includes('o'.repeat(16)));
    const rotating = trio({
      n1: { cluster: '  accept_key_files: [other.key]\n' },
      n2: { keyFile: 'other.key', cluster: '  accept_key_files: [cluster.key]\n' },
      n3: { cluster: '  accept_key_files: [other.key]\n' },
    });
    assert.deepEqual(rows(rotating), [
      `warning n2.yaml cluster.key_file: signs with ${n2Key}, most nodes with ${keyFingerprint(new Secret('k'.repeat(32)))}: fine during a key rotation; finish it (docs/security.md)`,
    ]);
  });
});
