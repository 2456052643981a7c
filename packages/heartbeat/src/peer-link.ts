// The one logical link to a configured peer. Connections come and go underneath (dialed,
// accepted, duplicates resolved, replaced after a restart); the link carries what outlives
// them: whether the peer is up, its incarnation and last sequence number, RTT, backoff.

import type { Clock, TimerHandle } from '@vipd/clock';
import type { HostPort } from './address.js';
import { ReconnectBackoff } from './backoff.js';
import type { ConnectionRole } from './frame.js';
import { RttEstimator } from './rtt.js';
import { CLOSE_DUPLICATE, CLOSE_SUPERSEDED, type Session } from './session.js';
import { SilenceWatch } from './silence.js';
import type { PeerPath, PeerStatus } from './types.js';

/** Which path a heartbeat came by: the WebSocket connection or a UDP datagram. */
export type HeartbeatPath = 'stream' | 'datagram';

/**
 * What our datagrams to the peer are signed with when no connection is in use: the
 * connection's role and the peer's nonce of the last one that was (README "Datagram path").
 */
export interface DatagramAddressing {
  readonly role: ConnectionRole;
  readonly nonce: string;
}

export interface LinkTiming {
  readonly downAfterMs: number;
  readonly cutSilentAfterMs: number;
  readonly reconnectMinDelayMs: number;
  readonly reconnectMaxDelayMs: number;
}

/** A connection the link no longer wants, and the close code that tells the far end why. */
export interface Retirement {
  readonly session: Session;
  readonly code: number;
  readonly reason: string;
}

export interface Adoption {
  /** The incarnation this one replaced: the peer restarted. */
  readonly restartedFrom: string | null;
  readonly retire: readonly Retirement[];
}

/**
 * Of two authenticated connections to one peer, which one both ends keep, decided without
 * talking: the one the lower node id dialed. When the same side dialed both, neither end
 * can tell from direction alone; 'same-dialer' leaves it to PeerLink.adopt, which keeps the
 * connection in use until it goes silent.
 */
export function preferredConnection<C extends { dialedBy(selfId: string): string | null }>(
  selfId: string,
  peerId: string,
  current: C,
  candidate: C,
): 'current' | 'candidate' | 'same-dialer' {
  const lower = selfId < peerId ? selfId : peerId;
  const currentPreferred = current.dialedBy(selfId) === lower;
  const candidatePreferred = candidate.dialedBy(selfId) === lower;
  if (currentPreferred === candidatePreferred) return 'same-dialer';
  return currentPreferred ? 'current' : 'candidate';
}

/** What closing a connection did to the link. */
export type Detached = 'not-active' | 'handed-over' | 'lost-active';

export class PeerLink {
  #active: Session | null = null;
  #standby: Session | null = null;
  /** Every open connection attributed to this peer, authenticated or not. */
  readonly #sessions = new Set<Session>();
  #dialing: Session | null = null;
  #dialTimer: TimerHandle | null = null;
  #up = false;
  #awaitingHandover = false;
  #lastHeartbeatAtMs: number | null = null;
  #incarnation: string | null = null;
  /** Highest seq passed on to listeners for this incarnation, over all connections. */
  #lastSeq = -1;
  /** The peer's sentAtMs in its latest heartbeat, and when we got it: echoed for its RTT. */
  #echoSentAtMs = 0;
  #echoReceivedAtMs = 0;
  #linkUpAtMs = 0;
  readonly #rtt = new RttEstimator();
  #backoff: ReconnectBackoff;
  #address: string;
  #hostPort: HostPort;
  /** Fires at downAfterMs of silence: the peer is down. */
  readonly #silence: SilenceWatch;
  /** Fires at cutSilentAfterMs without a heartbeat on a connection: redial. */
  readonly #longSilence: SilenceWatch;
  #lastStreamAtMs: number | null = null;
  /** The last authentic datagram of the followed incarnation, news or not. */
  #lastDatagramAtMs: number | null = null;
  #datagramAddressing: DatagramAddressing | null = null;
  /** Armed when the connection in use closed while datagrams flowed (confirmClosed)... */
  #closeConfirm: TimerHandle | null = null;
  /** ...and the decision it defers past the event loop's poll phase. */
  #closeDecision: TimerHandle | null = null;

