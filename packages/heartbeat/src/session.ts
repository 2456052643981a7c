// One WebSocket connection to (or from) a peer, from the first byte until it closes. Every
// connection starts untrusted: each side sends a signed hello carrying a fresh nonce, and a
// connection is authenticated only by a valid heartbeat that echoes *our* nonce — proof
// that its sender holds the key now, not that someone recorded an old conversation. The
// rules are in handshake.ts; this class keeps the state they read, and changes it only
// through the steps of a connection's life (hello, authenticate, heard, retire, closed).

import { randomBytes } from 'node:crypto';
import type { Clock, TimerHandle } from '@vipd/clock';
import { WebSocket } from 'ws';
import { GroupsCache } from './codec.js';
import { NONCE_BYTES, type ConnectionRole } from './frame.js';
import type { HandshakeState } from './handshake.js';

export type Direction = 'inbound' | 'outbound';

/** Close codes in the private range (RFC 6455 §7.4.2), so the far end knows why. */
export const CLOSE_DUPLICATE = 4001;
export const CLOSE_SUPERSEDED = 4002;
/**
 * "Coming back": we hung up on purpose and are dialing again (reconnect(), or a connection
 * cut for long silence). The far end must not take it for a crash: the peer keeps its
 * normal down interval to reconnect before anything is declared.
 */
export const CLOSE_RECONNECTING = 4003;
export const CLOSE_SHUTDOWN = 1001;

export class Session implements HandshakeState {
  readonly localNonce = randomBytes(NONCE_BYTES).toString('hex');
  readonly groupsCache = new GroupsCache();
  #peerNonce: string | null = null;
  #peerId: string | null;
  #authenticated = false;
  #incarnation: string | null = null;
  #lastSeq = -1;
  /** When the last heartbeat was accepted on it (or it authenticated): is it still in use? */
  #lastHeardAtMs = 0;
  #retiring = false;
  #dead = false;
  /** Set while the socket has not drained; cut the peer if it stays set too long. */
  #backedUpSinceMs: number | null = null;
  /** A heartbeat was skipped for backpressure; send the latest state once drained. */
  #resendWhenDrained = false;
  #authTimer: TimerHandle | null = null;

  constructor(
    readonly ws: WebSocket,
    readonly direction: Direction,
    /** host:port of the far end, for logs. */
    readonly remote: string,
    peerId: string | null,
    private readonly clock: Clock,
  ) {
    this.#peerId = peerId;
  }

  /** The peer's nonce from its hello; our heartbeats echo it. */
  get peerNonce(): string | null {
    return this.#peerNonce;
  }

  /** Known when dialing; claimed by the peer's hello when accepting. */
  get peerId(): string | null {
    return this.#peerId;
  }

  get authenticated(): boolean {
    return this.#authenticated;
  }

  /** The peer's incarnation, fixed when the connection authenticates. */
  get incarnation(): string | null {
    return this.#incarnation;
  }

  /** Highest seq accepted on this connection: replays within it are caught here. */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** We asked it to close; frames still arriving on it are ignored. */
  get retiring(): boolean {
    return this.#retiring;
  }

  /** Closed or terminated: nothing more is read from or written to it. */
  get dead(): boolean {
    return this.#dead;
  }

  /** Our side of the connection, as the frames we sign on it say. */
  get role(): ConnectionRole {
    return this.direction === 'outbound' ? 'dialer' : 'acceptor';
  }

  /** It must authenticate within timeoutMs, or onTimeout runs. */
  startAuthTimer(timeoutMs: number, onTimeout: () => void): void {
    this.#authTimer = this.clock.setTimeout(() => {
      this.#authTimer = null;
      onTimeout();
    }, timeoutMs);
  }

  /** The peer's hello arrived: its nonce is what our heartbeats echo from now on. */
  helloFrom(peerId: string, nonce: string): void {
    this.#peerId = peerId;
    this.#peerNonce = nonce;
  }

  /** Its first heartbeat echoing our nonce arrived: the connection is proven. */
  authenticate(incarnation: string): void {
    this.#authenticated = true;
    this.#incarnation = incarnation;
    this.clearAuthTimer();
  }

  /** A heartbeat was accepted on it. */
  heard(seq: number, atMs: number): void {
    this.#lastSeq = seq;
    this.#lastHeardAtMs = atMs;
  }

  /** No heartbeat accepted on it for `silentAfterMs`: the peer no longer uses it. */
  silentAt(nowMs: number, silentAfterMs: number): boolean {
    return nowMs - this.#lastHeardAtMs >= silentAfterMs;
  }

  get open(): boolean {
    return !this.#dead && this.ws.readyState === WebSocket.OPEN;
  }

  /** Node id of the side that opened the connection. */
  dialedBy(selfId: string): string | null {
    return this.direction === 'outbound' ? selfId : this.#peerId;
  }

  /** The socket drained: a heartbeat can go out now. */
  flowing(): void {
    this.#backedUpSinceMs = null;
  }

  /**
   * A heartbeat was skipped because the previous one is still queued: send the latest state
   * once drained. Returns how long the socket has been backed up.
   */
  backedUp(nowMs: number): number {
    this.#resendWhenDrained = true;
    this.#backedUpSinceMs ??= nowMs;
    return nowMs - this.#backedUpSinceMs;
  }

  /** A send completed: true once, if a heartbeat was skipped and the socket is empty now. */
  takeResend(): boolean {
    if (!this.#resendWhenDrained || this.ws.bufferedAmount > 0) return false;
    this.#resendWhenDrained = false;
    return true;
  }

  terminate(): void {
    this.#dead = true;
    this.clearAuthTimer();
    this.ws.terminate();
  }

  /**
   * Tell the far end why (a close frame, if the socket is open), then cut at once without
   * waiting for its answer: the connection may sit in TCP retransmission backoff, and the
   * redial must not wait for it. On a healthy path the frame arrives before the FIN.
   */
  hangUp(code: number, reason: string): void {
    if (this.#dead) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason);
    this.terminate();
  }

  /** Close with a reason the far end can read; terminate if it does not finish in graceMs. */
  retire(code: number, reason: string, graceMs: number): void {
    if (this.#dead || this.#retiring) return;
    this.#retiring = true;
    this.clearAuthTimer();
    if (this.ws.readyState !== WebSocket.OPEN) {
      this.terminate();
      return;
    }
    this.ws.close(code, reason);
    const grace = this.clock.setTimeout(() => {
      this.terminate();
    }, graceMs);
    // On the system clock, a close still in its grace period must not keep the process up.
    (grace as { unref?: () => void }).unref?.();
  }

  /** The socket closed. */
  closed(): void {
    this.#dead = true;
    this.clearAuthTimer();
  }

  private clearAuthTimer(): void {
    if (this.#authTimer !== null) this.clock.clearTimeout(this.#authTimer);
    this.#authTimer = null;
  }
}
