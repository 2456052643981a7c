// The vipd and vipctl command trees, built by the same functions the binaries call but never
// parsed or run: the man pages and the bash completion are rendered from these, so neither can
// name a command or option the CLIs do not have.

import type { Command, Help, Option } from 'commander';
import { buildVipctlProgram, buildVipdProgram } from '@vipd/vipd';

/** Output goes nowhere and nothing exits: the programs are only read. */
const inert = {
  io: {
    stdout: () => undefined,
    stderr: () => undefined,
    env: {},
  },
  hooks: { setExitCode: () => undefined },
};

export function vipdProgram(): Command {
  return buildVipdProgram(inert.io, inert.hooks);
}

export function vipctlProgram(): Command {
  return buildVipctlProgram(inert.io, inert.hooks);
}

export interface CommandNode {
  /** Words from the program down: ['vipd', 'realserver', 'apply']. */
  readonly path: readonly string[];
  readonly command: Command;
  readonly help: Help;
  readonly options: readonly Option[];
  readonly children: readonly Command[];
}

/** Every command, depth first, with the options and sub-commands `--help` shows for it
 * (commander's implicit `help` command left out: it repeats what the page says). */
export function walkCommands(program: Command): CommandNode[] {
  const visit = (command: Command, path: readonly string[]): CommandNode[] => {
    const help = command.createHelp();
    const children = help.visibleCommands(command).filter((child) => child.name() !== 'help');
    const node = { path, command, help, options: help.visibleOptions(command), children };
    return [node, ...children.flatMap((child) => visit(child, [...path, child.name()]))];
  };
  return visit(program, [program.name()]);
}

/** Whether an option takes a value (`--config <file>`, `--level [n]`). */
export function takesValue(option: Option): boolean {
  return option.required || option.optional;
}

/** The environment variables the options read (commander's `.env()`). */
export function optionEnvironment(program: Command): { name: string; flags: string }[] {
  return walkCommands(program).flatMap((node) =>
    node.options
      .filter((option) => option.envVar !== undefined)
      .map((option) => ({ name: option.envVar ?? '', flags: option.flags })),
  );
}
