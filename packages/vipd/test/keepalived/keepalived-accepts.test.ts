// The fixtures are keepalived configs, not just text this importer happens to read: the real
// keepalived (Debian's 2.2.7) checks them. The web pair is left out: keepalived 2.2.7's
// --config-test hangs here on a glob include and on a vrrp_script `user` line.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { PER_STATE_NOTIFY, SHARED_PAIR, singleFileDir } from './fixtures.js';

const keepalived = spawnSync('keepalived', ['--version'], { encoding: 'utf8' });
const skip =
  keepalived.error === undefined
    ? false
    : 'keepalived is not installed (apt-get install keepalived)';

function configTest(
  text: string,
  args: readonly string[],
): { status: number | null; stderr: string } {
  const dir = singleFileDir(text);
  try {
    const result = spawnSync('keepalived', ['--config-test', '-f', dir.main, ...args], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { status: result.status, stderr: result.stderr };
  } finally {
    dir.remove();
  }
}

describe('the keepalived fixtures are valid keepalived configs', { skip }, () => {
  for (const configId of ['lb1', 'lb2'])
    it(`the shared pair file, as -i ${configId}`, () => {
      const result = configTest(SHARED_PAIR, ['-i', configId]);
      assert.equal(result.status, 0, result.stderr);
    });

  it('the per-state notify file', () => {
    const result = configTest(PER_STATE_NOTIFY.replaceAll('NOTIFY_DIR', '/etc/keepalived'), []);
    assert.equal(result.status, 0, result.stderr);
  });
});
