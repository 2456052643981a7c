// `vipd import-keepalived FILE`: converts a keepalived.conf into a vipd config on stdout (or
// -o FILE), and lists on stderr, with file and line, every directive not converted or
// converted with a difference. Exits 0 with output, 3 on a file it cannot read or parse.

import { chmod } from 'node:fs/promises';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { writeFileAtomically } from '../atomic-file.js';
import { EXIT } from '../cli/exit-codes.js';
import type { CliIo } from '../cli/io.js';
import { searchScriptPath } from './command-line.js';
import { convertKeepalived, type Conversion } from './convert.js';
import { KeepalivedConfigError } from './directive.js';
import { formatNote } from './notes.js';
import { readKeepalivedConfig, type KeepalivedConfig } from './parse.js';
import { renderImportedConfig } from './render.js';

interface ImportOptions {
  output?: string;
  configId?: string;
  notifyDir?: string;
}

export interface ImportCommandDeps {
  readonly io: CliIo;
  readonly setExitCode: (code: number) => void;
}

/** keepalived's default config id: the host name up to its first dot. */
function defaultConfigId(): string {
  return hostname().split('.')[0] ?? '';
}

function readOrReport(
  file: string,
  options: ImportOptions,
  deps: ImportCommandDeps,
): KeepalivedConfig | null {
  try {
    return readKeepalivedConfig(file, { configId: options.configId ?? defaultConfigId() });
  } catch (error) {
    if (!(error instanceof KeepalivedConfigError)) throw error;
    deps.io.stderr(`vipd: ${error.code}: ${error.message}\n`);
    deps.setExitCode(EXIT.CONFIG_INVALID);
    return null;
  }
}

function summary(conversion: Conversion): string {
  const groups = conversion.config.groups.length;
  const notConverted = conversion.notes.filter((n) => n.kind === 'not-converted').length;
  return `vipd: ${groups} vrrp_instance${groups === 1 ? '' : 's'} converted to VRRP group${groups === 1 ? '' : 's'}; ${notConverted} directive${notConverted === 1 ? '' : 's'} not converted, ${conversion.notes.length - notConverted} converted with a difference (listed above)\n`;
}

async function importKeepalived(
  file: string,
  options: ImportOptions,
  deps: ImportCommandDeps,
): Promise<void> {
  const parsed = readOrReport(file, options, deps);
  if (parsed === null) return;
  const conversion = convertKeepalived(parsed, {
    hostname: hostname(),
    resolveCommand: searchScriptPath,
    ...(options.notifyDir === undefined ? {} : { notifyDir: resolve(options.notifyDir) }),
  });
  for (const note of conversion.notes) deps.io.stderr(`${formatNote(note)}\n`);
  const yaml = renderImportedConfig(conversion, parsed);
  try {
    for (const script of conversion.scripts) {
      await writeFileAtomically(script.path, script.text);
      await chmod(script.path, 0o755);
      deps.io.stderr(`vipd: wrote notify dispatcher ${script.path}\n`);
    }
    if (options.output === undefined) deps.io.stdout(yaml);
    else await writeFileAtomically(options.output, yaml);
  } catch (error) {
    deps.io.stderr(`vipd: cannot write the output: ${(error as Error).message}\n`);
    deps.setExitCode(EXIT.FAILURE);
    return;
  }
  deps.io.stderr(summary(conversion));
  deps.setExitCode(EXIT.OK);
}

export function buildImportKeepalivedCommand(deps: ImportCommandDeps): Command {
  return new Command('import-keepalived')
    .description(
      'convert a keepalived.conf into a vipd config with VRRP groups; unconverted directives go to stderr with their line',
    )
    .argument('<file>', 'the keepalived.conf to convert (its includes are followed)')
    .option('-o, --output <file>', 'write the vipd config here instead of stdout')
    .option(
      '--config-id <id>',
      "keepalived's -i: which @id lines apply (default: the host name up to its first dot)",
    )
    .option(
      '--notify-dir <dir>',
      'write a notify dispatcher per group here for notify_master/backup/fault and scripts with arguments',
    )
    .action(async (file: string, options: ImportOptions) => {
      await importKeepalived(file, options, deps);
    });
}
