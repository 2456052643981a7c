// The pieces the first-cluster walkthrough test stands on: reading marked steps out of
// Markdown, and turning a unit's Exec line into what systemd would run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asService, commandWords } from './unit-as-service.js';
import { parseUnitFile } from './unit-file.js';
import { DEPLOY_DIR } from './vipd-cli.js';
import { shellCommands, walkthroughSteps } from './walkthrough.js';

describe('walkthroughSteps', () => {
  const doc = [
    'Intro.',
    '<!-- walkthrough step=keys on=n1,n2 -->',
    '',
    '```sh',
    'umask 077 # private',
    '',
    'vipd keygen > /etc/vipd/cluster.key',
    '```',
    '```sh',
    'not a step',
    '```',
    '<!-- walkthrough step=config on=n2 file=/etc/vipd/vipd.yaml -->',
    '```yaml',
    'node: { id: n2 } # a YAML comment stays',
    '```',
  ].join('\n');

  it('reads each marked block with its nodes, file and body, and nothing unmarked', () => {
    const steps = walkthroughSteps(doc);
    assert.deepEqual(
      steps.map((s) => [s.step, s.on, s.file, s.language]),
      [
        ['keys', ['n1', 'n2'], null, 'sh'],
        ['config', ['n2'], '/etc/vipd/vipd.yaml', 'yaml'],
      ],
    );
    assert.equal(steps[1]?.body, 'node: { id: n2 } # a YAML comment stays\n');
    assert.deepEqual(shellCommands(steps[0]?.body ?? ''), [
      'umask 077',
      'vipd keygen > /etc/vipd/cluster.key',
    ]);
  });

  it('refuses a marker without a block, without nodes, or a step name used twice', () => {
    assert.throws(() => walkthroughSteps('<!-- walkthrough step=a on=n1 -->\ntext'), /step a/);
    assert.throws(() => walkthroughSteps('<!-- walkthrough step=a -->\n```sh\nx\n```'), /on=/);
    const twice = '<!-- walkthrough step=a on=n1 -->\n```sh\nx\n```\n';
    assert.throws(() => walkthroughSteps(twice + twice), /twice/);
  });
});

describe('asService on deploy/systemd/vipd.service', () => {
  const unit = parseUnitFile(readFileSync(join(DEPLOY_DIR, 'systemd', 'vipd.service'), 'utf8'));

  it("runs ExecReload as the unit's user with exactly its capabilities and $MAINPID", () => {
    const line = '/usr/bin/vipd reload --config /etc/vipd/vipd.yaml --pid $MAINPID';
    const command = asService(unit, line, { home: '/var/lib/vipd', variables: { MAINPID: '42' } });
    assert.deepEqual(command.argv, [
      'sh',
      '-c',
      'umask 0077 && exec "$@"',
      'sh',
      'setpriv',
      '--reuid=vipd',
      '--regid=vipd',
      '--init-groups',
      '--inh-caps=-all,+net_admin,+net_raw',
      '--ambient-caps=-all,+net_admin,+net_raw',
      '--bounding-set=-all,+net_admin,+net_raw',
      '--no-new-privs',
      '/usr/bin/vipd',
      'reload',
      '--config',
      '/etc/vipd/vipd.yaml',
      '--pid',
      '42',
    ]);
    assert.equal(command.env['NODE_ENV'], 'production');
    assert.equal(command.env['USER'], 'vipd');
  });

  it('refuses a quoted command line rather than split it wrongly', () => {
    assert.throws(() => commandWords('/bin/sh -c "echo hi"', {}), /quoting/);
  });
});
