// Replace a file so that neither a crash nor a power cut ever leaves it half written, and
// two writers never trip over each other: write a temporary file of a unique name beside it,
// flush it to disk, rename it over the old one (atomic within one filesystem), then flush the
// directory so the rename itself survives a power cut. Without the flushes, ext4 and xfs can
// come back from a power cut with the new name pointing at an empty file.

import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** `.NAME.RANDOM.tmp` beside the file: unique per write, and hidden from a plain `ls`. */
export const TEMPORARY_SUFFIX = '.tmp';

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const directory = dirname(path);
  const temporary = join(
    directory,
    `.${basename(path)}.${randomBytes(6).toString('hex')}${TEMPORARY_SUFFIX}`,
  );
  try {
    // 'wx': never follow or reuse whatever sits at the temporary name.
    const file = await open(temporary, 'wx', 0o644);
    try {
      await file.writeFile(text);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Rewrites an existing file where it lies, without creating it: open, write from the start,
 * cut to length, flush. Not atomic — a crash can leave a mix of old and new bytes — so it is
 * only for a caller to whom a torn file is as good as the new one (node state: a file that
 * cannot be read starts the node drained). It needs no new directory entry and, for a text
 * no longer than the old one, no new block: it works where writeFileAtomically cannot,
 * on a full disk.
 */
export async function overwriteInPlace(path: string, text: string): Promise<void> {
  const file = await open(path, 'r+');
  try {
    const bytes = Buffer.from(text, 'utf8');
    await file.write(bytes, 0, bytes.length, 0);
    await file.truncate(bytes.length);
    await file.sync();
  } finally {
    await file.close();
  }
}
