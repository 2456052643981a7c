// The state changes RFC 5798 §6.4 has, plus FAULT (keepalived's, for a failed tracker or
// interface). Anything else is a bug in the state machine and throws.
import { VrrpError } from '../errors.js';
import type { VrrpState } from './types.js';

const LEGAL: Readonly<Record<VrrpState, readonly VrrpState[]>> = {
  // §6.4.1: Initialize goes to Master (owner) or Backup; FAULT when started faulted.
  INIT: ['BACKUP', 'MASTER', 'FAULT'],
  // §6.4.2: Shutdown -> Initialize; Master_Down_Timer -> Master.
  BACKUP: ['MASTER', 'INIT', 'FAULT'],
  // §6.4.3: Shutdown -> Initialize; a higher-priority advert -> Backup.
  MASTER: ['BACKUP', 'INIT', 'FAULT'],
  // Fault cleared: a backup, or master at once for the address owner (as from Initialize).
  FAULT: ['BACKUP', 'MASTER', 'INIT'],
};

export function isLegalVrrpTransition(from: VrrpState, to: VrrpState): boolean {
  return LEGAL[from].includes(to);
}

export function assertLegalVrrpTransition(from: VrrpState, to: VrrpState): void {
  if (!isLegalVrrpTransition(from, to))
    throw new VrrpError('VRRP_ILLEGAL_TRANSITION', `illegal VRRP transition ${from} -> ${to}`);
}
