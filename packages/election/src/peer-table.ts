// What this node knows of every other node: when it last heard it, what it last said about
// each group, and which nodes it says it hears. Liveness is judged here from heartbeat
// timestamps (down after downMultiplier x interval of silence, RFC 5798 §6.1
// Master_Down_Interval without the skew) and from the mesh's peer-lost events.
import type { GroupName, NodeId, PeerGroupState, PeerLostReason } from './types.js';

const NO_GROUPS: Readonly<Record<GroupName, PeerGroupState>> = Object.freeze({});

export class PeerView {
  incarnation: string | null = null;
  lastHeardMs: number | null = null;
  alive = false;
  /** Its quorum vote is within its lease (heard less than leaseMs ago). */
  leaseHeld = false;
  /** Why the peer was last declared down, for log details; null while alive. */
  lostReason: PeerLostReason | 'expired' | null = null;
  /** When it was heard again after having been down; null if it never went down. */
  returnedAtMs: number | null = null;
  /** When the latest stretch of hearing it without a break began (kept after it ends). */
  heardSinceMs: number | null = null;
  /**
   * Fell silent right after saying it could not hear this node: presumed alive, and master
   * if it claimed so, until then (see PeerTable.presumeIfDeaf). Kept after it passed, for
   * the detail of the claim that follows; null once heard again, or if never presumed.
   */
  presumedUntilMs: number | null = null;
  /** The groups of its latest heartbeat, as received (kept when it goes down). */
  groups: Readonly<Record<GroupName, PeerGroupState>> = NO_GROUPS;
  /**
   * Validated adverts for the groups this node holds, updated only when one changes: what
   * the election reads, so a steady heartbeat costs a compare per group and nothing more.
   */
  readonly adverts = new Map<GroupName, PeerGroupState>();
  /** Nodes it said it hears in its latest heartbeat; null when its heartbeat did not say. */
  hears: ReadonlySet<NodeId> | null = null;
  private hearsList: readonly NodeId[] | null = null;

  constructor(readonly id: NodeId) {}

  /** Replaces the hears list; true when it differs from the previous one. */
  setHears(list: readonly NodeId[] | undefined): boolean {
    const next = list ?? null;
    const previous = this.hearsList;
    if (next === previous) return false;
    if (next !== null && previous !== null && sameList(next, previous)) return false;
    this.hearsList = next;
    this.hears = next === null ? null : new Set(next);
    return true;
  }
}

