// Which user `vipd check` looks at the files as, on this host: `--user NAME`, or as root the
// unit's user when the host has it. Not as that user itself (the unit's ExecStartPre): its
// own opens already fail where the service's would.

import type { DocumentCheck } from '../config/problems.js';
import { readFileView } from './file-access.js';
import { serviceUserChecks } from './service-user-checks.js';
import { DEFAULT_SERVICE_USER, readServiceUser, type ServiceUser } from './service-user.js';

export interface ServiceUserPlan {
  readonly checks: readonly DocumentCheck[];
  /** For the `host:` line: what was checked, or why not. */
  readonly note: string;
  /** `--user` named a user this host does not have: a usage error. */
  readonly unknownUser?: string;
}

export interface ServiceUserHost {
  readonly isRoot: boolean;
  readonly lookup: (name: string) => ServiceUser | null;
}

const THIS_HOST: ServiceUserHost = {
  isRoot: process.getuid?.() === 0,
  lookup: readServiceUser,
};

export function serviceUserOnThisHost(
  configFile: string,
  requested: string | undefined,
  host: ServiceUserHost = THIS_HOST,
): ServiceUserPlan {
  if (requested === undefined && !host.isRoot)
    return { checks: [], note: 'files checked as this user' };
  const name = requested ?? DEFAULT_SERVICE_USER;
  let user: ServiceUser | null;
  try {
    user = host.lookup(name);
  } catch (error) {
    return {
      checks: [],
      note: `files not checked as user ${name} (${error instanceof Error ? error.message : String(error)})`,
    };
  }
  if (user === null && requested !== undefined)
    return { checks: [], note: '', unknownUser: requested };
  if (user === null)
    return {
      checks: [],
      note: `files not checked as user ${name}: no such user here (--user NAME names the unit's User=)`,
    };
  return {
    checks: [serviceUserChecks(configFile, user, readFileView())],
    note: `files checked as user ${name}`,
  };
}
