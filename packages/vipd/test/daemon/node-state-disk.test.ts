// Maintenance on, on a real full disk and a real read-only filesystem: a tiny tmpfs in a
// private mount namespace (node-state-disk-child.ts does the mounting, under `unshare -m`).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { netnsSkipReason } from '@vipd/testkit';
import { tempDir } from '../tmpdir.js';

const CHILD = fileURLToPath(new URL('./node-state-disk-child.js', import.meta.url));
const skip = netnsSkipReason(['unshare', 'mount']);

interface Outcome {
  kept: { persisted: boolean; persistError?: string };
  persistedGauge: string | null;
  restartedDrained: boolean;
  lines: { code?: string; level: number; msg: string }[];
}

function run(scenario: string): Outcome {
  const dir = tempDir();
  try {
    const out = execFileSync(
      'unshare',
      ['-m', '--propagation', 'private', process.execPath, CHILD, scenario, dir.path],
      { encoding: 'utf8', timeout: 30_000 },
    );
    return JSON.parse(out) as Outcome;
  } finally {
    dir.remove();
  }
}

describe('maintenance on when the state directory is full or read-only', { skip }, () => {
  it('full disk, old file says off: kept by rewriting it in place; a restart comes back drained', () => {
    const { kept, persistedGauge, restartedDrained, lines } = run('full-old-file');
    assert.deepEqual(kept, { persisted: true });
    assert.equal(persistedGauge, '1');
    assert.equal(restartedDrained, true);
    assert.ok(
      lines.some((l) => /rewriting .* in place/.test(l.msg)),
      JSON.stringify(lines),
    );
  });

  it('full disk, no file yet: drained now, reported as not persisted (ENOSPC, gauge 0, error log)', () => {
    const { kept, persistedGauge, restartedDrained, lines } = run('full-no-file');
    assert.equal(kept.persisted, false);
    assert.match(String(kept.persistError), /^ENOSPC: /);
    assert.equal(persistedGauge, '0');
    const line = lines.find((l) => l.code === 'NODE_STATE_NOT_PERSISTED');
    assert.ok(line, JSON.stringify(lines));
    assert.equal(line.level, 50);
    // The documented limit: with nothing on disk a restart cannot know (docs/operations.md).
    assert.equal(restartedDrained, false);
  });

  it('read-only filesystem: drained now, reported as not persisted (EROFS, gauge 0, error log)', () => {
    const { kept, persistedGauge, restartedDrained, lines } = run('read-only');
    assert.equal(kept.persisted, false);
    assert.match(String(kept.persistError), /^EROFS: /);
    assert.equal(persistedGauge, '0');
    assert.ok(
      lines.some((l) => l.code === 'NODE_STATE_NOT_PERSISTED'),
      JSON.stringify(lines),
    );
    // The file still says off: the documented limit of a read-only mount.
    assert.equal(restartedDrained, false);
  });
});
