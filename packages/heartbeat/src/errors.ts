// Typed errors with stable codes, SCREAMING_SNAKE like every other vipd error code. Tests
// and the daemon match on `code`, never on message text. A decode failure also carries the
// RejectReason it is counted under (`reason`): those stay kebab-case, because stats, the
// 'rejected' event and vipd's metric labels (dashboards, alerts) already use them.

import type { RejectReason } from './types.js';

/** Each decode error code and the reject reason it is counted under. */
const DECODE_REJECT_REASONS = {
  OVERSIZED: 'oversized',
  TRUNCATED: 'truncated',
  BAD_VERSION: 'bad-version',
  MALFORMED: 'malformed',
  WRONG_CLUSTER: 'wrong-cluster',
  BAD_MAC: 'bad-mac',
} as const satisfies Record<string, RejectReason>;

export type DecodeErrorCode = keyof typeof DECODE_REJECT_REASONS;
export type DecodeRejectReason = (typeof DECODE_REJECT_REASONS)[DecodeErrorCode];

/** A frame that is not a valid, authentic heartbeat frame of this cluster. */
export class HeartbeatDecodeError extends Error {
  override readonly name = 'HeartbeatDecodeError';
  /** The reject reason this failure is counted and reported under. */
  readonly reason: DecodeRejectReason;
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
  ) {
    super(message);
    this.reason = DECODE_REJECT_REASONS[code];
  }
}

export type EncodeErrorCode = 'INVALID_FIELD' | 'FRAME_TOO_LARGE';

/** Local data that cannot be put on the wire (a bug or an unvalidated config). */
export class HeartbeatEncodeError extends Error {
  override readonly name = 'HeartbeatEncodeError';
  constructor(
    readonly code: EncodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type ConfigErrorCode =
  'INVALID_OPTION' | 'INVALID_ADDRESS' | 'TLS_UNREADABLE' | 'LISTEN_FAILED' | 'UNKNOWN_PEER';

/** HeartbeatMeshOptions that cannot work (the message names the option), or a peer id that is not configured. */
export class HeartbeatConfigError extends Error {
  override readonly name = 'HeartbeatConfigError';
  constructor(
    readonly code: ConfigErrorCode,
    message: string,
  ) {
    super(message);
  }
}
