// keepalived script strings ("/usr/bin/killall -0 haproxy") as vipd's path + args. keepalived
// 2 splits the string and execs the program without a shell, searching PATH for a bare name;
// vipd execs a path (relative ones against its config file), so bare names are resolved here.

import { accessSync, constants } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Directive } from './directive.js';
import type { ConversionNotes } from './notes.js';
import { splitCommandLine } from './tokens.js';

/** Finds the executable a bare command name means on this host; null when none. */
export type CommandResolver = (name: string) => string | null;

/** keepalived's own default PATH for scripts. */
const SCRIPT_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export const searchScriptPath: CommandResolver = (name) => {
  for (const dir of SCRIPT_PATH) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not in this directory
    }
  }
  return null;
};

const SHELL_SYNTAX = /[|&;<>`$()*]/;

export interface CommandOut {
  readonly path: string;
  readonly args: string[];
}

export function convertCommandLine(
  text: string,
  directive: Directive,
  notes: ConversionNotes,
  resolve: CommandResolver,
): CommandOut | null {
  const [program, ...args] = splitCommandLine(text, directive.at);
  if (program === undefined || program === '') {
    notes.notConverted(directive, 'the script is empty');
    return null;
  }
  let path = program;
  if (!program.includes('/')) {
    const found = resolve(program);
    if (found === null) {
      notes.changed(
        directive,
        `"${program}" is not in ${SCRIPT_PATH.join(':')} on this host; vipd would look for it beside its config file: write its full path`,
      );
    } else {
      path = found;
      notes.changed(
        directive,
        `"${program}" written as ${found} (vipd runs a path, it does not search PATH)`,
      );
    }
  } else if (!isAbsolute(program)) {
    notes.changed(
      directive,
      `${program} is relative: vipd resolves it against the vipd config's directory`,
    );
  }
  if ([program, ...args].some((word) => SHELL_SYNTAX.test(word)))
    notes.changed(
      directive,
      'shell syntax reaches the program as plain arguments: vipd, like keepalived 2, runs it without a shell (wrap it in a script)',
    );
  return { path, args };
}
