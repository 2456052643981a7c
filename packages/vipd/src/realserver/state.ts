// The state file: what apply changed on this host, with every sysctl's value from before,
// so remove restores exactly that and nothing vipd did not add.

import { Ajv } from 'ajv';
import { RealServerError } from './errors.js';
import type { AddressSpec, FileStore, SysctlKey } from './types.js';

export interface SysctlRecord {
  readonly key: SysctlKey;
  /** The value before vipd first changed it. */
  readonly previous: string;
  /** The value vipd wrote last. */
  readonly applied: string;
}

export interface RealServerState {
  readonly version: 1;
  readonly sysctls: readonly SysctlRecord[];
  readonly addresses: readonly AddressSpec[];
  /** The sysctl.d snippet vipd wrote, if any. */
  readonly sysctlFile: string | null;
}

export const EMPTY_STATE: RealServerState = {
  version: 1,
  sysctls: [],
  addresses: [],
  sysctlFile: null,
};

const STATE_SCHEMA = {
  type: 'object',
  required: ['version', 'sysctls', 'addresses', 'sysctlFile'],
  properties: {
    version: { const: 1 },
    sysctls: {
      type: 'array',
      items: {
        type: 'object',
        required: ['key', 'previous', 'applied'],
        properties: {
          key: { type: 'string' },
          previous: { type: 'string' },
          applied: { type: 'string' },
        },
      },
    },
    addresses: {
      type: 'array',
      items: {
        type: 'object',
        required: ['address', 'prefixLength', 'interface'],
        properties: {
          address: { type: 'string' },
          prefixLength: { type: 'integer' },
          interface: { type: 'string' },
          scope: { const: 'host' },
          label: { type: 'string' },
        },
      },
    },
    sysctlFile: { type: ['string', 'null'] },
  },
} as const;

const validateState = new Ajv({ strict: true }).compile<RealServerState>(STATE_SCHEMA);

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
  if (!validateState(value)) {
    const detail = validateState.errors?.[0];
    throw new RealServerError(
      'REALSERVER_STATE_INVALID',
      `${path}${detail ? `: ${detail.instancePath || '/'} ${detail.message ?? ''}` : ''}`,
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