  constructor(
    readonly id: string,
    address: string,
    hostPort: HostPort,
    timing: LinkTiming,
    on: { silent(link: PeerLink): void; longSilent(link: PeerLink): void },
    /** Epoch milliseconds, like every atMs the link is given. */
    private readonly clock: Clock,
  ) {
    this.#address = address;
    this.#hostPort = hostPort;
    this.#backoff = new ReconnectBackoff(timing.reconnectMinDelayMs, timing.reconnectMaxDelayMs);
    this.#silence = new SilenceWatch(
      timing.downAfterMs,
      () => {
        on.silent(this);
      },
      clock,
    );
    this.#longSilence = new SilenceWatch(
      timing.cutSilentAfterMs,
      () => {
        on.longSilent(this);
      },
      clock,
    );
  }

  /** host:port as configured. */
  get address(): string {
    return this.#address;
  }

  /** Where dials go. */
  get hostPort(): HostPort {
    return this.#hostPort;
  }

  /**
   * A reload changed the interval or the down multiplier: the deadlines count from the last
   * heartbeat as before, only their length changes (no peer is reported down for it).
   */
  retime(timing: LinkTiming): void {
    this.#backoff = new ReconnectBackoff(timing.reconnectMinDelayMs, timing.reconnectMaxDelayMs);
    this.#silence.retime(timing.downAfterMs);
    this.#longSilence.retime(timing.cutSilentAfterMs);
  }

  /** A reload moved the peer: following dials go to the new address (the caller redials). */
  readdress(address: string, hostPort: HostPort): void {
    this.#address = address;
    this.#hostPort = hostPort;
  }

  /** The authenticated connection heartbeats go out on. */
  get active(): Session | null {
    return this.#active;
  }

  /**
   * A newer authenticated connection dialed by the same side as `active`, while `active`
   * is still in use. Heartbeats go out on both; it takes over once `active` goes silent or
   * closes (see adopt). At most one.
   */
  get standby(): Session | null {
    return this.#standby;
  }

  /** Our outgoing connection attempt, until it authenticates or fails. */
  get dialing(): Session | null {
    return this.#dialing;
  }

  get up(): boolean {
    return this.#up;
  }

  /**
   * The far end closed our active connection as a duplicate: it says it moved to another
   * connection, which has not proven itself here yet. No 'closed' is reported; if no
   * connection authenticates, the silence watch reports the peer 'silent' as usual.
   */
  get awaitingHandover(): boolean {
    return this.#awaitingHandover;
  }

  get lastHeartbeatAtMs(): number | null {
    return this.#lastHeartbeatAtMs;
  }

  /** The peer's incarnation the link follows. */
  get incarnation(): string | null {
    return this.#incarnation;
  }

  /** Whether this connection is one of the link's. */
  owns(session: Session): boolean {
    return this.#sessions.has(session);
  }

  /** Every open connection attributed to this peer, authenticated or not. */
  connections(): readonly Session[] {
    return [...this.#sessions];
  }

  /** Our dial to the peer is under way on `session`. */
  dialed(session: Session): void {
    this.#dialing = session;
    this.#sessions.add(session);
  }

  /** An inbound connection's hello named this peer: it is the peer's until it closes. */
  claim(session: Session): void {
    this.#sessions.add(session);
  }

  get dialPending(): boolean {
    return this.#dialTimer !== null;
  }

  /** Dial again after delayMs (0: at the next timer turn); replaces any dial pending. */
  scheduleDial(delayMs: number, dial: () => void): void {
    this.cancelDial();
    this.#dialTimer = this.clock.setTimeout(() => {
      this.#dialTimer = null;
      dial();
    }, delayMs);
  }

  cancelDial(): void {
    if (this.#dialTimer !== null) this.clock.clearTimeout(this.#dialTimer);
    this.#dialTimer = null;
  }

  /** Delay before the next dial of a peer that keeps failing; `reset` starts over first. */
  redialDelayMs(reset: boolean): number {
    if (reset) this.#backoff.reset();
    return reset ? 0 : this.#backoff.nextDelayMs();
  }

  /** The link has been up on one connection for at least minMs: it was healthy. */
  stableAt(nowMs: number, minMs: number): boolean {
    return nowMs - this.#linkUpAtMs >= minMs;
  }

  /** A connection became the active one at nowMs. */
  connectedAt(nowMs: number): void {
    this.#linkUpAtMs = nowMs;
  }

  /**
   * A heartbeat arrived; returns true if the peer was down until now. Either path keeps the
   * peer up; only the stream's keep its connection from being cut as useless.
   */
  heard(atMs: number, echoSentAtMs: number, echoHeldMs: number, path: HeartbeatPath): boolean {
    if (echoSentAtMs > 0) this.#rtt.addSample(atMs - echoSentAtMs - echoHeldMs);
    this.#lastHeartbeatAtMs = atMs;
    this.#silence.heard(atMs);
    if (path === 'stream') {
      this.#lastStreamAtMs = atMs;
      this.#longSilence.heard(atMs);
    } else {
      this.#lastDatagramAtMs = atMs;
    }
    const cameUp = !this.#up;
    this.#up = true;
    return cameUp;
  }

  /** An authentic datagram whose heartbeat the stream had delivered already. */
  datagramRepeated(atMs: number): void {
    this.#lastDatagramAtMs = atMs;
  }

  /** Whether a datagram of the peer arrived within the last `windowMs`. */
  datagramsFlowing(nowMs: number, windowMs: number): boolean {
    return this.#lastDatagramAtMs !== null && nowMs - this.#lastDatagramAtMs < windowMs;
  }

  /** Highest seq delivered for the followed incarnation (-1: none yet). */
  get lastSeq(): number {
    return this.#lastSeq;
  }

  /** How our datagrams to the peer are signed while no connection is in use. */
  get datagramAddressing(): DatagramAddressing | null {
    return this.#datagramAddressing;
  }

  /** A heartbeat went out on the connection in use: later datagram-only ones sign alike. */
  addressedBy(role: ConnectionRole, nonce: string): void {
    if (this.#datagramAddressing?.nonce === nonce && this.#datagramAddressing.role === role) return;
    this.#datagramAddressing = { role, nonce };
  }

  /**
   * The connection in use closed while the peer's datagrams were arriving: a crashed process
   * stops both, a stalled or cut connection only the stream. `gone` runs after `delayMs`
   * unless a heartbeat arrived after `closedAtMs` (the peer lives) or a connection took over.
   * Decided after the event loop's poll phase, as the silence watch does: a stall of this
   * process must not pass for the peer's silence while its datagrams wait unread.
   */
  confirmClosed(closedAtMs: number, delayMs: number, gone: () => void): void {
    if (this.#closeConfirm !== null || this.#closeDecision !== null) return;
    const decide = (): void => {
      this.#closeDecision = null;
      const heardSince = (this.#lastHeartbeatAtMs ?? 0) > closedAtMs;
      if (this.#up && this.#active === null && !heardSince) gone();
    };
    this.#closeConfirm = this.clock.setTimeout(() => {
      this.#closeConfirm = null;
      this.#closeDecision = this.clock.defer(decide);
    }, delayMs);
  }

  /** A close is being confirmed (confirmClosed): no heartbeat or connection settled it yet. */
  get confirmingClose(): boolean {
    return this.#closeConfirm !== null || this.#closeDecision !== null;
  }

  private cancelCloseConfirm(): void {
    if (this.#closeConfirm !== null) this.clock.clearTimeout(this.#closeConfirm);
    if (this.#closeDecision !== null) this.clock.cancelDefer(this.#closeDecision);
    this.#closeConfirm = null;
    this.#closeDecision = null;
  }

  /**
   * A heartbeat of this incarnation was heard: whether it is news. While a duplicate
   * connection is being retired, heartbeats can arrive on two connections out of order;
   * consumers see strictly increasing seqs per incarnation, never an older state.
   */
  isNews(seq: number, sentAtMs: number, atMs: number): boolean {
    if (seq <= this.#lastSeq) return false;
    this.#lastSeq = seq;
    this.#echoSentAtMs = sentAtMs;
    this.#echoReceivedAtMs = atMs;
    return true;
  }

  /** The timestamps our next heartbeat echoes back for the peer's RTT. */
  echoAt(nowMs: number): { readonly echoSentAtMs: number; readonly echoHeldMs: number } {
    const echoSentAtMs = this.#echoSentAtMs;
    return {
      echoSentAtMs,
      echoHeldMs: echoSentAtMs > 0 ? Math.max(0, nowMs - this.#echoReceivedAtMs) : 0,
    };
  }

  /** The mesh's interval tick: lets the silence watches arm a timer near their deadline. */
  tick(atMs: number, horizonMs: number): void {
    this.#silence.tick(atMs, horizonMs);
    this.#longSilence.tick(atMs, horizonMs);
  }

  /**
   * The peer is down. Silent: only the down watch stops, and the long-silence one may still
   * cut the connection. Otherwise both stop.
   */
  markDown(reason: 'silent' | 'closed'): void {
    this.#up = false;
    this.#awaitingHandover = false;
    if (reason === 'silent') this.#silence.cancel();
    else this.quiet();
  }

  /** The mesh is stopping: no dial, no watch, nothing up. */
  stop(): void {
    this.cancelDial();
    this.quiet();
    this.#up = false;
  }

  /** The far end closed the active connection as a duplicate: wait for its replacement. */
  expectHandover(): void {
    this.#awaitingHandover = true;
  }

  private quiet(): void {
    this.cancelCloseConfirm();
    this.#silence.cancel();
    this.#longSilence.cancel();
  }

  /**
   * Take a connection that just authenticated with `incarnation`. A new incarnation retires
   * the connections of the old one (that process is gone). Otherwise:
   * - the two were dialed by different sides: the lower node id's dial wins, on both ends
   *   (a dial race; both ends see the same two connections, so both must decide alike, and
   *   nothing as local as a late heartbeat may enter the decision);
   * - the same side dialed both: a link in use is never moved by the newer one alone. It
   *   replaces the active connection only if that one has been silent for `silentAfterMs`;
   *   otherwise it waits as standby until the active one goes silent or closes. (A genuine
   *   redial means the dialer has dropped the old connection, which then falls silent
   *   here within a couple of intervals; the dialer itself holds only the new one.)
   * Returns what to close.
   */
  adopt(
    session: Session,
    incarnation: string,
    selfId: string,
    nowMs: number,
    silentAfterMs: number,
  ): Adoption {
    if (this.#dialing === session) this.#dialing = null;
    const retire: Retirement[] = [];
    const previous = this.#incarnation;
    if (previous !== incarnation) {
      this.#incarnation = incarnation;
      this.#lastSeq = -1;
      this.#echoSentAtMs = 0;
      for (const other of this.#sessions) {
        if (other === session || !other.authenticated || other.retiring) continue;
        retire.push({ session: other, code: CLOSE_SUPERSEDED, reason: 'superseded' });
        if (this.#active === other) this.#active = null;
        if (this.#standby === other) this.#standby = null;
      }
    }
    const current = this.#active;
    const duplicate = (loser: Session): Retirement => ({
      session: loser,
      code: CLOSE_DUPLICATE,
      reason: 'duplicate link',
    });
    const preferred =
      current === null ? 'candidate' : preferredConnection(selfId, this.id, current, session);
    if (current === null) {
      this.#active = session;
    } else if (preferred === 'candidate') {
      this.#active = session;
      retire.push(duplicate(current));
    } else if (preferred === 'current') {
      retire.push(duplicate(session));
    } else if (current.silentAt(nowMs, silentAfterMs)) {
      this.#active = session;
      retire.push(duplicate(current));
    } else {
      if (this.#standby !== null) retire.push(duplicate(this.#standby));
      this.#standby = session;
    }
    if (this.#standby !== null && this.#active === session) {
      // The standby belonged to the connection just replaced.
      retire.push(duplicate(this.#standby));
      this.#standby = null;
    }
    if (this.#active === session) {
      this.#awaitingHandover = false;
      this.cancelCloseConfirm();
    }
    return {
      restartedFrom: previous !== null && previous !== incarnation ? previous : null,
      retire,
    };
  }

  /**
   * A heartbeat arrived on the standby: if the active connection has gone silent, the peer
   * has moved, so move too. Returns the connection to retire, if any.
   */
  promoteStandby(nowMs: number, silentAfterMs: number): Retirement | null {
    const { active, standby } = this;
    if (standby === null || active === null || !active.silentAt(nowMs, silentAfterMs)) {
      return null;
    }
    this.#active = standby;
    this.#standby = null;
    return { session: active, code: CLOSE_DUPLICATE, reason: 'duplicate link' };
  }

  /** The connections heartbeats go out on: the active one and a standby. */
  *outgoing(): Generator<Session> {
    if (this.#active !== null) yield this.#active;
    if (this.#standby !== null) yield this.#standby;
  }

  /** A connection closed: forget it; a standby takes over a closed active connection. */
  detach(session: Session): Detached {
    this.#sessions.delete(session);
    if (this.#dialing === session) this.#dialing = null;
    if (this.#standby === session) this.#standby = null;
    if (this.#active !== session) return 'not-active';
    this.#active = this.#standby;
    this.#standby = null;
    return this.#active === null ? 'lost-active' : 'handed-over';
  }

  /**
   * Forget every connection (a planned reconnect): no dial pending, the backoff starts over.
   * Returns them for the caller to cut.
   */
  detachAll(): Session[] {
    const all = [...this.#sessions];
    this.#sessions.clear();
    this.#active = null;
    this.#standby = null;
    this.#dialing = null;
    this.#awaitingHandover = false;
    this.cancelDial();
    this.#backoff.reset();
    return all;
  }

  /** Which paths delivered a heartbeat within the last `windowMs`. */
  path(nowMs: number, windowMs: number): PeerPath | null {
    const stream = this.#lastStreamAtMs !== null && nowMs - this.#lastStreamAtMs < windowMs;
    const datagram = this.datagramsFlowing(nowMs, windowMs);
    if (stream && datagram) return 'both';
    if (stream) return 'stream';
    return datagram ? 'datagram' : null;
  }

  status(pathWindowMs: number): PeerStatus {
    return {
      id: this.id,
      address: this.#address,
      up: this.#up,
      rttMs: this.#rtt.rttMs,
      jitterMs: this.#rtt.jitterMs,
      lastRttMs: this.#rtt.lastRttMs,
      lastHeartbeatAtMs: this.#lastHeartbeatAtMs,
      incarnation: this.#incarnation,
      direction: this.#active?.direction ?? null,
      path: this.path(this.clock.now(), pathWindowMs),
    };
  }
}
