// The virtual router's vocabulary (RFC 5798 §6): events in, each with the time it happened;
// actions out, as data. Same style as @vipd/election: the daemon turns actions into I/O and
// arms the timer each `arm-timer` asks for. This file is the contract: change with care.
import type { IpFamily } from '../codec/types.js';

export type VrrpState = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

export interface VirtualRouterConfig {
  readonly vrid: number;
  /** Configured priority 1-255 (255 = address owner: master at once). */
  readonly priority: number;
  /** Own Advertisement_Interval, 1-4095 centiseconds. */
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  /** After start-up, a backup waits this long before it may preempt a lower master. */
  readonly preemptDelayMs: number;
  readonly family: IpFamily;
  /** Own primary address: the advert's source, and the tie-break at equal priority. */
  readonly primaryAddress: string;
}

export type VrrpTransitionReason =
  | 'startup'
  | 'owner'
  | 'master-down'
  | 'preempt'
  | 'higher-priority'
  | 'resigned'
  | 'priority-zero'
  | 'fault'
  | 'fault-cleared'
  | 'shutdown';

export type VirtualRouterEvent =
  | { readonly type: 'startup'; readonly nowMs: number }
  | { readonly type: 'shutdown'; readonly nowMs: number }
  | { readonly type: 'timer'; readonly nowMs: number }
  | {
      readonly type: 'advert';
      readonly nowMs: number;
      readonly sourceAddress: string;
      readonly priority: number;
      readonly maxAdvertIntervalCs: number;
    }
  /**
   * The priority this node advertises from now on: trackers' weights, 254 for an operator
   * takeover (with forcePreempt, so nopreempt does not stop it), 0 for maintenance (a master
   * sends priority 0 and steps down; a backup never becomes master).
   */
  | {
      readonly type: 'set-priority';
      readonly nowMs: number;
      readonly priority: number;
      readonly forcePreempt?: boolean;
    }
  | { readonly type: 'fault'; readonly nowMs: number; readonly faulted: boolean };

export type VirtualRouterAction =
  | { readonly type: 'send-advert'; readonly priority: number }
  | {
      readonly type: 'transition';
      readonly from: VrrpState;
      readonly to: VrrpState;
      readonly reason: VrrpTransitionReason;
    }
  | { readonly type: 'arm-timer'; readonly atMs: number }
  | { readonly type: 'cancel-timer' };

export interface VirtualRouterStatus {
  readonly state: VrrpState;
  readonly priority: number;
  /** The current master's primary address (own when MASTER), null when unknown. */
  readonly masterAddress: string | null;
  readonly masterAdvertIntervalCs: number;
  readonly skewTimeMs: number;
  readonly masterDownIntervalMs: number;
}
