// SystemOps on a real Linux host: links and addresses over rtnetlink (@vipd/arp's address
// table, as `ip link`/`ip addr` would), routes and proxy neighbours from `ip -j`, sysctls as
// files under /proc/sys. Bound to a network namespace name, everything happens inside it (the
// netlink socket is opened there; `ip -n NS …`, `ip netns exec NS cat|tee /proc/sys/…`), which
// is how the tests drive a real kernel without touching the host.

import { readFile, writeFile } from 'node:fs/promises';
import { openAddressTable, type AddressTable } from '@vipd/arp';
import { canonicalIp, ipFamily } from './addresses.js';
import { RealServerError } from './errors.js';
import { commandFailed, parseJsonArray, runCommand } from './ip-command.js';
import type { AddressSpec, HostAddress, IpFamily, SystemOps, SysctlKey } from './types.js';

// The daemon's stop budget reads it from here: a check in progress may be running one.
export { COMMAND_TIMEOUT_MS } from './ip-command.js';

/** Only per-interface conf sysctls, and no path tricks: an interface is never "." or "..". */
const SYSCTL_KEY_RE = /^net\/ipv[46]\/conf\/(?!\.{1,2}\/)[^/\s]{1,15}\/[a-z_]+$/;

function checkedKey(key: SysctlKey): string {
  if (!SYSCTL_KEY_RE.test(key)) throw new Error(`refusing unexpected sysctl key ${key}`);
  return `/proc/sys/${key}`;
}

/** rtnetlink scope numbers by the names `ip` prints for them (rtnl_rtscope_n2a). */
const SCOPE_NAMES = new Map([
  [0, 'global'],
  [200, 'site'],
  [253, 'link'],
  [254, 'host'],
  [255, 'nowhere'],
]);

function scopeName(scope: number): string {
  return SCOPE_NAMES.get(scope) ?? String(scope);
}

function addressText(spec: AddressSpec): string {
  return `${spec.address}/${String(spec.prefixLength)} dev ${spec.interface}`;
}

interface IpRoute {
  dev?: string;
  nexthops?: { dev?: string }[];
}
interface IpNeigh {
  dst?: string;
  dev?: string;
}

function familyOf(spec: AddressSpec): IpFamily {
  const family = ipFamily(spec.address);
  if (family === null) {
    throw new RealServerError('REALSERVER_COMMAND_FAILED', `${spec.address} is not an IP address`);
  }
  return family;
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
    const result = await runCommand(argv);
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
    const result = await runCommand(argv);
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
    const result = await runCommand(argv, value);
    if (!result.ok) throw commandFailed(argv, result);
  }

  /**
   * Runs `work` on a netlink socket opened for it (in the namespace, if bound to one) and
   * closed after; a failure becomes REALSERVER_COMMAND_FAILED saying what was being done.
   */
  private addressTable<T>(doing: string, work: (table: AddressTable) => T): Promise<T> {
    const where = this.netns === undefined ? '' : ` in network namespace ${this.netns}`;
    try {
      const table = openAddressTable(this.netns === undefined ? {} : { netns: this.netns });
      try {
        return Promise.resolve(work(table));
      } finally {
        table.close();
      }
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return Promise.reject(
        new RealServerError('REALSERVER_COMMAND_FAILED', `${doing}${where} failed: ${reason}`, {
          cause: error,
        }),
      );
    }
  }

  listInterfaces(): Promise<readonly string[]> {
    return this.addressTable('listing interfaces', (table) =>
      table.links().map((link) => link.name),
    );
  }

  listAddresses(): Promise<readonly HostAddress[]> {
    return this.addressTable('listing addresses', (table) =>
      table.addresses().map((entry): HostAddress => ({
        interface: entry.interface,
        address: canonicalIp(entry.address),
        family: entry.family,
        prefixLength: entry.prefixLength,
        scope: scopeName(entry.scope),
        ...(entry.label === undefined ? {} : { label: entry.label }),
      })),
    );
  }

  addAddress(spec: AddressSpec): Promise<void> {
    const extras = `${spec.scope === undefined ? '' : ` scope ${spec.scope}`}${
      spec.label === undefined ? '' : ` label ${spec.label}`
    }`;
    return this.addressTable(`adding ${addressText(spec)}${extras}`, (table) => {
      table.add({ ...spec, family: familyOf(spec) });
    });
  }

  removeAddress(spec: AddressSpec): Promise<void> {
    return this.addressTable(`removing ${addressText(spec)}`, (table) => {
      // Like `ip addr del ADDRESS/PREFIX dev IF`: scope and label play no part in finding it.
      table.remove({
        address: spec.address,
        prefixLength: spec.prefixLength,
        interface: spec.interface,
        family: familyOf(spec),
      });
    });
  }

  async defaultRouteInterfaces(family: IpFamily): Promise<readonly string[]> {
    const args = [`-${family}`, '-j', 'route', 'show', 'default'];
    const routes = parseJsonArray<IpRoute>(this.ipArgv(args), await this.ip(args));
    const devices = routes.flatMap((route) => [
      ...(route.dev === undefined ? [] : [route.dev]),
      ...(route.nexthops ?? []).flatMap((hop) => (hop.dev === undefined ? [] : [hop.dev])),
    ]);
    return [...new Set(devices)];
  }

  async listProxyNeighbours(): Promise<readonly { address: string; interface: string }[]> {
    const args = ['-6', '-j', 'neigh', 'show', 'proxy'];
    const entries = parseJsonArray<IpNeigh>(this.ipArgv(args), await this.ip(args));
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
    const result = await runCommand(argv);
    if (result.ok) return true;
    // The kernel's verdict (EINVAL or EXDEV from fib_validate_source, or no route back)
    // arrives as "RTNETLINK answers: …"; anything else means the question was not asked.
    if (result.stderr.includes('RTNETLINK answers')) return false;
    throw commandFailed(argv, result);
  }
}
