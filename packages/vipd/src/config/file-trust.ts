// Whether a file vipd acts on can be trusted: a key or token file only vipd's user can read,
// a script only root or vipd's user can change. Scripts run with vipd's CAP_NET_ADMIN, so a
// user who can edit one — or replace it, through a writable directory on its path — owns the
// node's addresses.

import { realpathSync, statSync, type Stats } from 'node:fs';
import { dirname } from 'node:path';

const GROUP_OTHER_ANY = 0o077;
const GROUP_OTHER_WRITE = 0o022;
const STICKY = 0o1000;

/** `0644`, as ls and chmod spell a mode. */
export function modeText(mode: number): string {
  return `0${(mode & 0o7777).toString(8).padStart(3, '0')}`;
}

/** Why group or others can read or write a secret's file, or null when they cannot. */
export function secretFileExposure(stats: Stats): string | null {
  if ((stats.mode & GROUP_OTHER_ANY) === 0) return null;
  return `is mode ${modeText(stats.mode)}: other users can ${(stats.mode & GROUP_OTHER_WRITE) === 0 ? 'read' : 'read or change'} it`;
}

/** Root and the user vipd runs as: the owners a script may have. */
export function trustedOwners(): readonly number[] {
  const own = process.getuid?.();
  return own === undefined || own === 0 ? [0] : [0, own];
}

/**
 * Why someone other than root or vipd's user could change what runs at `file`, or null.
 * Checks the file and every directory above it, along the configured path and along the
 * real path symlinks lead to. A directory with the sticky bit (/tmp) is fine: others may
 * add files there but not replace this one.
 */
export function scriptExposure(
  file: string,
  owners: readonly number[] = trustedOwners(),
): string | null {
  const target = realpathSync(file);
  const problem = (path: string, stats: Stats): string | null => {
    if (!owners.includes(stats.uid))
      return `${path} is owned by uid ${stats.uid}, not by root${owners.length > 1 ? ` or vipd's user (uid ${String(owners[1])})` : ''}`;
    const writable = (stats.mode & GROUP_OTHER_WRITE) !== 0;
    if (writable && (!stats.isDirectory() || (stats.mode & STICKY) === 0)) {
      return `${path} is mode ${modeText(stats.mode)}: ${stats.isDirectory() ? 'other users can replace what is in it' : 'other users can change it'}`;
    }
    return null;
  };
  const fileProblem = problem(target, statSync(target));
  if (fileProblem !== null) return fileProblem;
  const seen = new Set<string>();
  for (const start of [dirname(file), dirname(target)]) {
    for (let dir = start; !seen.has(dir); dir = dirname(dir)) {
      seen.add(dir);
      const dirProblem = problem(dir, statSync(dir));
      if (dirProblem !== null) return dirProblem;
    }
  }
  return null;
}
