// applyRealServer makes the host match the `realserver:` config — sysctls first, so a VIP is
// hidden before it exists — and removeRealServer undoes exactly what apply recorded.

import { canonicalIp, hostPrefixLength, ipFamily } from './addresses.js';
import { checkRealServer } from './check.js';
import { RealServerError } from './errors.js';
import { arpIgnoreHides, effectiveSysctl, ipv4ConfKey } from './kernel.js';
import { StateLedger } from './ledger.js';
import type { StateRepair } from './state-repair.js';
import { renderSysctlFile, SYSCTL_FILE_MARKER } from './sysctl-file.js';
import type { SysctlRecord } from './state.js';
import type {
  AddressSpec,
  RealServerConfig,
  RealServerDeps,
  RealServerReport,
  SystemOps,
  SysctlKey,
} from './types.js';

export type ChangeAction =
  | 'set_sysctl'
  | 'restore_sysctl'
  | 'add_address'
  | 'remove_address'
  | 'write_sysctl_file'
  | 'remove_sysctl_file';

export interface AppliedChange {
  readonly action: ChangeAction;
  /** The sysctl key, "ADDRESS/PREFIX dev IF" or the file path. */
  readonly target: string;
  readonly from?: string;
  readonly to?: string;
}

export interface ApplyResult {
  readonly changes: readonly AppliedChange[];
  /** Sysctls of a shrunk config that someone changed since vipd set them: left as they are. */
  readonly left: readonly { readonly target: string; readonly reason: string }[];
  /** A check right after applying: what apply cannot fix is still listed here. */
  readonly report: RealServerReport;
  /** The state file was corrupt and was rebuilt from the host before applying. */
  readonly stateRepair: StateRepair | null;
}

export interface RemoveResult {
  readonly changes: readonly AppliedChange[];
  /** Things vipd had changed that someone changed again since: left as they are. */
  readonly left: readonly { readonly target: string; readonly reason: string }[];
  /** The state file was corrupt and was rebuilt from the host before removing. */
  readonly stateRepair: StateRepair | null;
}

function addressTarget(spec: AddressSpec): string {
  return `${spec.address}/${String(spec.prefixLength)} dev ${spec.interface}`;
}

function vipOnLo(cfg: RealServerConfig, vip: string): AddressSpec {
  const family = ipFamily(vip) ?? 4;
  return family === 4
    ? { address: vip, prefixLength: 32, interface: 'lo', scope: 'host', label: cfg.label }
    : { address: vip, prefixLength: hostPrefixLength(6), interface: 'lo' };
}

async function readInt(ops: SystemOps, key: SysctlKey): Promise<number | null> {
  const text = await ops.readSysctl(key);
  return text === null ? null : Number.parseInt(text, 10);
}

class Applier {
  readonly changes: AppliedChange[] = [];
  /** Keys this config manages; recorded keys outside it are restored (config shrank). */
  readonly managedKeys = new Set<SysctlKey>();

  constructor(
    private readonly ops: SystemOps,
    private readonly ledger: StateLedger,
  ) {}

  /** Writes `desired` unless the current value is already acceptable. */
  async ensure(key: SysctlKey, desired: string, acceptable: (value: number) => boolean) {
    this.managedKeys.add(key);
    const current = await this.ops.readSysctl(key);
    if (current === null || acceptable(Number.parseInt(current, 10))) return;
    const before = this.ledger.sysctls.find((r) => r.key === key);
    await this.ledger.recordSysctl(key, current, desired);
    try {
      await this.ops.writeSysctl(key, desired);
    } catch (error) {
      // The write did not happen: the record goes back to what it said before.
      if (before) await this.ledger.recordSysctl(key, before.previous, before.applied);
      else await this.ledger.dropSysctl(key);
      throw error;
    }
    this.changes.push({ action: 'set_sysctl', target: key, from: current, to: desired });
  }

  async addAddress(spec: AddressSpec): Promise<void> {
    await this.ledger.recordAddress(spec);
    try {
      await this.ops.addAddress(spec);
    } catch (error) {
      await this.ledger.dropAddress(spec);
      throw error;
    }
    this.changes.push({ action: 'add_address', target: addressTarget(spec) });
  }
}

/** Puts a recorded sysctl back, unless someone changed it since vipd wrote it. */
async function restoreSysctl(
  ops: SystemOps,
  ledger: StateLedger,
  record: SysctlRecord,
  changes: AppliedChange[],
  left: { target: string; reason: string }[],
): Promise<void> {
  const current = await ops.readSysctl(record.key);
  if (current === record.applied) {
    await ops.writeSysctl(record.key, record.previous);
    changes.push({
      action: 'restore_sysctl',
      target: record.key,
      from: current,
      to: record.previous,
    });
  } else if (current !== null) {
    left.push({
      target: record.key,
      reason: `now ${current}, not the ${record.applied} vipd set, so it stays`,
    });
  }
  await ledger.dropSysctl(record.key);
}

