// What the parts of the WebSocket mesh share: its options, its clock, its counters and
// event surface, the keys and TLS material in force, and whether it is running. Each part
// (dialer.ts, receiver.ts, sender.ts, liveness.ts) reads it; only mesh.ts replaces its values.

import type { Clock } from '@vipd/clock';
import type { MeshEvents } from './events.js';
import type { MeshKeys, ResolvedOptions } from './options.js';
import type { RejectLog } from './reject-log.js';
import type { MeshCounters } from './stats.js';
import type { TlsMaterial } from './transport.js';

export type MeshState = 'idle' | 'starting' | 'running' | 'stopping';

export interface MeshContext {
  /** Replaced by reconfigure() (a reload). */
  options: ResolvedOptions;
  /** now() in epoch milliseconds, the scale of every timestamp on the wire and in PeerStatus. */
  readonly clock: Clock;
  readonly events: MeshEvents;
  readonly rejectLog: RejectLog;
  state: MeshState;
  /** Zeroed at every start. */
  counters: MeshCounters;
  /** Signing key and the keys also accepted; replaced by setKeys(). */
  keys: MeshKeys;
  tls: TlsMaterial | null;
}
