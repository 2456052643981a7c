// The state file kept in step with the host: every change is written down BEFORE it is made,
// so a crash between the two leaves a record whose `applied` value the host does not hold,
// which remove then recognises and leaves alone.

import { saveState, sameAddress } from './state.js';
import type { RealServerState, SysctlRecord } from './state.js';
import { loadOrRepairState, type StateRepair } from './state-repair.js';
import type {
  AddressSpec,
  FileStore,
  RealServerConfig,
  RealServerDeps,
  SysctlKey,
} from './types.js';

export class StateLedger {
  private constructor(
    private readonly files: FileStore,
    private readonly path: string,
    private state: RealServerState,
    /** Set when the file was corrupt and has been rebuilt from the host on opening. */
    readonly repair: StateRepair | null,
  ) {}

  static async open(cfg: RealServerConfig, deps: RealServerDeps): Promise<StateLedger> {
    const { state, repair } = await loadOrRepairState(cfg, deps);
    return new StateLedger(deps.files, cfg.stateFile, state, repair);
  }

  get sysctls(): readonly SysctlRecord[] {
    return this.state.sysctls;
  }

  get addresses(): readonly AddressSpec[] {
    return this.state.addresses;
  }

  get sysctlFile(): string | null {
    return this.state.sysctlFile;
  }

  /** Remembers the first `previous` ever seen for a key; later applies only move `applied`. */
  async recordSysctl(key: SysctlKey, previous: string, applied: string): Promise<void> {
    const known = this.state.sysctls.find((r) => r.key === key);
    const record = { key, previous: known?.previous ?? previous, applied };
    const sysctls = known
      ? this.state.sysctls.map((r) => (r.key === key ? record : r))
      : [...this.state.sysctls, record];
    await this.save({ ...this.state, sysctls });
  }

  async dropSysctl(key: SysctlKey): Promise<void> {
    await this.save({ ...this.state, sysctls: this.state.sysctls.filter((r) => r.key !== key) });
  }

  async recordAddress(spec: AddressSpec): Promise<void> {
    if (this.state.addresses.some((a) => sameAddress(a, spec))) return;
    await this.save({ ...this.state, addresses: [...this.state.addresses, spec] });
  }

  async dropAddress(spec: AddressSpec): Promise<void> {
    const addresses = this.state.addresses.filter((a) => !sameAddress(a, spec));
    await this.save({ ...this.state, addresses });
  }

  async setSysctlFile(path: string | null): Promise<void> {
    if (this.state.sysctlFile === path) return;
    await this.save({ ...this.state, sysctlFile: path });
  }

  private async save(next: RealServerState): Promise<void> {
    await saveState(this.files, this.path, next);
    this.state = next;
  }
}