async function removeRecordedAddress(
  ops: SystemOps,
  ledger: StateLedger,
  spec: AddressSpec,
  changes: AppliedChange[],
): Promise<void> {
  const present = (await ops.listAddresses()).some(
    (a) =>
      a.interface === spec.interface &&
      a.address === canonicalIp(spec.address) &&
      a.prefixLength === spec.prefixLength,
  );
  if (present) {
    await ops.removeAddress(spec);
    changes.push({ action: 'remove_address', target: addressTarget(spec) });
  }
  await ledger.dropAddress(spec);
}

export async function applyRealServer(
  cfg: RealServerConfig,
  deps: RealServerDeps,
): Promise<ApplyResult> {
  const { ops } = deps;
  const ledger = await StateLedger.open(cfg, deps);
  const applier = new Applier(ops, ledger);
  const existing = await ops.listInterfaces();
  const interfaces = cfg.interfaces.filter((name) => existing.includes(name));

  // The kernel takes max(all, interface), and reads arp_ignore on the interface a request
  // arrives on and arp_announce on the one a request leaves by: the configured interfaces'
  // own values hide the VIPs, and `all`, which every other interface of the host reads too,
  // is never changed. (An earlier vipd also set `all`: a state file that still records it
  // gets it restored below, after these have taken over.) arp_ignore 2 or 3 already hide a
  // scope-host VIP: never lowered.
  for (const name of interfaces) {
    await applier.ensure(ipv4ConfKey(name, 'arp_ignore'), String(cfg.arpIgnore), arpIgnoreHides);
    await applier.ensure(ipv4ConfKey(name, 'arp_announce'), '2', (v) => v === 2);
  }
  if (cfg.rpFilter === 'loose') {
    // Loose on the interface wins over strict in `all` (max), without touching other interfaces.
    const all = await readInt(ops, ipv4ConfKey('all', 'rp_filter'));
    for (const name of interfaces) {
      const key = ipv4ConfKey(name, 'rp_filter');
      const own = await readInt(ops, key);
      const strict = effectiveSysctl(all, own).effective === 1;
      await applier.ensure(key, '2', () => !strict);
    }
  }

  const addresses = await ops.listAddresses();
  for (const vip of cfg.vips) {
    if (addresses.some((a) => a.interface === 'lo' && a.address === vip)) continue;
    await applier.addAddress(vipOnLo(cfg, vip));
  }

  // What an earlier apply added for a config that has since shrunk goes away again.
  const left: { target: string; reason: string }[] = [];
  for (const spec of ledger.addresses) {
    if (!cfg.vips.includes(canonicalIp(spec.address))) {
      await removeRecordedAddress(ops, ledger, spec, applier.changes);
    }
  }
  for (const record of [...ledger.sysctls].reverse()) {
    if (!applier.managedKeys.has(record.key)) {
      await restoreSysctl(ops, ledger, record, applier.changes, left);
    }
  }

  if (cfg.sysctlFile !== undefined) {
    await writeSysctlFile(cfg.sysctlFile, deps, ledger, applier);
  }
  return {
    changes: applier.changes,
    left,
    report: await checkRealServer(cfg, deps),
    stateRepair: ledger.repair,
  };
}

async function writeSysctlFile(
  path: string,
  deps: RealServerDeps,
  ledger: StateLedger,
  applier: Applier,
): Promise<void> {
  const values: { key: SysctlKey; value: string }[] = [];
  for (const key of applier.managedKeys) {
    const value = await deps.ops.readSysctl(key);
    if (value !== null) values.push({ key, value });
  }
  const text = renderSysctlFile(values);
  const current = await deps.files.read(path);
  if (current !== null && !current.startsWith(SYSCTL_FILE_MARKER)) {
    throw new RealServerError(
      'REALSERVER_SYSCTL_FILE_FOREIGN',
      `${path} exists and was not written by vipd; choose another realserver.sysctl_file`,
    );
  }
  await ledger.setSysctlFile(path);
  if (current === text) return;
  await deps.files.write(path, text);
  applier.changes.push({ action: 'write_sysctl_file', target: path });
}

/** Undoes what apply recorded: addresses first (never a visible VIP), then sysctls. */
export async function removeRealServer(
  cfg: RealServerConfig,
  deps: RealServerDeps,
): Promise<RemoveResult> {
  const { ops, files } = deps;
  const ledger = await StateLedger.open(cfg, deps);
  const changes: AppliedChange[] = [];
  const left: { target: string; reason: string }[] = [];
  for (const spec of ledger.addresses) await removeRecordedAddress(ops, ledger, spec, changes);
  for (const record of [...ledger.sysctls].reverse()) {
    await restoreSysctl(ops, ledger, record, changes, left);
  }
  const snippet = ledger.sysctlFile;
  if (snippet !== null) {
    const text = await files.read(snippet);
    if (text?.startsWith(SYSCTL_FILE_MARKER)) {
      await files.remove(snippet);
      changes.push({ action: 'remove_sysctl_file', target: snippet });
    }
    await ledger.setSysctlFile(null);
  }
  return { changes, left, stateRepair: ledger.repair };
}
