// `vipd check` as root, for the user the unit runs the node as: root reads every file whatever
// its mode, so a config saved under `umask 077` (root:root 0600) passes root's check and then
// the service cannot open it. This looks at each file the node opens — the config, secrets,
// TLS and CA files, scripts, the state file's directory — and every directory above it, as
// that user would, and names the command that fixes each one.

import { dirname, resolve } from 'node:path';
import type { DocumentCheck, Path, Severity } from '../config/problems.js';
import { list, obj, str, type Unchecked } from '../config/unchecked.js';
import { canAccess, factsText, grantFix, type Access, type FileView } from './file-access.js';
import type { ServiceUser } from './service-user.js';

const GROUP_OTHER_ANY = 0o077;
const OWNER_READ = 0o400;

type Role =
  /** Must be owned by the user, mode 0600: file-trust refuses group or other bits. */
  | 'secret'
  | 'read'
  | 'run'
  /** The directory the node writes its state file into (a warning: the node runs without). */
  | 'state';

interface Need {
  readonly path: Path;
  readonly file: string;
  readonly role: Role;
}

const WANTS: Record<Role, readonly Access[]> = {
  secret: ['r'],
  read: ['r'],
  // A script's interpreter reads it.
  run: ['r', 'x'],
  state: ['w', 'x'],
};

/** A secret's file that group or others may read (allow_readable_*) is only a 'read'. */
function secret(allowReadable: unknown): Role {
  return allowReadable === true ? 'read' : 'secret';
}

function namedFiles(data: Unchecked, baseDir: string): Need[] {
  const needs: Need[] = [];
  const add = (path: Path, file: unknown, role: Role): void => {
    if (typeof file === 'string') needs.push({ path, file: resolve(baseDir, file), role });
  };
  const cluster = obj(data['cluster']);
  const clusterSecret = secret(cluster?.['allow_readable_key_file']);
  add(['cluster', 'key_file'], cluster?.['key_file'], clusterSecret);
  list(cluster?.['accept_key_files']).forEach((file, i) => {
    add(['cluster', 'accept_key_files', i], file, clusterSecret);
  });
  const api = obj(data['api']);
  add(['api', 'token_file'], api?.['token_file'], secret(api?.['allow_readable_token_file']));
  const tls = obj(cluster?.['tls']);
  for (const key of ['cert_file', 'key_file', 'ca_file'])
    add(['cluster', 'tls', key], tls?.[key], 'read');
  const notify = obj(data['notify']);
  list(notify?.['webhooks']).forEach((webhook, i) => {
    const w = obj(webhook);
    add(
      ['notify', 'webhooks', i, 'secret_file'],
      w?.['secret_file'],
      secret(w?.['allow_readable_secret_file']),
    );
  });
  list(data['trackers']).forEach((tracker, i) => {
    const t = obj(tracker);
    if (t?.['type'] === 'script') add(['trackers', i, 'path'], t['path'], 'run');
    if (t?.['type'] === 'http') add(['trackers', i, 'ca_file'], t['ca_file'], 'read');
  });
  list(notify?.['scripts']).forEach((script, i) => {
    add(['notify', 'scripts', i], script, 'run');
  });
  list(data['groups']).forEach((group, g) => {
    list(obj(group)?.['notify']).forEach((script, s) => {
      add(['groups', g, 'notify', s], script, 'run');
    });
  });
  const stateFile = str(obj(data['node'])?.['state_file']);
  if (stateFile !== undefined) add(['node', 'state_file'], dirname(stateFile), 'state');
  return needs;
}

/** `chown vipd: F && chmod 0600 F`, only the parts that are needed. */
function secretFix(user: ServiceUser, file: string, uid: number, mode: number): string | null {
  const steps = [
    ...(uid === user.uid ? [] : [`chown ${user.name}: ${file}`]),
    ...((mode & GROUP_OTHER_ANY) === 0 && (mode & OWNER_READ) !== 0 ? [] : [`chmod 0600 ${file}`]),
  ];
  return steps.length === 0 ? null : steps.join(' && ');
}

function what(role: Role): string {
  return role === 'run' ? 'read and run' : role === 'state' ? 'write files in' : 'read';
}

/** Every directory above `file`, along its configured path and the real one symlinks lead to. */
function directoriesAbove(file: string, files: FileView): string[] {
  const real = files.realpath(file);
  const dirs = new Set<string>();
  for (const start of real === null ? [file] : [file, real]) {
    for (let dir = dirname(start); !dirs.has(dir); dir = dirname(dir)) dirs.add(dir);
  }
  return [...dirs];
}

export function serviceUserChecks(
  configFile: string,
  user: ServiceUser,
  files: FileView,
): DocumentCheck {
  return (data, problems) => {
    const config = resolve(configFile);
    const needs: Need[] = [
      { path: [], file: config, role: 'read' },
      ...namedFiles(data, dirname(config)),
    ];
    const reported = new Set<string>();
    const report = (need: Need, message: string): void => {
      const severity: Severity = need.role === 'state' ? 'warning' : 'error';
      problems.report(severity, need.path, message, 'SERVICE_USER_ACCESS');
    };
    for (const need of needs) {
      // A file that does not exist is reported by the file's own checks (or is made later).
      if (files.stat(need.file) === null) continue;
      for (const dir of directoriesAbove(need.file, files)) {
        const facts = files.stat(dir);
        if (facts === null || reported.has(dir) || canAccess(user, facts, ['x'])) continue;
        reported.add(dir);
        report(
          need,
          `user ${user.name} cannot enter ${dir} (${factsText(facts)}), so the service cannot reach ${need.file}; fix: ${grantFix(user, dir, facts, ['x'])}`,
        );
      }
      checkFile(need, user, files, report);
    }
  };
}

function checkFile(
  need: Need,
  user: ServiceUser,
  files: FileView,
  report: (need: Need, message: string) => void,
): void {
  const facts = files.stat(need.file);
  if (facts === null) return;
  const readable = canAccess(user, facts, WANTS[need.role]);
  if (need.role === 'secret') {
    // Readable as the user is not enough: the node refuses a secret with group or other bits.
    const fix = user.uid === 0 ? null : secretFix(user, need.file, facts.uid, facts.mode);
    if (fix !== null && (!readable || facts.uid !== user.uid))
      report(
        need,
        `user ${user.name} ${readable ? 'reads' : 'cannot read'} ${need.file} (${factsText(facts)}), and a secret's file must be its own and mode 0600; fix: ${fix}`,
      );
    return;
  }
  if (readable) return;
  report(
    need,
    `user ${user.name} cannot ${what(need.role)} ${need.file} (${factsText(facts)}), so the service ${need.role === 'state' ? 'loses maintenance mode on restart' : 'cannot start'}; fix: ${grantFix(user, need.file, facts, WANTS[need.role])}`,
  );
}
