// Addresses on a pretend host. It behaves like the netlink manager wherever the daemon can
// observe it (idempotence, only-managed removal, stale leftovers, typed errors for bad VIPs)
// and passes the same contract tests (test/helpers/address-contract.ts).
import type { AddOutcome, NetlinkAddressManager, RemoveOutcome } from '../address-manager.js';
import type { Vip } from '../types.js';
import { checkVip, type CheckedVip } from '../vip.js';

export type AddressCall =
  | { readonly kind: 'add'; readonly vip: Vip; readonly outcome: AddOutcome }
  | { readonly kind: 'remove'; readonly vip: Vip; readonly outcome: RemoveOutcome }
  | { readonly kind: 'listManaged' };

export interface MemoryAddressManager extends NetlinkAddressManager {
  readonly calls: AddressCall[];
  /** Every address on the fake host, managed or not. */
  present(): Vip[];
  /** An address someone else (an operator) configured: vipd must leave it alone. */
  addForeign(vip: Vip): void;
  /** A managed address left by a crashed predecessor (listManaged finds it). */
  addStale(vip: Vip): void;
  /** Makes the next add/remove fail with this error (then behave again). */
  failNext(error: Error): void;
}

interface MemoryAddress {
  readonly vip: CheckedVip;
  readonly managed: boolean;
}

export function createMemoryAddressManager(): MemoryAddressManager {
  const calls: AddressCall[] = [];
  const addresses = new Map<string, MemoryAddress>();
  let nextFailure: Error | undefined;
  const key = (vip: CheckedVip): string => `${vip.interface}|${vip.address}`;
  const toVip = (vip: CheckedVip): Vip => ({
    address: vip.address,
    prefixLength: vip.prefixLength,
    interface: vip.interface,
    ...(vip.label === undefined ? {} : { label: vip.label }),
    ...(vip.scope === 'global' ? {} : { scope: vip.scope }),
  });
  const takeFailure = (): void => {
    const failure = nextFailure;
    nextFailure = undefined;
    if (failure !== undefined) throw failure;
  };
  const addNow = (vip: Vip): AddOutcome => {
    const checked = checkVip(vip);
    takeFailure();
    const existing = addresses.get(key(checked));
    let outcome: AddOutcome;
    if (existing === undefined) {
      addresses.set(key(checked), { vip: checked, managed: true });
      outcome = 'added';
    } else {
      outcome = existing.managed ? 'already-managed' : 'present-unmanaged';
    }
    calls.push({ kind: 'add', vip, outcome });
    return outcome;
  };
  const removeNow = (vip: Vip): RemoveOutcome => {
    const checked = checkVip(vip);
    takeFailure();
    const existing = addresses.get(key(checked));
    let outcome: RemoveOutcome;
    if (existing === undefined) outcome = 'absent';
    else if (!existing.managed) outcome = 'left-unmanaged';
    else {
      addresses.delete(key(checked));
      outcome = 'removed';
    }
    calls.push({ kind: 'remove', vip, outcome });
    return outcome;
  };
  const listManagedNow = (): Vip[] => {
    calls.push({ kind: 'listManaged' });
    return [...addresses.values()].filter((a) => a.managed).map((a) => toVip(a.vip));
  };
  const settle = <T>(work: () => T): Promise<T> => {
    try {
      return Promise.resolve(work());
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  };
  return {
    calls,
    addNow,
    removeNow,
    listManagedNow,
    add: (vip) => settle(() => void addNow(vip)),
    remove: (vip) => settle(() => void removeNow(vip)),
    listManaged: () => settle(listManagedNow),
    // A kernel that keeps the mark (5.18+); withoutAddressProtocol() is the one that does not.
    checkMarking: () => undefined,
    close: () => undefined,
    present: () => [...addresses.values()].map((a) => toVip(a.vip)),
    addForeign: (vip) => {
      const checked = checkVip(vip);
      addresses.set(key(checked), { vip: checked, managed: false });
    },
    addStale: (vip) => {
      const checked = checkVip(vip);
      addresses.set(key(checked), { vip: checked, managed: true });
    },
    failNext: (error) => {
      nextFailure = error;
    },
  };
}
