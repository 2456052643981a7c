// The cross-key rules alone: a document in, problems out, no files and no YAML.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProblemList } from '../../src/config/problems.js';
import { checkRules, documentIsRealServerOnly } from '../../src/config/rules.js';

function problemsOf(document: Record<string, unknown>): ProblemList {
  const problems = new ProblemList(() => undefined);
  checkRules(document, problems);
  return problems;
}

const node = { id: 'n1', listen: '10.0.0.1:7410' };

describe('config rules across keys', () => {
  it('accepts a consistent document', () => {
    const problems = problemsOf({
      node,
      cluster: { peers: [{ id: 'n2', address: '10.0.0.2:7410' }] },
      trackers: [{ name: 'up', type: 'interface', interface: 'eth1' }],
      groups: [
        {
          name: 'web',
          interface: 'eth0',
          addresses: ['10.0.0.100/24'],
          track: [{ tracker: 'up' }],
        },
      ],
    });
    assert.deepEqual(problems.errors, []);
    assert.deepEqual(problems.warnings, []);
  });

  it('finds a peer that is this node, and the same VIP in two spellings', () => {
    const problems = problemsOf({
      node,
      cluster: { peers: [{ id: 'n1', address: '10.0.0.2:7410' }] },
      groups: [
        { name: 'a', interface: 'eth0', addresses: ['fd00::1/64'] },
        { name: 'b', interface: 'eth0', addresses: ['FD00:0::1'] },
      ],
    });
    assert.deepEqual(
      problems.errors.map((p) => [p.path, p.message]),
      [
        ['cluster.peers[0].id', `"n1" is this node's own id (node.id)`],
        [
          'groups[1].addresses[0]',
          'duplicate VIP fd00::1 (also groups[0].addresses[0] in group "a")',
        ],
      ],
    );
  });

  it('refers trackers by name: unknown is an error, unused a warning', () => {
    const problems = problemsOf({
      node,
      trackers: [{ name: 'spare', type: 'interface', interface: 'eth1' }],
      groups: [
        { name: 'web', interface: 'eth0', addresses: ['10.0.0.100'], track: [{ tracker: 'nope' }] },
      ],
    });
    assert.deepEqual(
      problems.errors.map((p) => p.message),
      ['unknown tracker "nope"; defined: spare'],
    );
    assert.deepEqual(
      problems.warnings.map((p) => p.message),
      ['tracker "spare" is not tracked by any group'],
    );
  });

  it('refuses a refresh faster than the announcer allows', () => {
    const problems = problemsOf({ node, announce: { refresh: '50ms' } });
    assert.deepEqual(
      problems.errors.map((p) => [p.path, p.message]),
      [['announce.refresh', 'must be 0s (off) or at least 100ms (got 50ms)']],
    );
  });

  it('needs node.listen unless the node is a real server only', () => {
    assert.deepEqual(
      problemsOf({ node: { id: 'n1' } }).errors.map((p) => p.message),
      ['missing required key "listen"'],
    );
    const realServer = {
      node: { id: 'n1' },
      realserver: { vips: ['10.0.0.100'], interfaces: ['eth0'] },
    };
    assert.equal(documentIsRealServerOnly(realServer), true);
    assert.deepEqual(problemsOf(realServer).errors, []);
  });

  it('reports the real-server role rules on a well-formed section', () => {
    const problems = problemsOf({
      node,
      realserver: {
        vips: ['10.0.0.100'],
        interfaces: ['lo'],
        check_interval: '5s',
        client_probes: [],
      },
    });
    assert.deepEqual(
      problems.errors.map((p) => p.message),
      ['realserver.interfaces must list the LAN interfaces, not lo'],
    );
  });

  it('survives a document of the wrong shapes (the schema reports those)', () => {
    const problems = problemsOf({
      node: 'n1',
      cluster: [],
      groups: {},
      trackers: 'x',
      announce: 3,
    });
    assert.deepEqual(problems.warnings, []);
  });
});
