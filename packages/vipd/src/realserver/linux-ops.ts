// SystemOps on a real Linux host: `ip -j` for addresses and routes, /proc/sys for sysctls.
// Bound to a network namespace name, every command runs inside it (`ip -n NS …`,
// `ip netns exec NS cat|tee /proc/sys/…`), which is how the tests drive a real kernel
// without touching the host.

import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { scriptEnvironment } from '../run-script.js';
import { canonicalIp, ipFamily } from './addresses.js';
import { RealServerError } from './errors.js';
import type { AddressSpec, HostAddress, IpFamily, SystemOps, SysctlKey } from './types.js';

/** An `ip` command still running after this is killed and the operation fails. */
export const COMMAND_TIMEOUT_MS = 10_000;
/** Only per-interface conf sysctls, and no path tricks: an interface is never "." or "..". */
const SYSCTL_KEY_RE = /^net\/ipv[46]\/conf\/(?!\.{1,2}\/)[^/\s]{1,15}\/[a-z_]+$/;

interface CommandResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

function run(argv: readonly string[], stdin?: string): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('empty command');
  return new Promise((resolve) => {
    const child = execFile(
      file,
      args,
      {
        timeout: COMMAND_TIMEOUT_MS,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
        // `ip` needs none of vipd's environment, and certainly not its secrets.
        env: scriptEnvironment({}),
      },
      (error, stdout, stderr) => {
        resolve({ ok: error === null, stdout, stderr: stderr || (error?.message ?? '') });
      },
    );
    // A command that exits before reading stdin (most do) must not crash us with EPIPE;
    // its exit status already says whether it worked.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(stdin ?? '');
  });
}

function commandFailed(argv: readonly string[], result: CommandResult): RealServerError {
  return new RealServerError(
    'REALSERVER_COMMAND_FAILED',
    `\`${argv.join(' ')}\` failed: ${result.stderr.trim()}`,
  );
}

function checkedKey(key: SysctlKey): string {
  if (!SYSCTL_KEY_RE.test(key)) throw new Error(`refusing unexpected sysctl key ${key}`);
  return `/proc/sys/${key}`;
}

interface IpAddrInfo {
  family?: string;
  local?: string;
  prefixlen?: number;
  scope?: string;
  label?: string;
}
interface IpLink {
  ifname?: string;
  addr_info?: IpAddrInfo[];
}
interface IpRoute {
  dev?: string;
  nexthops?: { dev?: string }[];
}
interface IpNeigh {
  dst?: string;
  dev?: string;
}

function parseJson<T>(argv: readonly string[], text: string): T[] {
  try {
    const value: unknown = JSON.parse(text.trim() === '' ? '[]' : text);
    if (!Array.isArray(value)) throw new Error('not a JSON array');
    return value as T[];
  } catch (error) {
    throw new RealServerError(
      'REALSERVER_COMMAND_FAILED',
      `\`${argv.join(' ')}\` printed output that is not JSON`,
      { cause: error },
    );
  }
}

export interface LinuxSystemOpsOptions {
  /** Run everything inside this network namespace (as created by `ip netns add`). */
  readonly netns?: string;
}

export class LinuxSystemOps implements SystemOps {
  private readonly netns: string | undefined;

  constructor(options: LinuxSystemOpsOptions = {}) {
    this.netns = options.netns;
  }

  private ipArgv(args: readonly string[]): string[] {
    return this.netns === undefined ? ['ip', ...args] : ['ip', '-n', this.netns, ...args];
  }

  private async ip(args: readonly string[]): Promise<string> {
    const argv = this.ipArgv(args);
    const result = await run(argv);
    if (!result.ok) throw commandFailed(argv, result);
    return result.stdout;
  }

  async readSysctl(key: SysctlKey): Promise<string | null> {
    const path = checkedKey(key);
    if (this.netns === undefined) {
      try {
        return (await readFile(path, 'utf8')).trim();
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw new RealServerError('REALSERVER_COMMAND_FAILED', `cannot read ${path}`, {
          cause: error,
        });
      }
    }
    const argv = ['ip', 'netns', 'exec', this.netns, 'cat', path];
    const result = await run(argv);
    if (result.ok) return result.stdout.trim();
    if (result.stderr.includes('No such file')) return null;
    throw commandFailed(argv, result);
  }

