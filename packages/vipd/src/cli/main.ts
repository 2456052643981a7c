// Process entry points behind bin/vipd.js and bin/vipctl.js: real streams, real signals,
// exit statuses from cli/exit-codes.ts.

import { CommanderError, type Command } from 'commander';
import { EXIT } from './exit-codes.js';
import { processIo } from './io.js';

const setExitCode = (code: number) => {
  process.exitCode = code;
};

/** Parse errors throw (instead of exiting) in every sub-command too, so the status is ours. */
function throwOnExit(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) throwOnExit(sub);
}

async function parse(program: Command, argv: readonly string[]): Promise<void> {
  throwOnExit(program);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version "fail" with status 0; every other parse error is a usage error.
      process.exitCode = error.exitCode === 0 ? EXIT.OK : EXIT.USAGE;
      return;
    }
    process.stderr.write(
      `${program.name()}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = EXIT.FAILURE;
  }
}

export async function vipdMain(argv: readonly string[] = process.argv): Promise<void> {
  // Loaded here, not at the top, so vipctl never pays for the daemon's modules and vice versa.
  const { buildVipdProgram } = await import('./vipd.js');
  const program = buildVipdProgram(processIo, {
    setExitCode,
    onSignal: (signal, handler) => {
      process.on(signal, handler);
    },
    onProcessFailure: (handler) => {
      process.on('uncaughtException', (error) => {
        handler(error, 'uncaughtException');
      });
      process.on('unhandledRejection', (reason) => {
        handler(reason, 'unhandledRejection');
      });
    },
    exit: (code) => {
      process.exit(code);
    },
  });
  await parse(program, argv);
  // A clean stop leaves nothing running; if some handle lingers, do not hang the service manager.
  // A raw, unref'd Node timer, not the injected Clock: it watches the process itself, after
  // every component that takes a clock has stopped.
  setTimeout(() => {
    process.exit();
  }, 2000).unref();
}

export async function vipctlMain(argv: readonly string[] = process.argv): Promise<void> {
  const { buildVipctlProgram } = await import('./vipctl.js');
  await parse(buildVipctlProgram(processIo, { setExitCode }), argv);
}
