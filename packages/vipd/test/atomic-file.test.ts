import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { writeFileAtomically } from '../src/atomic-file.js';
import { tempDir } from './tmpdir.js';

describe('writeFileAtomically', () => {
  it('lets concurrent writes all complete: one winner, intact, and no temporary file left', async () => {
    const dir = tempDir();
    try {
      const path = `${dir.path}/state.json`;
      // Large enough that the writes interleave if they share a temporary file.
      const texts = Array.from({ length: 20 }, (_, i) => `${String(i).repeat(64 * 1024)}\n`);
      const results = await Promise.allSettled(texts.map((t) => writeFileAtomically(path, t)));
      assert.deepEqual(
        results.filter((r) => r.status === 'rejected'),
        [],
        'every write completes',
      );
      assert.ok(
        texts.includes(readFileSync(path, 'utf8')),
        'the file is exactly one of the writes',
      );
      assert.deepEqual(readdirSync(dir.path), ['state.json']);
    } finally {
      dir.remove();
    }
  });

  it('replaces the file and leaves no temporary file when the write fails', async () => {
    const dir = tempDir();
    try {
      const path = `${dir.path}/state.json`;
      await writeFileAtomically(path, 'one\n');
      await writeFileAtomically(path, 'two\n');
      assert.equal(readFileSync(path, 'utf8'), 'two\n');
      // A directory where the file should be: rename fails after the temporary file exists.
      dir.file('taken/x', '');
      await assert.rejects(writeFileAtomically(`${dir.path}/taken`, 'three\n'), /EISDIR/);
      assert.deepEqual(readdirSync(dir.path).sort(), ['state.json', 'taken']);
    } finally {
      dir.remove();
    }
  });
});
