// The state file: what apply changed on this host, with every sysctl's value from before,
// so remove restores exactly that and nothing vipd did not add.

import { Type, type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import { RealServerError } from './errors.js';
import type { AddressSpec, FileStore } from './types.js';

const sysctlRecordSchema = Type.ReadonlyObject(
  Type.Object({
    key: Type.String({ description: 'The sysctl, e.g. net/ipv4/conf/eth0/arp_ignore.' }),
    previous: Type.String({ description: 'The value before vipd first changed it.' }),
    applied: Type.String({ description: 'The value vipd wrote last.' }),
  }),
);
export type SysctlRecord = Static<typeof sysctlRecordSchema>;

/**
 * An address vipd added: an AddressSpec. The ledger stores AddressSpecs in the state and hands
 * them back, so the compiler holds this schema and that interface to the same shape.
 */
const addressRecordSchema = Type.ReadonlyObject(
  Type.Object({
    address: Type.String(),
    prefixLength: Type.Integer(),
    interface: Type.String(),
    scope: Type.Optional(Type.Literal('host')),
    label: Type.Optional(Type.String()),
  }),
);

const realServerStateSchema = Type.ReadonlyObject(
  Type.Object({
    version: Type.Literal(1),
    sysctls: Type.ReadonlyObject(Type.Array(sysctlRecordSchema)),
    addresses: Type.ReadonlyObject(Type.Array(addressRecordSchema)),
    sysctlFile: Type.Union([Type.String(), Type.Null()], {
      description: 'The sysctl.d snippet vipd wrote, if any.',
    }),
  }),
);
export type RealServerState = Static<typeof realServerStateSchema>;

export const EMPTY_STATE: RealServerState = {
  version: 1,
  sysctls: [],
  addresses: [],
  sysctlFile: null,
};

const validState = Compile(realServerStateSchema);

export async function loadState(files: FileStore, path: string): Promise<RealServerState> {
  const text = await files.read(path);
  if (text === null) return EMPTY_STATE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RealServerError('REALSERVER_STATE_INVALID', `${path} is not JSON`, {
      cause: error,
    });
  }
  if (!validState.Check(value)) {
    const detail = validState.Errors(value)[0];
    throw new RealServerError(
      'REALSERVER_STATE_INVALID',
      `${path}${detail ? `: ${detail.instancePath || '/'} ${detail.message}` : ''}`,
    );
  }
  return value;
}

export async function saveState(
  files: FileStore,
  path: string,
  state: RealServerState,
): Promise<void> {
  const empty =
    state.sysctls.length === 0 && state.addresses.length === 0 && state.sysctlFile === null;
  if (empty) {
    await files.remove(path);
    return;
  }
  await files.write(path, `${JSON.stringify(state, null, 2)}\n`);
}

export function sameAddress(a: AddressSpec, b: AddressSpec): boolean {
  return (
    a.address === b.address && a.prefixLength === b.prefixLength && a.interface === b.interface
  );
}
