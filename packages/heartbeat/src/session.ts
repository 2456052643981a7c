// One WebSocket connection to (or from) a peer, from the first byte until it closes. Every
// connection starts untrusted: each side sends a signed hello carrying a fresh nonce, and a
// connection is authenticated only by a valid heartbeat that echoes *our* nonce — proof
// that its sender holds the key now, not that someone recorded an old conversation.

import { randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { GroupsCache } from './codec.js';
import { MIN_PROTOCOL_VERSION, NONCE_BYTES, type ProtocolVersion } from './frame.js';

export type Direction = 'inbound' | 'outbound';

/** Close codes in the private range (RFC 6455 §7.4.2), so the far end knows why. */
export const CLOSE_DUPLICATE = 4001;
export const CLOSE_SUPERSEDED = 4002;
export const CLOSE_SHUTDOWN = 1001;

export class Session {
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
  /**
   * The highest protocol version the peer has sent on this connection: our heartbeats use
   * it, so a version 1 peer is never sent fields it would reject.
   */
  peerVersion: ProtocolVersion = MIN_PROTOCOL_VERSION;

  constructor(
    readonly ws: WebSocket,
    readonly direction: Direction,
    /** host:port of the far end, for logs. */
    readonly remote: string,
    peerId: string | null,
  ) {
    this.peerId = peerId;
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
