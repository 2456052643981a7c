// The legal state changes of a group. Anything else is a bug in the state machine, and it
// throws at once rather than let a node hold an address it should not.
import type { GroupState } from './types.js';

const LEGAL: Readonly<Record<GroupState, readonly GroupState[]>> = {
  // RFC 5798 §6.4.1: Initialize goes to Master (owner) or Backup; we add Fault/Maintenance.
  INIT: ['BACKUP', 'MASTER', 'FAULT', 'MAINTENANCE'],
  BACKUP: ['MASTER', 'FAULT', 'MAINTENANCE'],
  MASTER: ['BACKUP', 'FAULT', 'MAINTENANCE'],
  // A recovered group is a backup first; it becomes master only by the ordinary rules.
  FAULT: ['BACKUP', 'MAINTENANCE'],
  MAINTENANCE: ['BACKUP', 'FAULT'],
};

export class IllegalTransitionError extends Error {
  readonly code = 'ILLEGAL_TRANSITION';

  constructor(
    readonly group: string,
    readonly from: GroupState,
    readonly to: GroupState,
  ) {
    super(`illegal transition of group ${group}: ${from} -> ${to}`);
    this.name = 'IllegalTransitionError';
  }
}

export function isLegalTransition(from: GroupState, to: GroupState): boolean {
  return LEGAL[from].includes(to);
}

export function assertLegalTransition(group: string, from: GroupState, to: GroupState): void {
  if (!isLegalTransition(from, to)) throw new IllegalTransitionError(group, from, to);
}
