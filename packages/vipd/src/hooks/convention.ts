// The arguments a notify hook gets after its own, by calling convention. `vipd` is what vipd
// has always passed; `keepalived` is what keepalived passes its generic `notify` script
// (keepalived.conf(5), "notify"; vrrp_notify.c, notify_script_exec), so a keepalived script
// runs unchanged: INSTANCE <name> <MASTER|BACKUP|FAULT|STOP> <priority>.

import type { GroupState } from '@vipd/election';
import type { NotifyConvention } from '../config/types.js';

/** A group's state, or the node stopping (keepalived's STOP). */
export type NotifyState = GroupState | 'STOP';

export interface ConventionInput {
  readonly group: string;
  readonly from: NotifyState;
  readonly to: NotifyState;
  readonly reason: string;
  readonly priority: number;
}

/**
 * The node stepping down on its way out (mesh `resign`, VRRP `shutdown`): keepalived goes
 * from its state straight to STOP, which the daemon notifies once every group has stepped down.
 */
const STOPPING_REASONS: ReadonlySet<string> = new Set(['resign', 'shutdown']);

type KeepalivedState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

/**
 * keepalived has no MAINTENANCE: a node in it holds no VIP and stands by, which is BACKUP.
 * INIT is where keepalived starts and it never notifies it.
 */
const KEEPALIVED_STATE: Readonly<Record<NotifyState, KeepalivedState | null>> = {
  INIT: null,
  BACKUP: 'BACKUP',
  MASTER: 'MASTER',
  FAULT: 'FAULT',
  MAINTENANCE: 'BACKUP',
  STOP: 'STOP',
};

/** The convention's arguments for this change, or null when the convention runs no hook on it. */
export function conventionArgs(
  convention: NotifyConvention,
  change: ConventionInput,
): readonly string[] | null {
  switch (convention) {
    case 'vipd':
      // vipd hooks have never run on stop; they keep not doing so.
      return change.to === 'STOP' ? null : ['INSTANCE', change.group, change.to];
    case 'keepalived': {
      const to = KEEPALIVED_STATE[change.to];
      // keepalived notifies changes of its own state only (MAINTENANCE -> BACKUP is none).
      if (to === null || to === KEEPALIVED_STATE[change.from]) return null;
      if (to !== 'STOP' && STOPPING_REASONS.has(change.reason)) return null;
      // vipd groups have no sync-group-level hooks, so the type is always INSTANCE.
      return ['INSTANCE', change.group, to, String(change.priority)];
    }
  }
}
