// The heartbeat frame as it travels: one WebSocket binary message per frame, all integers
// big-endian. Layout (offsets in bytes; the README has the same table):
//
//   0   2  magic            0x76 0x68 ("vh")
//   2   1  version          PROTOCOL_VERSION
//   3   1  kind             1 = hello, 2 = heartbeat
//   4  16  incarnation      random per process start
//  20  16  nonce            hello: the sender's nonce for this connection;
//                           heartbeat: the receiver's nonce, echoed (binds it to the connection)
//  36   8  seq              uint64 <= 2^53-1, strictly increasing per incarnation
//  44   8  sentAtMs         float64, sender's clock, Unix epoch milliseconds
//  52   8  echoSentAtMs     float64, sentAtMs of the last heartbeat received from the
//                           addressee, 0 if none (the addressee computes its RTT from it)
//  60   8  echoHeldMs       float64, how long that heartbeat waited here before this reply
//  68   1  cluster length C (1-255), then C bytes of UTF-8
//   .   1  node id length N (1-255), then N bytes of UTF-8
//   .   2  group count G, then G times:
//            1 name length L (1-255), L bytes UTF-8 name,
//            1 state (GROUP_STATE_CODES), 1 priority (0-255), 8 epoch (uint64 <= 2^53-1)
//            version 2 only: 1 master tag (MASTER_TAG), then for tag 2 a name (1 + 1-255)
//   .   1  version 2 only: hears tag, 0 = not stated, 1 = H follows:
//            2 count H, then H names (1 length 1-255, then UTF-8), no repeats
//  end-32  32  HMAC-SHA256 under the cluster key over every byte before it
//
// Version 2 only appends fields, so a version 1 frame is a version 2 frame without them.
// Both are decoded; a node answers each peer in the version it hears from it (mesh.ts).

import type { WireGroupState, GroupWireState } from './types.js';

export const FRAME_MAGIC = 0x7668;
/** The version this node speaks (and sends once the peer shows it speaks it too). */
export const PROTOCOL_VERSION = 2;
/** The oldest version still decoded and spoken to peers that send it. */
export const MIN_PROTOCOL_VERSION = 1;
export type ProtocolVersion = 1 | 2;
/** Also the WebSocket maxPayload: ~2,800 groups with short names fit. */
export const MAX_FRAME_BYTES = 64 * 1024;
export const INCARNATION_BYTES = 16;
export const NONCE_BYTES = 16;
export const MAC_BYTES = 32;
export const MAX_NAME_BYTES = 255;
export const MAX_GROUPS = 0xffff;

export const OFFSET_MAGIC = 0;
export const OFFSET_VERSION = 2;
export const OFFSET_KIND = 3;
export const OFFSET_INCARNATION = 4;
export const OFFSET_NONCE = 20;
export const OFFSET_SEQ = 36;
export const OFFSET_SENT_AT = 44;
export const OFFSET_ECHO_SENT_AT = 52;
export const OFFSET_ECHO_HELD = 60;
/** First variable-length field (cluster name length). */
export const FIXED_HEADER_BYTES = 68;
/** Name length + name, state, priority, epoch for a one-byte name. */
export const GROUP_FIXED_BYTES = 1 + 1 + 1 + 8;

/** Per group (version 2): does the sender say which master it hears? */
export const MASTER_TAG = { absent: 0, none: 1, node: 2 } as const;
/** Per frame (version 2): does the sender say which peers it hears? */
export const HEARS_TAG = { absent: 0, present: 1 } as const;
export const MAX_HEARS = 0xffff;

export type FrameKind = 'hello' | 'heartbeat';

export const FRAME_KIND_CODES: Readonly<Record<FrameKind, number>> = { hello: 1, heartbeat: 2 };

export const GROUP_STATE_CODES: Readonly<Record<GroupWireState, number>> = {
  INIT: 1,
  BACKUP: 2,
  MASTER: 3,
  FAULT: 4,
  MAINTENANCE: 5,
};

/** One decoded frame: a field per wire field (the MAC is checked, not kept). */
export interface HeartbeatFrame {
  readonly kind: FrameKind;
  /** 32 lowercase hex digits. */
  readonly incarnation: string;
  /** 32 lowercase hex digits; see the layout above for whose nonce it is. */
  readonly nonce: string;
  readonly seq: number;
  readonly sentAtMs: number;
  readonly echoSentAtMs: number;
  readonly echoHeldMs: number;
  readonly clusterName: string;
  readonly nodeId: string;
  readonly groups: Readonly<Record<string, WireGroupState>>;
  /** The peers the sender hears now (version 2; absent when it did not say). */
  readonly hears?: readonly string[];
}