  async writeSysctl(key: SysctlKey, value: string): Promise<void> {
    const path = checkedKey(key);
    if (this.netns === undefined) {
      try {
        await writeFile(path, value);
        return;
      } catch (error) {
        throw new RealServerError('REALSERVER_COMMAND_FAILED', `cannot write ${path}`, {
          cause: error,
        });
      }
    }
    const argv = ['ip', 'netns', 'exec', this.netns, 'tee', path];
    const result = await run(argv, value);
    if (!result.ok) throw commandFailed(argv, result);
  }

  async listInterfaces(): Promise<readonly string[]> {
    const args = ['-j', 'link', 'show'];
    const links = parseJson<IpLink>(this.ipArgv(args), await this.ip(args));
    return links.flatMap((link) => (link.ifname === undefined ? [] : [link.ifname]));
  }

  async listAddresses(): Promise<readonly HostAddress[]> {
    const args = ['-j', 'addr', 'show'];
    const links = parseJson<IpLink>(this.ipArgv(args), await this.ip(args));
    return links.flatMap((link) =>
      (link.addr_info ?? []).flatMap((info): HostAddress[] => {
        const family = info.local === undefined ? null : ipFamily(info.local);
        if (link.ifname === undefined || info.local === undefined || family === null) return [];
        return [
          {
            interface: link.ifname,
            address: canonicalIp(info.local),
            family,
            prefixLength: info.prefixlen ?? (family === 4 ? 32 : 128),
            scope: info.scope ?? 'global',
            ...(info.label === undefined ? {} : { label: info.label }),
          },
        ];
      }),
    );
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    const args = ['addr', 'add', `${spec.address}/${spec.prefixLength}`, 'dev', spec.interface];
    if (spec.scope !== undefined) args.push('scope', spec.scope);
    if (spec.label !== undefined) args.push('label', spec.label);
    await this.ip(args);
  }

  async removeAddress(spec: AddressSpec): Promise<void> {
    await this.ip(['addr', 'del', `${spec.address}/${spec.prefixLength}`, 'dev', spec.interface]);
  }

  async defaultRouteInterfaces(family: IpFamily): Promise<readonly string[]> {
    const args = [`-${family}`, '-j', 'route', 'show', 'default'];
    const routes = parseJson<IpRoute>(this.ipArgv(args), await this.ip(args));
    const devices = routes.flatMap((route) => [
      ...(route.dev === undefined ? [] : [route.dev]),
      ...(route.nexthops ?? []).flatMap((hop) => (hop.dev === undefined ? [] : [hop.dev])),
    ]);
    return [...new Set(devices)];
  }

  async listProxyNeighbours(): Promise<readonly { address: string; interface: string }[]> {
    const args = ['-6', '-j', 'neigh', 'show', 'proxy'];
    const entries = parseJson<IpNeigh>(this.ipArgv(args), await this.ip(args));
    return entries.flatMap((entry) =>
      entry.dst === undefined || entry.dev === undefined || ipFamily(entry.dst) === null
        ? []
        : [{ address: canonicalIp(entry.dst), interface: entry.dev }],
    );
  }

  async acceptsInput(query: {
    destination: string;
    source: string;
    inputInterface: string;
  }): Promise<boolean> {
    const argv = this.ipArgv([
      'route',
      'get',
      query.destination,
      'from',
      query.source,
      'iif',
      query.inputInterface,
    ]);
    const result = await run(argv);
    if (result.ok) return true;
    // The kernel's verdict (EINVAL or EXDEV from fib_validate_source, or no route back)
    // arrives as "RTNETLINK answers: …"; anything else means the question was not asked.
    if (result.stderr.includes('RTNETLINK answers')) return false;
    throw commandFailed(argv, result);
  }
}
