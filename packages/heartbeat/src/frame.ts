// The heartbeat frame as it travels: one WebSocket binary message per frame, all integers
// big-endian. Layout (offsets in bytes; the README has the same table):
//
//   0   2  magic            0x76 0x68 ("vh")
//   2   1  version          PROTOCOL_VERSION (3)
//   3   1  kind             1 = hello, 2 = heartbeat
//   4   1  role             the sender's side of this connection: 1 = dialer, 2 = acceptor
//   5  16  incarnation      random per process start
//  21  16  nonce            hello: the sender's nonce for this connection;
//                           heartbeat: the receiver's nonce, echoed (binds it to the connection)
//  37   8  seq              uint64 <= 2^53-1, strictly increasing per incarnation
//  45   8  sentAtMs         float64, sender's clock, Unix epoch milliseconds
//  53   8  echoSentAtMs     float64, sentAtMs of the last heartbeat received from the
//                           addressee, 0 if none (the addressee computes its RTT from it)
//  61   8  echoHeldMs       float64, how long that heartbeat waited here before this reply
//  69   1  cluster length C (1-255), then C bytes of UTF-8
//   .   1  sender id length N (1-255), then N bytes of UTF-8
//   .   1  receiver id length R (1-255), then R bytes of UTF-8: the node this frame is for
//          --- the header ends here: everything above is read before the MAC is checked ---
//   .   2  group count G, then G times:
//            1 name length L (1-255), L bytes UTF-8 name,
//            1 state (GROUP_STATE_CODES), 1 priority (0-255), 8 epoch (uint64 <= 2^53-1),
//            1 master tag (MASTER_TAG), then for tag 2 a name (1 + 1-255)
//   .   1  hears tag, 0 = not stated, 1 = H follows:
//            2 count H, then H names (1 length 1-255, then UTF-8), no repeats
//  end-32  32  HMAC-SHA256 under the cluster key over MAC_LABEL, then every byte before it
//
// Sender, receiver and role are in the signed bytes, so a frame one node signed for one
// connection is worthless on any other: relayed to a third node it names the wrong
// receiver, relayed between two connections the attacker opened it names the wrong role.

import type { WireGroupState, GroupWireState } from './types.js';

export const FRAME_MAGIC = 0x7668;
/**
 * The only version spoken and decoded. Version 3 binds receiver and role into the MAC;
 * nodes of an earlier build (versions 1 and 2) are refused with 'bad-version'.
 */
export const PROTOCOL_VERSION = 3;
/**
 * Domain separation: the MAC input starts with this label, so no other use of the cluster
 * key (or an earlier protocol) can produce a valid heartbeat MAC.
 */
export const MAC_LABEL = 'vipd-heartbeat-v3\0';
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
export const OFFSET_ROLE = 4;
export const OFFSET_INCARNATION = 5;
export const OFFSET_NONCE = 21;
export const OFFSET_SEQ = 37;
export const OFFSET_SENT_AT = 45;
export const OFFSET_ECHO_SENT_AT = 53;
export const OFFSET_ECHO_HELD = 61;
/** First variable-length field (cluster name length). */
export const FIXED_HEADER_BYTES = 69;
/** Name length + name, state, priority, epoch, master tag for a one-byte name. */
export const GROUP_FIXED_BYTES = 1 + 1 + 1 + 8 + 1;

/** Per group: does the sender say which master it hears? */
export const MASTER_TAG = { absent: 0, none: 1, node: 2 } as const;
/** Per frame: does the sender say which peers it hears? */
export const HEARS_TAG = { absent: 0, present: 1 } as const;
export const MAX_HEARS = 0xffff;

export type FrameKind = 'hello' | 'heartbeat';

export const FRAME_KIND_CODES: Readonly<Record<FrameKind, number>> = { hello: 1, heartbeat: 2 };

/** Which side of the connection the sender is: it opened it (dialer) or accepted it. */
export type ConnectionRole = 'dialer' | 'acceptor';

export const ROLE_CODES: Readonly<Record<ConnectionRole, number>> = { dialer: 1, acceptor: 2 };

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
  /** The sender's side of the connection the frame was signed for. */
  readonly role: ConnectionRole;
  /** 32 lowercase hex digits. */
  readonly incarnation: string;
  /** 32 lowercase hex digits; see the layout above for whose nonce it is. */
  readonly nonce: string;
  readonly seq: number;
  readonly sentAtMs: number;
  readonly echoSentAtMs: number;
  readonly echoHeldMs: number;
  readonly clusterName: string;
  /** The sender. */
  readonly nodeId: string;
  /** The node the sender signed this frame for. */
  readonly receiverId: string;
  readonly groups: Readonly<Record<string, WireGroupState>>;
  /** The peers the sender hears now (absent when it did not say). */
  readonly hears?: readonly string[];
}
