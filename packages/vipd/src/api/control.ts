// What the REST API needs from the daemon: read-only views and the operator commands. The
// driver implements it; the API never touches the election directly. Each view is the type
// of its reply schema (schemas.ts), so what the driver fills in is what the API sends.

import type { Static } from 'typebox';
import type { ErrorCode } from '../errors.js';
import type { OperatorCall } from '../events/operator-call.js';
import type {
  daemonPhaseSchema,
  groupSchema,
  groupTrackSchema,
  maintenanceReplySchema,
  peerSchema,
  statusSchema,
  takeoverReplySchema,
  trackerSchema,
} from './schemas.js';

export type DaemonPhase = Static<typeof daemonPhaseSchema>;

export type PeerView = Static<typeof peerSchema>;

export type TrackerView = Static<typeof trackerSchema>;

export type GroupTrackView = Static<typeof groupTrackSchema>;

export type GroupView = Static<typeof groupSchema>;

export type StatusView = Static<typeof statusSchema>;

export type TakeoverResult = Static<typeof takeoverReplySchema>;

export type MaintenanceResult = Static<typeof maintenanceReplySchema>;

export type CommandOutcome<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly code: ErrorCode; readonly message: string };

export interface DaemonControl {
  status(): StatusView;
  group(name: string): GroupView | null;
  /** Resolves once this node is master and has announced, or with the refusal. */
  takeover(
    group: string,
    timeoutMs: number,
    call?: OperatorCall,
  ): Promise<CommandOutcome<TakeoverResult>>;
  /** Resolves once this node has left MASTER and removed the VIPs, or with the refusal. */
  release(
    group: string,
    timeoutMs: number,
    call?: OperatorCall,
  ): Promise<CommandOutcome<GroupView>>;
  setMaintenance(enabled: boolean, call?: OperatorCall): Promise<CommandOutcome<MaintenanceResult>>;
  phase(): DaemonPhase;
}
