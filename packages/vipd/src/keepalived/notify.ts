// keepalived's notify scripts as vipd notify hooks. vipd runs every hook of a group on every
// state change, as `SCRIPT INSTANCE <group> <STATE>` — keepalived's `notify` convention
// without the priority. keepalived's per-state scripts (notify_master …) and scripts with
// arguments of their own have no direct vipd form, so with --notify-dir the importer writes
// one small dispatcher per group that calls them as keepalived did; without it they are noted.

import { join } from 'node:path';
import { locationText, type Directive } from './directive.js';
import { convertCommandLine, type CommandOut, type CommandResolver } from './command-line.js';
import { directiveName, type ConversionNotes } from './notes.js';

/** A file the importer writes beside the YAML (a notify dispatcher). */
export interface WrittenScript {
  readonly path: string;
  readonly text: string;
}

const STATE_HOOKS: Readonly<Record<string, string>> = {
  notify_master: 'MASTER',
  notify_backup: 'BACKUP',
  notify_fault: 'FAULT',
};
const UNCONVERTED_HOOKS: Readonly<Record<string, string>> = {
  notify_stop: 'vipd runs no hook when it stops; use ExecStopPost= in its systemd unit',
  notify_deleted: 'vipd has no DELETED state: a group removed by a reload just stops',
  notify_master_rx_lower: 'vipd runs no hook when a master hears a lower priority',
};

export const NOTIFY_KEYWORDS = new Set([
  'notify',
  ...Object.keys(STATE_HOOKS),
  ...Object.keys(UNCONVERTED_HOOKS),
]);

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

function commandText(command: CommandOut): string {
  return [command.path, ...command.args].map(shellQuote).join(' ');
}

export class NotifyConversion {
  readonly #stateCommands = new Map<string, CommandOut>();
  #generic: { command: CommandOut; directive: Directive } | null = null;

  constructor(
    private readonly group: string,
    private readonly notes: ConversionNotes,
    private readonly resolveCommand: CommandResolver,
    private readonly notifyDir: string | undefined,
  ) {}

  add(directive: Directive): void {
    const unconverted = UNCONVERTED_HOOKS[directive.keyword];
    if (unconverted !== undefined) {
      this.notes.notConverted(directive, unconverted);
      return;
    }
    const [script, ...user] = directive.args;
    if (script === undefined) {
      this.notes.notConverted(directive, 'it names no script');
      return;
    }
    if (user.length > 0)
      this.notes.notConverted(
        { ...directive, keyword: `${directive.keyword} … ${user.join(' ')}` },
        'vipd runs notify hooks as its own user, not as the user named',
      );
    const command = convertCommandLine(script, directive, this.notes, this.resolveCommand);
    if (command === null) return;
    const state = STATE_HOOKS[directive.keyword];
    if (state !== undefined) this.#stateCommands.set(state, command);
    else this.#generic = { command, directive };
    if (this.notifyDir === undefined && (state !== undefined || command.args.length > 0))
      this.notes.notConverted(
        directive,
        state !== undefined
          ? `vipd runs every notify hook on every state change; pass --notify-dir DIR to have a dispatcher written that runs it on ${state} only`
          : 'a vipd notify hook is a path without arguments; pass --notify-dir DIR to have a dispatcher written that passes them',
      );
  }

  /** The group's `notify` list, and the dispatcher to write when one is needed. */
  finish(instance: Directive): { scripts: string[]; file?: WrittenScript } {
    const generic = this.#generic;
    const needsDispatcher = this.#stateCommands.size > 0 || (generic?.command.args.length ?? 0) > 0;
    if (this.notifyDir === undefined || !needsDispatcher) {
      if (generic === null || generic.command.args.length > 0) return { scripts: [] };
      this.notes.changed(
        generic.directive,
        "vipd calls it as SCRIPT INSTANCE <group> <STATE>, without keepalived's fourth argument (the priority); STATE may also be MAINTENANCE or INIT",
      );
      return { scripts: [generic.command.path] };
    }
    const path = join(this.notifyDir, `${this.group}.notify.sh`);
    return { scripts: [path], file: { path, text: this.#dispatcher(instance) } };
  }

  #dispatcher(instance: Directive): string {
    const cases = [...this.#stateCommands].map(
      ([state, command]) => `  ${state}) ${commandText(command)} ;;`,
    );
    const lines = [
      '#!/bin/sh',
      `# vipd notify hook of group ${this.group}, written by \`vipd import-keepalived\` from`,
      `# ${locationText(instance.at)} (${directiveName(instance)}). vipd runs it on every state change`,
      `# as: SCRIPT INSTANCE ${this.group} STATE (MASTER, BACKUP, FAULT, MAINTENANCE or INIT).`,
      '# keepalived ran one script per state: this runs the one for the new state.',
      ...(cases.length > 0 ? ['case "$3" in', ...cases, 'esac'] : []),
      // keepalived's generic notify came after the per-state one, with the state appended.
      ...(this.#generic === null ? [] : [`${commandText(this.#generic.command)} "$@"`]),
    ];
    return `${lines.join('\n')}\n`;
  }
}
