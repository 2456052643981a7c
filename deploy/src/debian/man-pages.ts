// vipd(8), vipctl(8) and vipd.yaml(5): Markdown rendered from the CLI definitions and from the
// config schema (the very text of docs/configuration.md), turned into roff by marked-man.

import type { Command } from 'commander';
import { Marked } from 'marked';
import markedMan from 'marked-man';
import { DEFAULT_CONFIG_FILE, EXIT, renderConfigurationMarkdown } from '@vipd/vipd';
import { optionEnvironment, walkCommands, type CommandNode } from './cli-definitions.js';

export interface ManPage {
  /** File name under /usr/share/man/manN, before compression: `vipd.8`. */
  readonly file: string;
  readonly section: 5 | 8;
  readonly roff: string;
}

interface PageMeta {
  readonly name: string;
  readonly section: 5 | 8;
  readonly version: string;
  /** The release date, so a rebuild of one version gives the same page. */
  readonly date: string;
}

function toRoff(markdown: string, meta: PageMeta): string {
  const marked = new Marked(markedMan);
  return marked.parse(markdown, {
    name: meta.name,
    section: String(meta.section),
    manVersion: `vipd ${meta.version}`,
    manual: meta.section === 8 ? 'System Administration' : 'File Formats',
    date: meta.date,
    breaks: false,
  } as never) as string;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_<>[\]])/g, '\\$1');
}

function commandSection(node: CommandNode): string {
  const usage = `${node.path.join(' ')} ${node.command.usage()}`.trim();
  const lines = [`### ${node.path.join(' ')}`, '', `\`${usage}\``, ''];
  lines.push(escapeMarkdown(node.command.description()), '');
  for (const argument of node.help.visibleArguments(node.command)) {
    lines.push(
      `* \`${node.help.argumentTerm(argument)}\`: ${escapeMarkdown(node.help.argumentDescription(argument))}`,
    );
  }
  // Every command takes -h/--help; OPTIONS says so once.
  for (const option of node.options.filter((o) => o.long !== '--help')) {
    lines.push(
      `* \`${node.help.optionTerm(option)}\`: ${escapeMarkdown(node.help.optionDescription(option))}`,
    );
  }
  return lines.join('\n');
}

const EXIT_MEANINGS: Record<keyof typeof EXIT, string> = {
  OK: 'success',
  FAILURE: 'any other failure (a listener could not bind, an unexpected error)',
  USAGE: 'bad command line',
  CONFIG_INVALID: 'the configuration file is invalid',
  MISSING_CAPABILITY: 'CAP\\_NET\\_ADMIN or CAP\\_NET\\_RAW is missing',
  KERNEL_UNSUPPORTED: 'the kernel cannot mark vipd\u2019s addresses (Linux 5.18 or newer needed)',
  REFUSED: 'the node refused (fault, maintenance, no quorum, not master)',
  UNAUTHORIZED: 'no token, a wrong token, or the node has none configured',
  NOT_FOUND: 'no such group',
  UNAVAILABLE: 'the API did not answer, or is starting, stopping or timed out',
  UNHEALTHY:
    'status: a group is in FAULT or has no master; with --cluster, also a node unreachable or the nodes disagreeing',
};

function exitSection(program: string, names: readonly (keyof typeof EXIT)[]): string {
  const rows = names.map((name) => `* ${EXIT[name]}: ${EXIT_MEANINGS[name]}`);
  return [`## EXIT STATUS`, '', `${program} exits with:`, '', ...rows].join('\n');
}

