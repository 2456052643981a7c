// How systemd would execute one of a unit's Exec*= command lines, for machines without systemd
// as PID 1: the same user and group, exactly the unit's capabilities (ambient, inheritable and
// bounding set, as AmbientCapabilities= + CapabilityBoundingSet= give them), no new
// privileges, the unit's UMask= and Environment=, and a clean environment otherwise. setpriv
// (util-linux) does the credential change. What this does not reproduce — the sandboxing
// directives (ProtectSystem=, SystemCallFilter=, …) and sd_notify — is listed in
// docs/operations.md ("What the walkthrough test proves").

import { type UnitFile, unitValue, unitValues, unitWords } from './unit-file.js';

export interface ServiceCommand {
  /** argv to run as root; it drops to the unit's credentials itself. */
  readonly argv: readonly string[];
  readonly env: NodeJS.ProcessEnv;
}

/** `CAP_NET_ADMIN CAP_NET_RAW` → `net_admin,net_raw`, as setpriv spells capabilities. */
function setprivCapabilities(words: ReadonlySet<string>): string {
  return [...words].map((cap) => cap.replace(/^CAP_/, '').toLowerCase()).join(',');
}

/** The words of an Exec line; this unit quotes nothing, and a quote would need systemd's rules. */
export function commandWords(line: string, variables: Readonly<Record<string, string>>): string[] {
  if (/["'\\]/.test(line)) throw new Error(`quoting in ${line}: split it as systemd does`);
  let expanded = line.replace(/^[-@:+!]+/, '');
  for (const [name, value] of Object.entries(variables))
    expanded = expanded.replaceAll(`$${name}`, value);
  return expanded.split(/\s+/);
}

/** `Environment=A=1 B=2` lines as an object. */
function unitEnvironment(unit: UnitFile): Record<string, string> {
  const env: Record<string, string> = {};
  for (const word of unitValues(unit, 'Service', 'Environment').flatMap((v) => v.split(/\s+/))) {
    const eq = word.indexOf('=');
    env[word.slice(0, eq)] = word.slice(eq + 1);
  }
  return env;
}

/** The command line `line` of `unit` as its service would run it. `home` is the user's. */
export function asService(
  unit: UnitFile,
  line: string,
  options: { readonly home: string; readonly variables?: Readonly<Record<string, string>> },
): ServiceCommand {
  const user = unitValue(unit, 'Service', 'User');
  const group = unitValue(unit, 'Service', 'Group');
  const ambient = setprivCapabilities(unitWords(unit, 'Service', 'AmbientCapabilities'));
  const bounding = setprivCapabilities(unitWords(unit, 'Service', 'CapabilityBoundingSet'));
  const umask = unitValue(unit, 'Service', 'UMask');
  const noNewPrivileges = unitValues(unit, 'Service', 'NoNewPrivileges').includes('yes');
  const plus = (caps: string) => (caps === '' ? '-all' : `-all,${caps.replace(/(^|,)/g, '$1+')}`);
  const setpriv = [
    'setpriv',
    `--reuid=${user}`,
    `--regid=${group}`,
    '--init-groups',
    `--inh-caps=${plus(ambient)}`,
    `--ambient-caps=${plus(ambient)}`,
    `--bounding-set=${plus(bounding)}`,
    ...(noNewPrivileges ? ['--no-new-privs'] : []),
  ];
  return {
    // sh only sets the umask and execs: the service's process is the command itself.
    argv: [
      'sh',
      '-c',
      `umask ${umask} && exec "$@"`,
      'sh',
      ...setpriv,
      ...commandWords(line, options.variables ?? {}),
    ],
    env: {
      PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
      LANG: 'C.UTF-8',
      USER: user,
      LOGNAME: user,
      HOME: options.home,
      SHELL: '/usr/sbin/nologin',
      ...unitEnvironment(unit),
    },
  };
}
