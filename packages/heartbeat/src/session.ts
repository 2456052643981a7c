// One WebSocket connection to (or from) a peer, from the first byte until it closes. Every
// connection starts untrusted: each side sends a signed hello carrying a fresh nonce, and a
// connection is authenticated only by a valid heartbeat that echoes *our* nonce — proof
// that its sender holds the key now, not that someone recorded an old conversation. The
// rules are in handshake.ts; this class keeps the state they read.

import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { GroupsCache } from './codec.js';
import { NONCE_BYTES, type ConnectionRole } from './frame.js';
import type { HandshakeState } from './handshake.js';

export type Direction = 'inbound' | 'outbound';

/** Close codes in the private range (RFC 6455 §7.4.2), so the far end knows why. */
export const CLOSE_DUPLICATE = 4001;
export const CLOSE_SUPERSEDED = 4002;
export const CLOSE_SHUTDOWN = 1001;

export class Session implements HandshakeState {
  readonly localNonce = randomBytes(NONCE_BYTES).toString('hex');
  /** The peer's nonce from its hello; our heartbeats echo it. */
  peerNonce: string | null = null;
  /** Known when dialing; claimed by the peer's hello when accepting. */
  peerId: string | null;
  authenticated = false;
  /** The peer's incarnation, fixed when the connection authenticates. */
  incarnation: string | null = null;
  /** Highest seq accepted on this connection: replays within it are caught here. */
  lastSeq = -1;
  /** When the last heartbeat was accepted on it (or it authenticated): is it still in use? */
  lastHeardAtMs = 0;
  /** We asked it to close; frames still arriving on it are ignored. */
  retiring = false;
  /** Closed or terminated: nothing more is read from or written to it. */
  dead = false;
  /** Set while the socket has not drained; cut the peer if it stays set too long. */
  backedUpSinceMs: number | null = null;
  /** A heartbeat was skipped for backpressure; send the latest state once drained. */
  resendWhenDrained = false;
  authTimer: NodeJS.Timeout | null = null;
  readonly groupsCache = new GroupsCache();

  constructor(
    readonly ws: WebSocket,
    readonly direction: Direction,
    /** host:port of the far end, for logs. */
    readonly remote: string,
    peerId: string | null,
  ) {
    this.peerId = peerId;
  }

  /** Our side of the connection, as the frames we sign on it say. */
  get role(): ConnectionRole {
    return this.direction === 'outbound' ? 'dialer' : 'acceptor';
  }

  /** The peer's hello arrived: its nonce is what our heartbeats echo from now on. */
  helloFrom(peerId: string, nonce: string): void {
    this.peerId = peerId;
    this.peerNonce = nonce;
  }

  /** Its first heartbeat echoing our nonce arrived: the connection is proven. */
  authenticate(incarnation: string): void {
    this.authenticated = true;
    this.incarnation = incarnation;
    this.clearAuthTimer();
  }

  /** A heartbeat was accepted on it. */
  heard(seq: number, atMs: number): void {
    this.lastSeq = seq;
    this.lastHeardAtMs = atMs;
  }

  /** No heartbeat accepted on it for `silentAfterMs`: the peer no longer uses it. */
  silentAt(nowMs: number, silentAfterMs: number): boolean {
    return nowMs - this.lastHeardAtMs >= silentAfterMs;
  }

  get open(): boolean {
    return !this.dead && this.ws.readyState === WebSocket.OPEN;
  }

  /** Node id of the side that opened the connection. */
  dialedBy(selfId: string): string | null {
    return this.direction === 'outbound' ? selfId : this.peerId;
  }

  terminate(): void {
    this.dead = true;
    this.clearAuthTimer();
    this.ws.terminate();
  }

  /** Close with a reason the far end can read; terminate if it does not finish in graceMs. */
  retire(code: number, reason: string, graceMs: number): void {
    if (this.dead || this.retiring) return;
    this.retiring = true;
    this.clearAuthTimer();
    if (this.ws.readyState !== WebSocket.OPEN) {
      this.terminate();
      return;
    }
    this.ws.close(code, reason);
    setTimeout(() => {
      this.terminate();
    }, graceMs).unref();
  }

  clearAuthTimer(): void {
    if (this.authTimer !== null) clearTimeout(this.authTimer);
    this.authTimer = null;
  }
}
