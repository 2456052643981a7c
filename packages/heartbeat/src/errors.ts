// Typed errors with stable codes. Tests and the daemon match on `code`, never on message
// text. Decode codes are a subset of RejectReason so a decode failure maps straight onto the
// counter it increments.

import type { RejectReason } from './types.js';

export type DecodeErrorCode = Extract<
  RejectReason,
  'oversized' | 'truncated' | 'bad-version' | 'malformed' | 'wrong-cluster' | 'bad-mac'
>;

/** A frame that is not a valid, authentic heartbeat frame of this cluster. */
export class HeartbeatDecodeError extends Error {
  override readonly name = 'HeartbeatDecodeError';
  constructor(
    readonly code: DecodeErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export type EncodeErrorCode = 'invalid-field' | 'frame-too-large';

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
  'invalid-option' | 'invalid-address' | 'tls-unreadable' | 'listen-failed' | 'unknown-peer';

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
