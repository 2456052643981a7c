// FileStore on the local filesystem, with atomic replace so a crash mid-write never leaves
// a half-written state file.

import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomically } from '../atomic-file.js';
import type { FileStore } from './types.js';

export class NodeFileStore implements FileStore {
  async read(path: string): Promise<string | null> {
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async write(path: string, text: string): Promise<void> {
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomically(path, text);
  }

  async remove(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  async rename(from: string, to: string): Promise<void> {
    await rename(from, to);
  }
}
