// Reading one group out of a peer's heartbeat. The heartbeat crossed a network: the mesh
// authenticates it, but a peer running other code could still send a priority of 300 or a
// state we do not know. Such an entry is treated as absent, never trusted, never thrown on.
import type { GroupName, GroupState, PeerGroupState } from './types.js';

const STATES: ReadonlySet<string> = new Set<GroupState>([
  'INIT',
  'BACKUP',
  'MASTER',
  'FAULT',
  'MAINTENANCE',
]);

export function isValidAdvert(value: unknown): value is PeerGroupState {
  if (typeof value !== 'object' || value === null) return false;
  const advert = value as Record<string, unknown>;
  const { priority, state, epoch, master } = advert;
  return (
    (master === undefined || master === null || (typeof master === 'string' && master !== '')) &&
    typeof priority === 'number' &&
    Number.isInteger(priority) &&
    priority >= 0 &&
    priority <= 255 &&
    typeof state === 'string' &&
    STATES.has(state) &&
    typeof epoch === 'number' &&
    Number.isSafeInteger(epoch) &&
    epoch >= 0
  );
}

/** The peer's advert for `name`, or undefined when absent or malformed. */
export function advertOf(
  groups: Readonly<Record<GroupName, PeerGroupState>>,
  name: GroupName,
): PeerGroupState | undefined {
  // Own properties only: a group named "constructor" must not read Object.prototype's.
  if (!Object.hasOwn(groups, name)) return undefined;
  const advert = groups[name];
  return isValidAdvert(advert) ? advert : undefined;
}

export function sameAdvert(a: PeerGroupState | undefined, b: PeerGroupState | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return (
    a.priority === b.priority && a.state === b.state && a.epoch === b.epoch && a.master === b.master
  );
}

/**
 * Folds the peer's latest raw entry for a group into its validated advert; returns the
 * advert now in force (undefined when absent or malformed) and whether it changed.
 */
export function foldAdvert(
  adverts: Map<GroupName, PeerGroupState>,
  name: GroupName,
  raw: unknown,
): { readonly advert: PeerGroupState | undefined; readonly changed: boolean } {
  const current = adverts.get(name);
  if (raw === current) return { advert: current, changed: false };
  if (
    typeof raw === 'object' &&
    raw !== null &&
    current !== undefined &&
    sameAdvert(raw as PeerGroupState, current)
  )
    return { advert: current, changed: false };
  if (isValidAdvert(raw)) {
    adverts.set(name, raw);
    return { advert: raw, changed: true };
  }
  adverts.delete(name);
  return { advert: undefined, changed: current !== undefined };
}
