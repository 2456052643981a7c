// `vipd realserver apply|check|remove [--json]`, as a commander sub-command the vipd CLI adds
// with one call. Exit status: 0 all hidden, 1 problems found, 2 the command could not run.

import { Command } from 'commander';
import { applyRealServer, removeRealServer } from './apply.js';
import { checkRealServer } from './check.js';
import {
  EXIT_ERROR,
  EXIT_OK,
  formatApplyResult,
  formatJson,
  formatRemoveResult,
  formatReport,
  reportExitCode,
} from './format.js';
import { LinuxSystemOps } from './linux-ops.js';
import { NodeFileStore } from './node-files.js';
import type { RealServerConfig, RealServerDeps } from './types.js';

export interface RealServerCliOptions {
  /** Loads the validated `realserver:` section; receives the options of every parent command. */
  loadConfig(globalOptions: Record<string, unknown>): Promise<RealServerConfig>;
  /** The host to act on; default: this host, or the namespace given with --netns. */
  deps?: (netns: string | undefined) => RealServerDeps;
  write?: (text: string) => void;
  writeError?: (text: string) => void;
  setExitCode?: (code: number) => void;
}

function linuxDeps(netns: string | undefined): RealServerDeps {
  return {
    ops: new LinuxSystemOps(netns === undefined ? {} : { netns }),
    files: new NodeFileStore(),
  };
}

interface ActionOptions {
  json?: boolean;
  netns?: string;
}

export function buildRealServerCommand(options: RealServerCliOptions): Command {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const writeError = options.writeError ?? ((text: string) => process.stderr.write(text));
  const setExitCode =
    options.setExitCode ??
    ((code: number) => {
      process.exitCode = code;
    });
  const makeDeps = options.deps ?? linuxDeps;

  const realserver = new Command('realserver')
    .description('hidden VIPs for a direct-routing real server (arp_ignore, arp_announce, lo)')
    .option('--netns <name>', 'act inside this network namespace (labs and demos)');

  const action =
    (
      name: string,
      body: (cfg: RealServerConfig, deps: RealServerDeps, json: boolean) => Promise<number>,
    ) =>
    async (_opts: ActionOptions, command: Command): Promise<void> => {
      const opts = command.optsWithGlobals<ActionOptions>();
      const json = opts.json === true;
      try {
        const cfg = await options.loadConfig(opts as Record<string, unknown>);
        setExitCode(await body(cfg, makeDeps(opts.netns), json));
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        const message = error instanceof Error ? error.message : String(error);
        const codeText = typeof code === 'string' ? code : 'INTERNAL';
        if (json) write(formatJson({ error: { code: codeText, message } }));
        writeError(`vipd realserver ${name}: ${codeText}: ${message}\n`);
        setExitCode(EXIT_ERROR);
      }
    };

  realserver
    .command('check')
    .description('say per VIP and interface whether the VIP is hidden, and why not')
    .option('--json', 'print the report as JSON')
    .action(
      action('check', async (cfg, deps, json) => {
        const report = await checkRealServer(cfg, deps);
        write(json ? formatJson(report) : formatReport(report));
        return reportExitCode(report);
      }),
    );
  realserver
    .command('apply')
    .description('add the VIPs on lo and set the sysctls; records what it changed')
    .option('--json', 'print the changes and the report as JSON')
    .action(
      action('apply', async (cfg, deps, json) => {
        const result = await applyRealServer(cfg, deps);
        write(json ? formatJson(result) : formatApplyResult(result));
        return reportExitCode(result.report);
      }),
    );
  realserver
    .command('remove')
    .description('undo exactly what apply changed; sysctls changed since are left alone')
    .option('--json', 'print what was undone as JSON')
    .action(
      action('remove', async (cfg, deps, json) => {
        const result = await removeRealServer(cfg, deps);
        write(json ? formatJson(result) : formatRemoveResult(result));
        return EXIT_OK;
      }),
    );
  return realserver;
}
