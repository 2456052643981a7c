// Bash completion for vipd and vipctl, generated from the same command trees as the man pages:
// at each command path the sub-commands and options that path takes (its own and its
// ancestors', which commander accepts anywhere), file names after options whose value is a
// file, and the fixed choices of an option or argument (`--log-format json|pretty`, `on|off`).

import type { Command, Option } from 'commander';
import { takesValue, walkCommands, type CommandNode } from './cli-definitions.js';

function flagsOf(option: Option): string[] {
  return [option.short, option.long].filter((flag): flag is string => flag !== undefined);
}

/** Words an argument accepts when its name spells them out: `<on|off>` → on, off. */
function argumentChoices(node: CommandNode): string[] {
  return node.help
    .visibleArguments(node.command)
    .flatMap((argument) =>
      /^[a-z]+(\|[a-z]+)+$/.test(argument.name()) ? argument.name().split('|') : [],
    );
}

function shellWords(words: readonly string[]): string {
  return words.join(' ').replace(/'/g, '');
}

export function bashCompletion(program: Command): string {
  const name = program.name();
  const fn = `_${name}_complete`;
  const nodes = walkCommands(program);
  const inherited = new Map<string, Option[]>();
  const options = (node: CommandNode): Option[] => {
    // --version belongs to the program alone.
    const parent = (inherited.get(node.path.slice(0, -1).join(' ')) ?? []).filter(
      (o) => o.long !== '--version',
    );
    const all = [...parent, ...node.options.filter((o) => o.long !== '--help')];
    inherited.set(node.path.join(' '), all);
    return all;
  };
  const pathCases: string[] = [];
  const wordCases: string[] = [];
  const valueOptions = new Map<string, string>();
  for (const node of nodes) {
    const key = node.path.slice(1).join('/');
    const own = options(node);
    for (const child of node.children)
      pathCases.push(
        `      '${key === '' ? '' : `${key}/`}${child.name()}') path=${key === '' ? '' : `${key}/`}${child.name()} ;;`,
      );
    const words = [
      ...node.children.map((child) => child.name()),
      ...argumentChoices(node),
      ...own.flatMap(flagsOf),
      '--help',
    ];
    wordCases.push(`    '${key}') words='${shellWords(words)}' ;;`);
    for (const option of own.filter(takesValue)) {
      const action = option.argChoices
        ? `COMPREPLY=($(compgen -W '${shellWords(option.argChoices)}' -- "$cur"))`
        : /file/.test(option.flags)
          ? 'COMPREPLY=($(compgen -f -- "$cur"))'
          : ':';
      for (const flag of flagsOf(option)) valueOptions.set(flag, action);
    }
  }
  const valueCases = [...valueOptions].map(([flag, action]) => `    ${flag}) ${action}; return ;;`);
  return `# bash completion for ${name}, generated from its command definitions by
# deploy/src/debian/bash-completion.ts (the .deb build). Do not edit.
${fn}() {
  local cur=\${COMP_WORDS[COMP_CWORD]} prev=\${COMP_WORDS[COMP_CWORD-1]} path='' words i
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${path:+$path/}\${COMP_WORDS[i]}" in
${pathCases.join('\n')}
    esac
  done
  case "$prev" in
${valueCases.join('\n')}
  esac
  case "$path" in
${wordCases.join('\n')}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F ${fn} ${name}
`;
}
