// Whether a user can read, write or run a file, from the file's owner, group and mode and the
// user's uid and groups: the kernel's own rule (owner bits, else group bits, else other bits),
// so root's `vipd check` can see the files as the service user will. ACLs are not read.

import { realpathSync, statSync } from 'node:fs';
import { modeText } from '../config/file-trust.js';
import type { ServiceUser } from './service-user.js';

export interface FileFacts {
  readonly uid: number;
  readonly gid: number;
  readonly mode: number;
  readonly isDirectory: boolean;
}

/** The file system as `vipd check` sees it; injected in tests. */
export interface FileView {
  /** Facts about `path` (symlinks followed), or null when it cannot be looked at. */
  stat(path: string): FileFacts | null;
  /** Where symlinks lead, or null when `path` cannot be resolved. */
  realpath(path: string): string | null;
}

export type Access = 'r' | 'w' | 'x';

const BIT: Record<Access, number> = { r: 4, w: 2, x: 1 };

/** This machine's files. */
export function readFileView(): FileView {
  return {
    stat: (path) => {
      try {
        const stats = statSync(path);
        return {
          uid: stats.uid,
          gid: stats.gid,
          mode: stats.mode,
          isDirectory: stats.isDirectory(),
        };
      } catch {
        return null;
      }
    },
    realpath: (path) => {
      try {
        return realpathSync(path);
      } catch {
        return null;
      }
    },
  };
}

/** The permission triplet (0–7) that applies to `user`, as the kernel picks it. */
function bitsFor(user: ServiceUser, facts: FileFacts): number {
  if (facts.uid === user.uid) return (facts.mode >> 6) & 7;
  if (user.gids.includes(facts.gid)) return (facts.mode >> 3) & 7;
  return facts.mode & 7;
}

export function canAccess(user: ServiceUser, facts: FileFacts, wants: readonly Access[]): boolean {
  if (user.uid === 0) return true;
  const bits = bitsFor(user, facts);
  return wants.every((access) => (bits & BIT[access]) !== 0);
}

/** `uid 0, gid 0, mode 0600`: what decided it. */
export function factsText(facts: FileFacts): string {
  return `uid ${facts.uid}, gid ${facts.gid}, mode ${modeText(facts.mode)}`;
}

/**
 * The commands that give `user` the access through the file's group, as the docs lay files
 * out (root owns, the service's group reads): `chgrp vipd F && chmod g+r F`.
 */
export function grantFix(
  user: ServiceUser,
  path: string,
  facts: FileFacts,
  wants: readonly Access[],
): string {
  const letters = wants.join('');
  if (facts.uid === user.uid) return `chmod u+${letters} ${path}`;
  const chgrp = user.gids.includes(facts.gid) ? '' : `chgrp ${user.groupName} ${path} && `;
  return `${chgrp}chmod g+${letters} ${path}`;
}
