// The pieces the first-cluster walkthrough test stands on: reading marked steps out of
// Markdown, and turning a unit's Exec line into what systemd would run.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { asService, commandWords } from './unit-as-service.js';
import { parseUnitFile } from './unit-file.js';
import { DEPLOY_DIR } from './vipd-cli.js';
import { shellCommands, tableRow, walkthroughSteps } from './walkthrough.js';

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

describe('tableRow', () => {
  const status = [
    'node n2  vipd 0.2.0  running  up 79s',
    '',
    'GROUP  STATE            MODE  MASTER  PRIO',
    'web    MASTER (forced)  mesh  n2      100',
    '',
    'PEER  ADDRESS        UP  RTT',
    'n1    10.0.0.1:7410  up  21.1ms',
  ].join('\n');

  it('reads a row by column name, a cell with one space in it included', () => {
    assert.deepEqual(tableRow(status, 'GROUP', 'web'), {
      GROUP: 'web',
      STATE: 'MASTER (forced)',
      MODE: 'mesh',
      MASTER: 'n2',
      PRIO: '100',
    });
    assert.equal(tableRow(status, 'PEER', 'n1')?.['UP'], 'up');
    assert.equal(tableRow(status, 'GROUP', 'db'), null);
    assert.equal(tableRow('no table', 'GROUP', 'web'), null);
  });
});
