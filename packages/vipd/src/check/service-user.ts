// The user the unit runs the node as (`User=vipd`), as the host knows it: its uid and every
// group it is in. Read with getent and id, so NSS sources (LDAP, systemd-sysusers' files)
// count as they will for systemd; os.userInfo only knows the current user.

import { execFileSync } from 'node:child_process';

/** The unit's `User=`: the default for `vipd check --user`. */
export const DEFAULT_SERVICE_USER = 'vipd';

export interface ServiceUser {
  readonly name: string;
  readonly uid: number;
  /** Its primary group's name, for `chgrp` in a fix. */
  readonly groupName: string;
  /** Primary and supplementary groups. */
  readonly gids: readonly number[];
}

function run(command: string, args: readonly string[]): string {
  return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The user named `name`, or null when the host has no such user. */
export function readServiceUser(name: string): ServiceUser | null {
  let entry: string;
  try {
    entry = run('getent', ['passwd', name]);
  } catch (error) {
    // getent exits 2 when the key is not in the database.
    if ((error as { status?: unknown }).status === 2) return null;
    throw error;
  }
  const uid = Number(entry.split(':')[2]);
  const gids = run('id', ['-G', name]).trim().split(/\s+/).map(Number);
  return { name, uid, groupName: run('id', ['-gn', name]).trim(), gids };
}
