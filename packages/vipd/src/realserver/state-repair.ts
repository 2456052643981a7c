// A state file that cannot be understood (cut short by a power loss, edited by hand, written
// by another version) is not a reason to leave the VIPs unmanaged. It is kept aside as
// `<name>.corrupt-<time>` for a human, and rebuilt from what the host shows vipd did:
//
// - IPv4 VIPs of the config on lo as /32, scope host, with the configured label: only vipd
//   adds them so (`ip addr … label lo:vip`), so they are recorded as vipd's again and
//   `remove` takes them away. IPv6 addresses carry no label: one on lo cannot be told apart
//   from an operator's, so it is not recorded (remove leaves it; apply leaves it too).
// - The sysctl.d snippet, if the configured one starts with vipd's marker.
// - Sysctls: what they were BEFORE vipd changed them is only in the lost file. Nothing is
//   recorded, so `remove` leaves them as they are (hiding stays in force); the message says so.

import { canonicalIp } from './addresses.js';
import { RealServerError } from './errors.js';
import { EMPTY_STATE, loadState, saveState } from './state.js';
import type { RealServerState } from './state.js';
import { SYSCTL_FILE_MARKER } from './sysctl-file.js';
import type { AddressSpec, RealServerConfig, RealServerDeps } from './types.js';

export interface StateRepair {
  /** Where the unreadable file was kept. */
  readonly corruptCopy: string;
  /** Why it could not be used. */
  readonly reason: string;
  /** What was rebuilt from the host. */
  readonly recovered: RealServerState;
  /** One line for the log and the CLI: what happened and what it means. */
  readonly message: string;
}

/** `20261207T115804Z`: sortable, and no ':' in a file name. */
function fileTime(at: Date): string {
  return at.toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
}

/**
 * Loads the state file; when it is corrupt, keeps it aside, rebuilds it from the host and
 * says so in `repair`. Errors other than a corrupt file (the file system) still throw.
 */
export async function loadOrRepairState(
  cfg: RealServerConfig,
  deps: RealServerDeps,
): Promise<{ readonly state: RealServerState; readonly repair: StateRepair | null }> {
  const path = cfg.stateFile;
  try {
    return { state: await loadState(deps.files, path), repair: null };
  } catch (error) {
    if (!(error instanceof RealServerError) || error.code !== 'REALSERVER_STATE_INVALID')
      throw error;
    const at = deps.now?.() ?? new Date();
    const corruptCopy = `${path}.corrupt-${fileTime(at)}`;
    await deps.files.rename(path, corruptCopy);
    const recovered = await observedState(cfg, deps);
    await saveState(deps.files, path, recovered);
    const vips = recovered.addresses.map((a) => a.address);
    const message =
      `realserver state file ${path} could not be understood (${error.message}); kept it as ` +
      `${corruptCopy} and rebuilt it from the host: ` +
      `${vips.length === 0 ? 'no VIP' : vips.join(', ')} on lo with label ${cfg.label} recorded as vipd's` +
      `${recovered.sysctlFile === null ? '' : `, ${recovered.sysctlFile} as vipd's sysctl file`}. ` +
      `The sysctl values from before vipd are not known any more: \`vipd realserver remove\` ` +
      `leaves sysctls as they are (see ${corruptCopy} for the old values)`;
    return { state: recovered, repair: { corruptCopy, reason: error.message, recovered, message } };
  }
}

async function observedState(
  cfg: RealServerConfig,
  deps: RealServerDeps,
): Promise<RealServerState> {
  const addresses: AddressSpec[] = (await deps.ops.listAddresses())
    .filter(
      (a) =>
        a.interface === 'lo' &&
        a.family === 4 &&
        a.prefixLength === 32 &&
        a.scope === 'host' &&
        a.label === cfg.label &&
        cfg.vips.includes(canonicalIp(a.address)),
    )
    .map((a) => ({
      address: a.address,
      prefixLength: 32,
      interface: 'lo',
      scope: 'host',
      label: cfg.label,
    }));
  const snippet = cfg.sysctlFile;
  const text = snippet === undefined ? null : await deps.files.read(snippet);
  const ours = snippet !== undefined && text?.startsWith(SYSCTL_FILE_MARKER) === true;
  return { ...EMPTY_STATE, addresses, sysctlFile: ours ? snippet : null };
}