function sameList(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export interface HeartbeatUpdate {
  readonly peer: PeerView;
  /** Its vote had lapsed (or it was never heard) and counts again. */
  readonly leaseRenewed: boolean;
  /** The groups record it replaced. */
  readonly previousGroups: Readonly<Record<GroupName, PeerGroupState>>;
  /** Dead (or never heard) before this heartbeat. */
  readonly cameAlive: boolean;
  readonly hearsChanged: boolean;
  /** A new incarnation: the peer process restarted and forgot everything. */
  readonly restarted: boolean;
}

export interface PeerTiming {
  /** downMultiplier x interval: silent this long, a peer is down. */
  readonly downAfterMs: number;
  /** A quorum vote counts this long after the voter's last heartbeat. */
  readonly leaseMs: number;
  /** How long a peer that fell silent while deaf to this node is presumed alive; 0: never. */
  readonly oneWayHoldMs: number;
}

export class PeerTable {
  private readonly byId = new Map<NodeId, PeerView>();
  private aliveIdsCache: readonly NodeId[] | null = null;
  /** Presumptions that have not run out yet. */
  private readonly presumedPeers = new Set<PeerView>();

  constructor(
    readonly selfId: NodeId,
    peerIds: readonly NodeId[],
    private timing: PeerTiming,
  ) {
    for (const id of peerIds) this.byId.set(id, new PeerView(id));
  }

  private get downAfterMs(): number {
    return this.timing.downAfterMs;
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: NodeId): PeerView | undefined {
    return this.byId.get(id);
  }

  all(): IterableIterator<PeerView> {
    return this.byId.values();
  }

  /** Adopt a reloaded peer list and timing; returns true when liveness of anyone changed. */
  reconfigure(peerIds: readonly NodeId[], timing: PeerTiming): boolean {
    this.timing = timing;
    let changed = false;
    const wanted = new Set(peerIds);
    for (const id of [...this.byId.keys()]) {
      const peer = this.byId.get(id);
      if (peer !== undefined && !wanted.has(id)) {
        if (peer.alive) changed = true;
        this.presumedPeers.delete(peer);
        this.byId.delete(id);
      }
    }
    for (const id of peerIds) if (!this.byId.has(id)) this.byId.set(id, new PeerView(id));
    this.aliveIdsCache = null;
    return changed;
  }

  /** Records a heartbeat; undefined when it is not from a configured peer. */
  heartbeat(
    from: NodeId,
    incarnation: string,
    groups: Readonly<Record<GroupName, PeerGroupState>>,
    hears: readonly NodeId[] | undefined,
    nowMs: number,
  ): HeartbeatUpdate | undefined {
    const peer = this.byId.get(from);
    if (peer === undefined) return undefined;
    const restarted = peer.incarnation !== null && peer.incarnation !== incarnation;
    const cameAlive = !peer.alive;
    if (cameAlive && peer.lastHeardMs !== null) peer.returnedAtMs = nowMs;
    if (cameAlive) peer.heardSinceMs = nowMs;
    const leaseRenewed = !peer.leaseHeld;
    peer.leaseHeld = true;
    const previousGroups = peer.groups;
    peer.incarnation = incarnation;
    peer.lastHeardMs = nowMs;
    peer.alive = true;
    peer.lostReason = null;
    peer.presumedUntilMs = null;
    this.presumedPeers.delete(peer);
    peer.groups = groups;
    const hearsChanged = peer.setHears(hears);
    if (cameAlive) this.aliveIdsCache = null;
    return { peer, leaseRenewed, previousGroups, cameAlive, hearsChanged, restarted };
  }

  /**
   * The mesh says the peer is gone. True when it was alive and now counts as down. A closed
   * connection is taken as the peer's process gone (its kernel closed the socket) only if
   * the peer is plainly up on it; otherwise the close is most likely the far end cutting a
   * connection it judged silent, and the peer is left to expire like any silent one.
   */
  lose(id: NodeId, reason: PeerLostReason, nowMs: number): boolean {
    const peer = this.byId.get(id);
    if (peer?.alive !== true) return false;
    if (reason === 'closed' && this.closeMayBeACut(peer, nowMs)) return false;
    peer.alive = false;
    peer.leaseHeld = false;
    peer.lostReason = reason;
    this.presumeIfDeaf(peer);
    this.aliveIdsCache = null;
    return true;
  }

  /**
   * A close that says nothing of the peer's process: its latest heartbeat says it does not
   * hear this node (so it may cut our connection as silent any moment), or it came back
   * from silence less than downAfterMs ago (what arrived since is TCP's backlog from before
   * the outage, resent when the path healed, and the cut may follow it).
   */
  private closeMayBeACut(peer: PeerView, nowMs: number): boolean {
    if (peer.hears !== null && !peer.hears.has(this.selfId)) return true;
    return peer.returnedAtMs !== null && nowMs < peer.returnedAtMs + this.downAfterMs;
  }

  /** Declares dead every peer silent for downAfterMs. Returns those that just died. */
  expire(nowMs: number): PeerView[] {
    const died: PeerView[] = [];
    for (const peer of this.byId.values()) {
      if (peer.alive && peer.lastHeardMs !== null && nowMs >= peer.lastHeardMs + this.downAfterMs) {
        peer.alive = false;
        peer.leaseHeld = false;
        peer.lostReason = 'expired';
        this.presumeIfDeaf(peer);
        died.push(peer);
      }
    }
    if (died.length > 0) this.aliveIdsCache = null;
    return died;
  }

  /** Marks the votes whose lease ran out; true when any did (quorum must be re-checked). */
  expireLeases(nowMs: number): boolean {
    let lapsed = false;
    for (const peer of this.byId.values()) {
      if (
        peer.leaseHeld &&
        peer.lastHeardMs !== null &&
        nowMs >= peer.lastHeardMs + this.timing.leaseMs
      ) {
        peer.leaseHeld = false;
        lapsed = true;
      }
    }
    return lapsed;
  }

  /** When the next vote lapses, if nothing arrives from its peer first. */
  nextLeaseLapseMs(): number | null {
    let next: number | null = null;
    for (const peer of this.byId.values()) {
      if (!peer.leaseHeld || peer.lastHeardMs === null) continue;
      const at = peer.lastHeardMs + this.timing.leaseMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** When the next live peer falls silent for good, if nothing arrives from it first. */
  nextExpiryMs(): number | null {
    let next: number | null = null;
    for (const peer of this.byId.values()) {
      if (!peer.alive || peer.lastHeardMs === null) continue;
      const at = peer.lastHeardMs + this.downAfterMs;
      if (next === null || at < next) next = at;
    }
    return next;
  }

  /** Sorted ids of the peers heard now: what this node advertises as `hears`. */
  aliveIds(): readonly NodeId[] {
    if (this.aliveIdsCache === null) {
      const ids: NodeId[] = [];
      for (const peer of this.byId.values()) if (peer.alive) ids.push(peer.id);
      ids.sort();
      this.aliveIdsCache = Object.freeze(ids);
    }
    return this.aliveIdsCache;
  }

  /**
   * Quorum guard votes for this node: itself plus every live peer that hears it. A peer
   * whose heartbeat does not say whom it hears counts on hearing alone (older mesh).
   */
  votes(): number {
    let votes = 1;
    for (const peer of this.byId.values()) {
      if (peer.alive && (peer.hears === null || peer.hears.has(this.selfId))) votes++;
    }
    return votes;
  }

  /**
   * From when the peer counts as unable to hear this node (one-way loss): it is heard now,
   * its latest heartbeat leaves this node out of its `hears`, and it has been heard for
   * downAfterMs, time enough to have heard us back had our heartbeats reached it (a peer
   * that hears us says so in its next heartbeat: hearing a peer again sends one at once).
   * The wait keeps a healed link, where the first heartbeats still predate hearing us,
   * from passing for a one-way cut. Null when it hears us, does not say (older mesh), or
   * is not heard.
   */
  deafToSelfFromMs(peer: PeerView): number | null {
    if (!peer.alive || peer.heardSinceMs === null || peer.hears === null) return null;
    if (peer.hears.has(this.selfId)) return null;
    return peer.heardSinceMs + this.downAfterMs;
  }

  /**
   * A peer that said it could not hear this node, then fell silent, is most likely alive
   * behind the same one-way cut: a TCP connection needs both directions (our ACKs are
   * lost), so the mesh stops delivering its heartbeats a moment after the cut began. It
   * stays presumed alive for oneWayHoldMs after it was last heard, unless heard again
   * (README, "One-way cuts").
   */
  private presumeIfDeaf(peer: PeerView): void {
    const last = peer.lastHeardMs;
    const deaf =
      last !== null &&
      peer.heardSinceMs !== null &&
      peer.hears !== null &&
      !peer.hears.has(this.selfId) &&
      last >= peer.heardSinceMs + this.downAfterMs;
    if (!deaf || this.timing.oneWayHoldMs <= 0) return;
    peer.presumedUntilMs = last + this.timing.oneWayHoldMs;
    this.presumedPeers.add(peer);
  }

  /**
   * No peer counts as alive, nor presumed so, as of the last step (presumptions that ran out
   * since are still counted: this errs toward a peer being live).
   */
  noneLive(): boolean {
    return this.aliveIds().length === 0 && this.presumedPeers.size === 0;
  }

  /** Presumed alive now (see presumeIfDeaf). */
  presumed(peer: PeerView, nowMs: number): boolean {
    return !peer.alive && peer.presumedUntilMs !== null && nowMs < peer.presumedUntilMs;
  }

  /** Ends the presumptions that ran out; true when any did (masters must be re-checked). */
  endPresumptions(nowMs: number): boolean {
    let ended = false;
    for (const peer of this.presumedPeers) {
      if (peer.presumedUntilMs === null || nowMs >= peer.presumedUntilMs) {
        this.presumedPeers.delete(peer);
        ended = true;
      }
    }
    return ended;
  }

  /** When the next presumption runs out, if the peer is not heard first. */
  nextPresumptionEndMs(): number | null {
    let next: number | null = null;
    for (const peer of this.presumedPeers) {
      const at = peer.presumedUntilMs;
      if (at !== null && (next === null || at < next)) next = at;
    }
    return next;
  }

  /** Some live peer (other than `id`) says it hears `id`. */
  vouchedFor(id: NodeId): boolean {
    for (const peer of this.byId.values()) {
      if (peer.id !== id && peer.alive && peer.hears?.has(id) === true) return true;
    }
    return false;
  }
}
