// In-memory SystemOps and FileStore for unit tests: a host with interfaces, addresses,
// per-interface sysctls (every conf sysctl starts at the kernel default 0), default routes,
// and a reverse-path filter that follows the kernel's rules on routes the test declares.

import { canonicalIp, ipFamily } from './addresses.js';
import { ipv4ConfKey } from './kernel.js';
import { RealServerError } from './errors.js';
import type {
  AddressSpec,
  FileStore,
  HostAddress,
  IpFamily,
  SystemOps,
  SysctlKey,
} from './types.js';

const CONF_NAMES = {
  4: ['arp_ignore', 'arp_announce', 'rp_filter'],
  6: ['proxy_ndp', 'forwarding'],
} as const;

export type MemoryOperation =
  'readSysctl' | 'writeSysctl' | 'listAddresses' | 'addAddress' | 'removeAddress';

export class InMemorySystemOps implements SystemOps {
  readonly sysctls = new Map<SysctlKey, string>();
  readonly addresses: HostAddress[] = [];
  readonly defaultRoutes: Record<IpFamily, string[]> = { 4: [], 6: [] };
  /** Which interface the route back to a client leaves through; absent: the default route. */
  readonly routeBack = new Map<string, string>();
  readonly proxyNeighbours: { address: string; interface: string }[] = [];
  /** Every call that changed the host, in order: "sysctl KEY=VALUE", "add …", "del …". */
  readonly changes: string[] = [];
  private readonly interfaces: string[] = [];
  private readonly failures = new Map<MemoryOperation, Error>();

  constructor(interfaces: readonly string[] = ['lo', 'eth0']) {
    for (const scope of ['all', 'default']) this.setDefaults(scope);
    for (const name of interfaces) this.addInterface(name);
  }

  addInterface(name: string): void {
    this.interfaces.push(name);
    this.setDefaults(name);
  }

  removeInterface(name: string): void {
    this.interfaces.splice(this.interfaces.indexOf(name), 1);
    for (const key of [...this.sysctls.keys()]) {
      if (key.split('/')[3] === name) this.sysctls.delete(key);
    }
  }

  /** The next call of this operation throws `error` (once). */
  failNext(operation: MemoryOperation, error: Error): void {
    this.failures.set(operation, error);
  }

  sysctl(key: SysctlKey): string | undefined {
    return this.sysctls.get(key);
  }

  private setDefaults(scope: string): void {
    for (const name of CONF_NAMES[4]) this.sysctls.set(ipv4ConfKey(scope, name), '0');
    for (const name of CONF_NAMES[6]) this.sysctls.set(`net/ipv6/conf/${scope}/${name}`, '0');
  }

  private maybeFail(operation: MemoryOperation): void {
    const error = this.failures.get(operation);
    if (error === undefined) return;
    this.failures.delete(operation);
    throw error;
  }

  readSysctl(key: SysctlKey): Promise<string | null> {
    this.maybeFail('readSysctl');
    return Promise.resolve(this.sysctls.get(key) ?? null);
  }

  writeSysctl(key: SysctlKey, value: string): Promise<void> {
    this.maybeFail('writeSysctl');
    if (!this.sysctls.has(key)) {
      return Promise.reject(new RealServerError('REALSERVER_COMMAND_FAILED', `no sysctl ${key}`));
    }
    this.sysctls.set(key, value);
    this.changes.push(`sysctl ${key}=${value}`);
    return Promise.resolve();
  }

  listInterfaces(): Promise<readonly string[]> {
    return Promise.resolve([...this.interfaces]);
  }

  listAddresses(): Promise<readonly HostAddress[]> {
    this.maybeFail('listAddresses');
    return Promise.resolve([...this.addresses]);
  }

  addAddress(spec: AddressSpec): Promise<void> {
    this.maybeFail('addAddress');
    const family = ipFamily(spec.address);
    if (family === null || !this.interfaces.includes(spec.interface)) {
      return Promise.reject(new RealServerError('REALSERVER_COMMAND_FAILED', 'bad address'));
    }
    const address = canonicalIp(spec.address);
    if (this.find(address, spec.prefixLength, spec.interface) !== -1) {
      // What the kernel answers for an address that is already there.
      return Promise.reject(
        new RealServerError(
          'REALSERVER_COMMAND_FAILED',
          `adding ${address}/${spec.prefixLength.toString()} dev ${spec.interface} failed: EEXIST`,
        ),
      );
    }
    this.addresses.push({
      interface: spec.interface,
      address,
      family,
      prefixLength: spec.prefixLength,
      // IPv6 ignores a requested scope: the kernel derives it from the address.
      scope: family === 4 ? (spec.scope ?? 'global') : 'global',
      ...(family === 4 && spec.label !== undefined ? { label: spec.label } : {}),
    });
    this.changes.push(`add ${address}/${spec.prefixLength.toString()} dev ${spec.interface}`);
    return Promise.resolve();
  }

  removeAddress(spec: AddressSpec): Promise<void> {
    this.maybeFail('removeAddress');
    const index = this.find(canonicalIp(spec.address), spec.prefixLength, spec.interface);
    if (index === -1) {
      return Promise.reject(
        new RealServerError(
          'REALSERVER_COMMAND_FAILED',
          `removing ${spec.address}/${spec.prefixLength.toString()} dev ${spec.interface} failed: EADDRNOTAVAIL`,
        ),
      );
    }
    this.addresses.splice(index, 1);
    this.changes.push(`del ${spec.address}/${spec.prefixLength.toString()} dev ${spec.interface}`);
    return Promise.resolve();
  }

  private find(address: string, prefixLength: number, iface: string): number {
    return this.addresses.findIndex(
      (a) => a.address === address && a.prefixLength === prefixLength && a.interface === iface,
    );
  }

  defaultRouteInterfaces(family: IpFamily): Promise<readonly string[]> {
    return Promise.resolve([...this.defaultRoutes[family]]);
  }

  listProxyNeighbours(): Promise<readonly { address: string; interface: string }[]> {
    return Promise.resolve([...this.proxyNeighbours]);
  }

  /** fib_validate_source in miniature: strict wants the route back through the input. */
  acceptsInput(query: {
    destination: string;
    source: string;
    inputInterface: string;
  }): Promise<boolean> {
    const local = this.addresses.some((a) => a.address === canonicalIp(query.destination));
    if (!local) return Promise.resolve(false);
    const rp = Math.max(
      Number(this.sysctls.get(ipv4ConfKey('all', 'rp_filter')) ?? 0),
      Number(this.sysctls.get(ipv4ConfKey(query.inputInterface, 'rp_filter')) ?? 0),
    );
    if (rp === 0) return Promise.resolve(true);
    const back = this.routeBack.get(query.source) ?? this.defaultRoutes[4][0];
    if (back === undefined) return Promise.resolve(false);
    return Promise.resolve(rp === 1 ? back === query.inputInterface : true);
  }
}

export class InMemoryFileStore implements FileStore {
  readonly files = new Map<string, string>();

  read(path: string): Promise<string | null> {
    return Promise.resolve(this.files.get(path) ?? null);
  }

  write(path: string, text: string): Promise<void> {
    this.files.set(path, text);
    return Promise.resolve();
  }

  remove(path: string): Promise<void> {
    this.files.delete(path);
    return Promise.resolve();
  }

  rename(from: string, to: string): Promise<void> {
    const text = this.files.get(from);
    if (text === undefined) return Promise.reject(new Error(`ENOENT: ${from}`));
    this.files.set(to, text);
    this.files.delete(from);
    return Promise.resolve();
  }
}
