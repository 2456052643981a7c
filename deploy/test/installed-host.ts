// A router for tests that install packages: a network namespace of the lab (its `eth0` on the
// lab's bridge) plus a mount namespace of its own where /etc, /usr and /var are overlays on
// this machine's and /run is empty. `apt install`, the maintainer scripts' adduser and
// dpkg-statoverride, and everything the node writes land in the overlays' upper directories
// under `dir`, never in this machine's files. A sleeping holder process keeps the mount
// namespace alive; commands enter both namespaces with nsenter.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { poll, run, type NetnsLab } from '@vipd/testkit';

const OVERLAID = ['etc', 'usr', 'var'] as const;

export interface CommandResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export class InstalledHost {
  private constructor(
    readonly name: string,
    readonly netns: string,
    /** Scratch directory: overlay layers, and the commands' working directory. */
    readonly dir: string,
    private readonly holderPid: number,
  ) {}

  /** A host `name` on the lab's LAN with `address` (e.g. 10.0.0.1/24) on its eth0. */
  static async create(lab: NetnsLab, name: string, address: string, dir: string) {
    const { netns } = lab.addHost(name);
    lab.ip(netns, 'addr', 'add', address, 'dev', 'eth0');
    mkdirSync(dir, { recursive: true });
    lab.teardown.add(`remove ${dir}`, () => {
      rmSync(dir, { recursive: true, force: true });
    });
    const holder = lab.spawn(netns, [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      'sleep',
      'infinity',
    ]);
    const pid = holder.pid ?? 0;
    const ownMountNs = readlinkSync('/proc/self/ns/mnt');
    await poll(
      'the holder of the mount namespace',
      () => readlinkSync(`/proc/${pid}/ns/mnt`) !== ownMountNs,
      { timeoutMs: 10_000 },
    );
    const host = new InstalledHost(name, netns, dir, pid);
    for (const top of OVERLAID) {
      const [upper, work] = [join(dir, `${top}-upper`), join(dir, `${top}-work`)];
      mkdirSync(upper);
      mkdirSync(work);
      const layers = `lowerdir=/${top},upperdir=${upper},workdir=${work}`;
      host.enterSync(['mount', '-t', 'overlay', `overlay-${name}`, '-o', layers, `/${top}`]);
    }
    host.enterSync(['mount', '-t', 'tmpfs', '-o', 'mode=0755', `run-${name}`, '/run']);
    host.enterSync(['mkdir', '-m', '1777', '/run/lock']);
    return host;
  }

  private nsenter(argv: readonly string[]): string[] {
    // Entering a mount namespace moves the working directory to its root: --wd moves it back.
    const target = `--target=${String(this.holderPid)}`;
    return ['nsenter', target, '--mount', '--net', `--wd=${this.dir}`, '--', ...argv];
  }

  /** Runs a set-up command inside; throws with its stderr on failure. */
  enterSync(argv: readonly string[]): string {
    return run(this.nsenter(argv));
  }

  /** Starts `argv` inside, as root, with exactly `env`; the caller owns the process. */
  spawn(argv: readonly string[], env: NodeJS.ProcessEnv): ChildProcess {
    const [file = '', ...args] = this.nsenter(argv);
    return spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Runs `argv` inside to its end (bounded by `timeoutMs`), with exactly `env`. */
  exec(
    argv: readonly string[],
    env: NodeJS.ProcessEnv,
    timeoutMs = 60_000,
  ): Promise<CommandResult> {
    const child = this.spawn(argv, env);
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    return new Promise((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stdout, stderr });
      });
    });
  }
}
