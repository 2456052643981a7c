// `vipd reload --pid PID`: the unit's ExecReload. A bare `kill -HUP` always succeeds, so a
// rejected config went unnoticed by `systemctl reload`. This validates the file first (a bad
// one is reported and the node is not signalled), then sends SIGHUP and waits for the node's
// verdict on its own API (vipd_config_reloads_total), so a reload the node refuses (a change
// that needs a restart) fails too.

import { Command, InvalidArgumentError, Option } from 'commander';
import type { LoadedConfig } from '../config/load.js';
import { EXIT } from './exit-codes.js';
import type { CliIo } from './io.js';
import { apiUrlOf } from './node-config.js';

/** How long the node has to apply a reload: it is synchronous once the signal arrives. */
export const RELOAD_VERDICT_WAIT_MS = 10_000;
const POLL_MS = 100;

interface ReloadCounts {
  readonly success: number;
  readonly failure: number;
}

export interface ReloadCommandDeps {
  readonly io: CliIo;
  readonly setExitCode: (code: number) => void;
  /** Loads the file, printing every problem and setting the exit status when it is bad. */
  readonly load: (file: string) => LoadedConfig | null;
  readonly signal?: (pid: number, signal: NodeJS.Signals) => void;
}

/** Reads the reload counters from the node's /metrics, or null when the API does not answer. */
async function reloadCounts(metricsUrl: string): Promise<ReloadCounts | null> {
  try {
    const response = await fetch(metricsUrl, { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return null;
    const text = await response.text();
    const count = (result: string) =>
      Number(
        new RegExp(`^vipd_config_reloads_total\\{result="${result}"\\} (\\d+)$`, 'm').exec(
          text,
        )?.[1] ?? 0,
      );
    return { success: count('success'), failure: count('failure') };
  } catch {
    return null;
  }
}

async function verdict(metricsUrl: string, before: ReloadCounts): Promise<ReloadCounts | null> {
  const deadline = Date.now() + RELOAD_VERDICT_WAIT_MS;
  while (Date.now() < deadline) {
    const now = await reloadCounts(metricsUrl);
    if (now !== null && now.success + now.failure > before.success + before.failure) return now;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return null;
}

function parsePid(value: string): number {
  const pid = Number(value);
  if (!Number.isInteger(pid) || pid < 2) throw new InvalidArgumentError('a process id');
  return pid;
}

async function reload(deps: ReloadCommandDeps, file: string, pid: number): Promise<void> {
  const { io } = deps;
  const loaded = deps.load(file);
  if (loaded === null) {
    io.stderr(`vipd reload: not signalling vipd (pid ${pid}); it keeps its configuration\n`);
    return;
  }
  const { api } = loaded.config;
  const metricsUrl = api.enabled ? `${apiUrlOf(api.listenEndpoint)}/metrics` : null;
  const before = metricsUrl === null ? null : await reloadCounts(metricsUrl);
  try {
    (deps.signal ?? ((target, name) => process.kill(target, name)))(pid, 'SIGHUP');
  } catch (error) {
    io.stderr(
      `vipd reload: cannot signal pid ${pid}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`,
    );
    deps.setExitCode(EXIT.FAILURE);
    return;
  }
  if (metricsUrl === null || before === null) {
    io.stdout(
      `${file}: OK; sent SIGHUP to vipd (pid ${pid}), whose verdict cannot be read ` +
        `(${metricsUrl === null ? 'api.enabled is false' : `no answer from ${metricsUrl}`}): its log has it\n`,
    );
    deps.setExitCode(EXIT.OK);
    return;
  }
  const after = await verdict(metricsUrl, before);
  if (after === null) {
    io.stderr(
      `vipd reload: vipd (pid ${pid}) gave no verdict within ${RELOAD_VERDICT_WAIT_MS / 1000} s (starting or stopping?); see its log\n`,
    );
    deps.setExitCode(EXIT.FAILURE);
  } else if (after.failure > before.failure) {
    io.stderr(
      `vipd reload: vipd (pid ${pid}) rejected ${file} and kept its running configuration: ` +
        'a change that needs a restart (node.*, cluster.name, peers, tls, heartbeat_interval, ' +
        'down_multiplier, api.enabled, api.listen, log.format); its log names it\n',
    );
    deps.setExitCode(EXIT.FAILURE);
  } else {
    io.stdout(`vipd (pid ${pid}) reloaded ${file}\n`);
    deps.setExitCode(EXIT.OK);
  }
}

export function buildReloadCommand(deps: ReloadCommandDeps): Command {
  return new Command('reload')
    .description(
      "check the config, then SIGHUP the running node and wait for its verdict (the unit's ExecReload); exit 3 if the file is invalid, 1 if the node refused it",
    )
    .addOption(
      new Option('--pid <pid>', 'the running vipd (systemd: $MAINPID)')
        .argParser(parsePid)
        .makeOptionMandatory(),
    )
    .action(async (options: { pid: number }, command: Command) => {
      const { config } = command.optsWithGlobals<{ config: string }>();
      await reload(deps, config, options.pid);
    });
}
