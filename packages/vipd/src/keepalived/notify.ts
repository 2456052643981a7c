// keepalived's notify scripts as vipd notify hooks. keepalived's generic `notify` becomes a hook
// with keepalived's calling convention (its own arguments, then INSTANCE <group> <STATE>
// <priority>): exact. The per-state scripts (notify_master, _backup, _fault, _stop) get only
// their own arguments, which no single hook entry gives, so with --notify-dir the importer
// writes one small dispatcher per group, itself a keepalived-convention hook, that runs the
// one for the new state; without it they are noted.

import { join } from 'node:path';
import { locationText, type Directive } from './directive.js';
import { convertCommandLine, type CommandOut, type CommandResolver } from './command-line.js';
import { directiveName, type ConversionNotes } from './notes.js';
import type { NotifyOut } from './output.js';

/** A file the importer writes beside the YAML (a notify dispatcher). */
export interface WrittenScript {
  readonly path: string;
  readonly text: string;
}

const STATE_HOOKS: Readonly<Record<string, string>> = {
  notify_master: 'MASTER',
  notify_backup: 'BACKUP',
  notify_fault: 'FAULT',
  notify_stop: 'STOP',
};
const UNCONVERTED_HOOKS: Readonly<Record<string, string>> = {
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

function keepalivedHook(command: CommandOut): NotifyOut {
  return {
    path: command.path,
    ...(command.args.length === 0 ? {} : { args: [...command.args] }),
    convention: 'keepalived',
  };
}

export class NotifyConversion {
  readonly #stateCommands = new Map<string, CommandOut>();
  #generic: CommandOut | null = null;

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
    else this.#generic = command;
    if (this.notifyDir === undefined && state !== undefined)
      this.notes.notConverted(
        directive,
        `keepalived passes it no arguments of its own, a vipd hook always gets some; pass --notify-dir DIR to have a dispatcher written that runs it on ${state} only`,
      );
  }

  /**
   * The group's `notify` list (the dispatcher first: keepalived ran the per-state script
   * before the generic one), and the dispatcher to write when one is needed.
   */
  finish(instance: Directive): { scripts: NotifyOut[]; file?: WrittenScript } {
    const generic = this.#generic === null ? [] : [keepalivedHook(this.#generic)];
    if (this.notifyDir === undefined || this.#stateCommands.size === 0) return { scripts: generic };
    const path = join(this.notifyDir, `${this.group}.notify.sh`);
    return {
      scripts: [{ path, convention: 'keepalived' }, ...generic],
      file: { path, text: this.#dispatcher(instance) },
    };
  }

  #dispatcher(instance: Directive): string {
    const cases = [...this.#stateCommands].map(
      ([state, command]) => `  ${state}) ${commandText(command)} ;;`,
    );
    const lines = [
      '#!/bin/sh',
      `# vipd notify hook of group ${this.group}, written by \`vipd import-keepalived\` from`,
      `# ${locationText(instance.at)} (${directiveName(instance)}). vipd runs it on every state change`,
      `# with keepalived's arguments: INSTANCE ${this.group} STATE PRIORITY (MASTER, BACKUP, FAULT, STOP).`,
      '# keepalived ran one script per state, with its own arguments only: this runs the one',
      '# for the new state.',
      'case "$3" in',
      ...cases,
      'esac',
    ];
    return `${lines.join('\n')}\n`;
  }
}
