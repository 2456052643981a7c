// Minimal network-namespace plumbing for the real-server tests (the root lab harness covers
// vipd daemons; these tests need only namespaces, veths, a bridge and a few processes).
// Every name carries a random run id; everything is removed on exit, failure or signal.

import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const COMMAND_TIMEOUT_MS = 15_000;

/** Why namespace tests cannot run here, or null when they can. */
export function netnsSkipReason(tools: readonly string[] = []): string | null {
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces';
  for (const tool of ['ip', ...tools]) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `needs ${tool}`;
    }
  }
  return null;
}

/** Runs a command, returns stdout; throws with stderr on failure. */
export function sh(argv: readonly string[], input?: string): string {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  try {
    return execFileSync(file, args, {
      encoding: 'utf8',
      timeout: COMMAND_TIMEOUT_MS,
      input: input ?? '',
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`\`${argv.join(' ')}\` failed: ${stderr.trim() || String(error)}`, {
      cause: error,
    });
  }
}

const liveLabs = new Set<NetnsLab>();
let hooked = false;

function hookProcess(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', () => {
    for (const lab of liveLabs) lab.destroy();
  });
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    process.on(signal, () => {
      for (const lab of liveLabs) lab.destroy();
      process.exit(code);
    });
  }
}

export class NetnsLab {
  readonly runId = randomBytes(3).toString('hex');
  private readonly namespaces: string[] = [];
  private readonly processes: ChildProcess[] = [];

  constructor(private readonly prefix: string) {
    hookProcess();
    liveLabs.add(this);
  }

  /** Creates a namespace with lo up; returns its full name. */
  namespace(role: string): string {
    const name = `${this.prefix}-${this.runId}-${role}`;
    sh(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
    sh(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** A veth pair from `a` (named aName) to `b` (named bName), both up; never in the host's namespace. */
  veth(a: string, aName: string, b: string, bName: string): void {
    sh(['ip', '-n', a, 'link', 'add', aName, 'type', 'veth', 'peer', 'name', bName, 'netns', b]);
    sh(['ip', '-n', a, 'link', 'set', aName, 'up']);
    sh(['ip', '-n', b, 'link', 'set', bName, 'up']);
  }

  exec(ns: string, argv: readonly string[], input?: string): string {
    return sh(['ip', 'netns', 'exec', ns, ...argv], input);
  }

  mac(ns: string, iface: string): string {
    const [link] = JSON.parse(sh(['ip', '-n', ns, '-j', 'link', 'show', iface])) as {
      address: string;
    }[];
    if (!link) throw new Error(`no ${iface} in ${ns}`);
    return link.address;
  }

  /** Starts a long-running process inside `ns`; killed on destroy. */
  spawn(ns: string, argv: readonly string[]): ChildProcess {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.processes.push(child);
    return child;
  }

  destroy(): void {
    for (const child of this.processes.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    for (const ns of this.namespaces.splice(0).reverse()) {
      try {
        sh(['ip', 'netns', 'del', ns]);
      } catch {
        // Already gone: nothing to undo.
      }
    }
    liveLabs.delete(this);
  }
}

/** Resolves with the first stdout/stderr line matching `pattern`; rejects on exit or timeout. */
export function waitForLine(
  child: ChildProcess,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for ${String(pattern)}; saw: ${seen}`));
    }, timeoutMs);
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      const line = seen.split('\n').find((l) => pattern.test(l));
      if (line !== undefined) {
        cleanup();
        resolve(line);
      }
    };
    const onExit = (): void => {
      cleanup();
      reject(new Error(`process exited before ${String(pattern)}; saw: ${seen}`));
    };
    const cleanup = (): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}
