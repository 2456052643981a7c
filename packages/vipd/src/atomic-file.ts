// Replace a file so that a crash mid-write never leaves it half written: write a temporary
// file beside it, then rename it over the old one (atomic within one filesystem).

import { rename, writeFile } from 'node:fs/promises';

export async function writeFileAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid.toString()}.tmp`;
  await writeFile(temporary, text, { mode: 0o644 });
  await rename(temporary, path);
}
