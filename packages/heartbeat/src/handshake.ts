// The rules a frame must pass on one connection, as a pure function: the connection's
// handshake state and a frame whose MAC already held go in, a verdict comes out. No
// sockets, no clock, no logging — mesh.ts turns the verdict into I/O.
//
// The handshake (README "Authentication"): the dialer sends a hello with a fresh nonce; the
// acceptor answers only a valid hello addressed to it, with its own hello and a heartbeat
// echoing the dialer's nonce; the dialer answers the acceptor's hello with a heartbeat
// echoing the acceptor's nonce. Each side trusts the connection from the first heartbeat
// that echoes its own nonce. Every frame names its sender, its receiver and the sender's
// role, all under the MAC: a frame signed for one connection fails here on any other.

import type { ConnectionRole, HeartbeatFrame } from './frame.js';
import type { RejectReason } from './types.js';

/** What the handshake needs to know about one connection. */
export interface HandshakeState {
  /** This node's side of the connection. */
  readonly role: ConnectionRole;
  /** Our nonce: the peer's heartbeats must echo it. */
  readonly localNonce: string;
  /** The peer's nonce from its hello, null before it. */
  readonly peerNonce: string | null;
  /** Known when dialing (the peer we dialed); claimed by the hello when accepting. */
  readonly peerId: string | null;
  readonly authenticated: boolean;
  /** The peer's incarnation, fixed when the connection authenticated. */
  readonly incarnation: string | null;
  /** Highest seq accepted on this connection. */
  readonly lastSeq: number;
}

export type Verdict =
  | {
      readonly action: 'reject';
      readonly reason: RejectReason;
      readonly detail: string;
      /** Cut the connection even if it is authenticated. */
      readonly terminate: boolean;
    }
  /** Record the peer's nonce; the acceptor answers with its own hello first. */
  | { readonly action: 'hello'; readonly answerWithHello: boolean }
  /** The first heartbeat echoing our nonce: the connection is proven. */
  | { readonly action: 'authenticate' }
  /** A fresh heartbeat on a proven connection. */
  | { readonly action: 'heartbeat' };

export function peerRole(ownRole: ConnectionRole): ConnectionRole {
  return ownRole === 'dialer' ? 'acceptor' : 'dialer';
}

/**
 * Judge an authentic frame (its MAC held) from a configured peer, arriving on a connection
 * in `state`. `linkIncarnation` is the peer's incarnation the link currently follows.
 */
export function judgeFrame(
  state: HandshakeState,
  frame: HeartbeatFrame,
  selfId: string,
  linkIncarnation: string | null,
): Verdict {
  // Receiver and role first: a genuine frame failing them was signed for another connection
  // and carried here by someone else — a relay, the attack these fields exist to stop.
  if (frame.receiverId !== selfId) {
    return reject(
      'wrong-receiver',
      `"${frame.nodeId}" signed this frame for "${frame.receiverId}", not for this node (relayed?)`,
    );
  }
  const expectedRole = peerRole(state.role);
  if (frame.role !== expectedRole) {
    return reject(
      'wrong-role',
      `frame was signed by the ${frame.role} of a connection; on this one "${frame.nodeId}" ` +
        `is the ${expectedRole} (relayed between two connections?)`,
    );
  }
  if (state.peerId !== null && state.peerId !== frame.nodeId) {
    return reject(
      'unknown-node',
      `connection belongs to "${state.peerId}" but the frame is from "${frame.nodeId}"`,
    );
  }
  if (frame.kind === 'hello') {
    if (state.peerNonce !== null) return reject('malformed', 'second hello on one connection');
    return { action: 'hello', answerWithHello: state.role === 'acceptor' };
  }
  if (state.peerNonce === null) return reject('malformed', 'heartbeat before hello');
  if (frame.nonce !== state.localNonce) {
    return reject('replay', 'frame was signed for another connection');
  }
  if (state.authenticated && frame.incarnation !== state.incarnation) {
    return reject('stale', 'incarnation changed on an open connection');
  }
  if (frame.seq <= state.lastSeq) {
    const reason = frame.seq === state.lastSeq ? 'replay' : 'stale';
    return reject(reason, `seq ${frame.seq} <= last accepted ${state.lastSeq}`);
  }
  if (state.authenticated && frame.incarnation !== linkIncarnation) {
    return reject('stale', 'connection of a superseded incarnation', true);
  }
  return state.authenticated ? { action: 'heartbeat' } : { action: 'authenticate' };
}

function reject(reason: RejectReason, detail: string, terminate = false): Verdict {
  return { action: 'reject', reason, detail, terminate };
}