function cliPage(program: Command, meta: PageMeta, extra: readonly string[]): ManPage {
  const [top, ...commands] = walkCommands(program);
  if (top === undefined) throw new Error(`${program.name()} has no command tree`);
  const environment = optionEnvironment(program).map(
    (variable) => `* \`${variable.name}\`: the default of \`${variable.flags}\``,
  );
  const markdown = [
    `# ${meta.name}(${meta.section}) -- ${escapeMarkdown(program.description().replace(/^\w+: /, ''))}`,
    '## SYNOPSIS',
    `\`${meta.name} ${program.usage()}\``,
    '## DESCRIPTION',
    escapeMarkdown(program.description()),
    '## OPTIONS',
    top.options
      .map(
        (option) =>
          `* \`${top.help.optionTerm(option)}\`: ${escapeMarkdown(top.help.optionDescription(option))}`,
      )
      .join('\n'),
    '## COMMANDS',
    ...commands.map(commandSection),
    ...(environment.length > 0 ? ['## ENVIRONMENT', environment.join('\n')] : []),
    ...extra,
  ].join('\n\n');
  return {
    file: `${meta.name}.${meta.section}`,
    section: meta.section,
    roff: toRoff(markdown, meta),
  };
}

const DAEMON_EXITS = [
  'OK',
  'FAILURE',
  'USAGE',
  'CONFIG_INVALID',
  'MISSING_CAPABILITY',
  'KERNEL_UNSUPPORTED',
] as const;
const CONTROL_EXITS = [
  'OK',
  'FAILURE',
  'USAGE',
  'REFUSED',
  'UNAUTHORIZED',
  'NOT_FOUND',
  'UNAVAILABLE',
  'UNHEALTHY',
] as const;

export function vipdManPage(program: Command, version: string, date: string): ManPage {
  return cliPage(program, { name: 'vipd', section: 8, version, date }, [
    '## FILES',
    `* \`${DEFAULT_CONFIG_FILE}\`: the configuration, see vipd.yaml(5)`,
    '* `/usr/lib/systemd/system/vipd.service`: the service; `systemctl reload vipd` sends SIGHUP',
    '* `/usr/share/doc/vipd/operations.md`: install, first cluster, upgrades, troubleshooting',
    exitSection('vipd', DAEMON_EXITS),
    '## SEE ALSO',
    'vipctl(8), vipd.yaml(5), systemctl(1), journalctl(1)',
  ]);
}

export function vipctlManPage(program: Command, version: string, date: string): ManPage {
  return cliPage(program, { name: 'vipctl', section: 8, version, date }, [
    exitSection('vipctl', CONTROL_EXITS),
    '## SEE ALSO',
    'vipd(8), vipd.yaml(5)',
  ]);
}

function tableCells(row: string): string[] {
  return row
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** A Markdown table as a list, one item per row ("Key: `a`; Type: string; …"): a page of
 * 80 columns cannot hold the reference's six-column tables. */
export function tablesAsLists(markdown: string): string {
  return markdown.replace(/^\|.*\|\n\|[-| :]+\|\n((?:\|.*\|\n?)*)/gm, (table: string) => {
    const [head = '', , ...rows] = table.trimEnd().split('\n');
    const names = tableCells(head);
    const items = rows.map((row) => {
      const cells = tableCells(row);
      const [first = '', ...rest] = cells;
      const details = rest
        .map((cell, index) => (cell === '' ? '' : `${names[index + 1] ?? ''}: ${cell}`))
        .filter((text) => text !== '');
      return `* ${first}: ${details.join('; ')}`;
    });
    return `${items.join('\n')}\n`;
  });
}

/** docs/configuration.md's own text (from the schema) under a man page's header. */
export function configManPage(version: string, date: string): ManPage {
  const reference = renderConfigurationMarkdown()
    .replace(/^# .*\n/, '')
    .replace(/<!--[\s\S]*?-->\n/, '');
  const markdown = [
    `# vipd.yaml(5) -- the configuration file of vipd`,
    '## DESCRIPTION',
    tablesAsLists(reference).trim(),
    '## SEE ALSO',
    'vipd(8), vipctl(8)',
  ].join('\n\n');
  return {
    file: 'vipd.yaml.5',
    section: 5,
    roff: toRoff(markdown, { name: 'vipd.yaml', section: 5, version, date }),
  };
}
