// The election state machine of one node: events in, actions out, nothing else. Time comes
// only from the events; the driver arms the timer each `arm-timer` asks for and feeds back a
// tick. Same config + same events = same actions, so the simulator can replay any run.
// It reads its sync groups and decides (through the state handlers); every change to them
// goes through sync-group-updates.ts.
import { assertValidElectionConfig, InvalidElectionConfigError } from './config.js';
import { judgeCommand, type CommandVerdict } from './operator-commands.js';
import { foldAdvert } from './peer-advert.js';
import { relayedGroups } from './relayed-groups.js';
import { PeerTable, type PeerTiming } from './peer-table.js';
import { regroup } from './regroup.js';
import { masterKnowledge } from './master-knowledge.js';
import { quorumDetail, STATE_HANDLERS, type ElectionContext } from './state-handlers.js';
import { configsBySyncGroup, MemberGroup, SyncGroup } from './sync-group.js';
import {
  enterState,
  holdAfterRelease,
  holdAsForced,
  learnMaster,
  markDirty,
  markTransitioned,
  noteAdvert,
  reclaimEpoch,
  reportTracker,
  settle,
  startListening,
  stopListening,
} from './sync-group-updates.js';
import type {
  ElectionAction,
  ElectionConfig,
  ElectionEvent,
  ElectionStatus,
  GroupName,
  GroupState,
  GroupStatus,
  NodeId,
  OperatorCommand,
  PeerGroupState,
  TransitionReason,
} from './types.js';
import { viewSyncGroup, type OwnClaim, type SyncGroupView } from './view.js';

/** A sync group settles in at most this many transitions per evaluation (e.g. FAULT->BACKUP->MASTER). */
const MAX_TRANSITIONS_PER_EVALUATION = 4;

/**
 * Without the quorum guard, a master that fell silent right after saying it could not hear
 * this node is presumed alive (behind a one-way cut) for this many down intervals: longer
 * than the one-way faults the chaos campaign injects (4 s at most, 13 down intervals at
 * 100 ms x 3), short enough that a master that really died meanwhile is replaced in seconds.
 */
const ONE_WAY_HOLD_DOWN_INTERVALS = 20;

export class Election {
  private config: ElectionConfig;
  readonly nodeId: NodeId;
  private intervalMs: number;
  private downAfterMs: number;
  private readonly peers: PeerTable;
  private syncGroups: readonly Readonly<SyncGroup>[] = [];
  private syncGroupByGroup = new Map<GroupName, Readonly<SyncGroup>>();
  private membersInOrder: readonly Readonly<MemberGroup>[] = [];

  private readonly startMs: number;
  private started = false;
  private nowMs: number;
  private peersNeverHeard: number;
  /** Peers not heard since this node's last stall (onStalled); null when none is pending. */
  private unheardSinceStall: Set<NodeId> | null = null;
  /**
   * Set by a stall, cleared by the next tick: until then no peer is declared dead and no
   * vote lapses on time (finish). Node runs a woken process's overdue timers (the stall
   * watch's among them) before it reads the sockets, so the heartbeats that arrived while it
   * was not running are still unread when the stall is stepped, and when the first of them
   * is; judging deadlines then took live peers for dead (masters logged quorum lost, "backed
   * by 1 of 3 voters", and dropped their VIPs for ~40 ms, issue #17). The driver defers
   * every tick past the I/O phase (setImmediate), so the tick sees what was queued.
   */
  private deadlinesHeldUntilTick = false;
  private maintenance = false;
  private resigned = false;
  private quorumEverHeld = false;

  /** Actions of the step in progress. */
  private out: ElectionAction[] = [];
  private everythingDirty = true;
  /** Some sync group was marked dirty since the last settle (saves scanning them all). */
  private someDirty = true;
  private hearingChanged = false;
  private advertChanged = false;
  private nextSyncGroupDeadlineMs: number | null = null;
  private armedAtMs: number | null = null;
  private localStateCache: Readonly<Record<GroupName, PeerGroupState>> | null = null;
  private readonly adverts = new Map<GroupName, PeerGroupState>();
  /** Groups peers advertise that this node does not hold: relayed so voters stay exclusive. */
  private observed = new Map<GroupName, PeerGroupState>();
  private observedDirty = false;
  private stepping = false;

  constructor(config: ElectionConfig, startMs: number) {
    assertValidElectionConfig(config);
    if (!Number.isFinite(startMs))
      throw new RangeError(`startMs must be a finite number, got ${startMs}`);
    this.config = config;
    this.nodeId = config.nodeId;
    this.intervalMs = config.heartbeatIntervalMs;
    this.downAfterMs = config.downMultiplier * config.heartbeatIntervalMs;
    this.peers = new PeerTable(config.nodeId, config.peers, this.peerTiming());
    this.peersNeverHeard = config.peers.length;
    this.startMs = startMs;
    this.nowMs = startMs;
    this.buildSyncGroups(config);
    for (const member of this.membersInOrder) this.adverts.set(member.name, this.advertFor(member));
  }

  /** Feed one event; returns what the driver must do, in order. */
  step(event: ElectionEvent): ElectionAction[] {
    if (this.stepping) throw new Error('Election.step is not re-entrant');
    if (!Number.isFinite(event.nowMs))
      throw new RangeError(`event ${event.type} has a non-finite nowMs: ${event.nowMs}`);
    this.stepping = true;
    try {
      this.begin(event.nowMs);
      this.dispatch(event);
      return this.finish();
    } finally {
      this.stepping = false;
    }
  }

  /** What this node says about each of its groups: the `groups` of every heartbeat. */
  localState(): Readonly<Record<GroupName, PeerGroupState>> {
    this.localStateCache ??= Object.freeze(
      Object.fromEntries([
        ...this.membersInOrder.map((m) => [m.name, this.adverts.get(m.name)]),
        ...this.observed,
      ]),
    ) as Readonly<Record<GroupName, PeerGroupState>>;
    return this.localStateCache;
  }

  /** The peers this node hears now: the `hears` of every heartbeat (for the quorum guard). */
  hearing(): readonly NodeId[] {
    return this.peers.aliveIds();
  }

  status(): ElectionStatus {
    const votes = this.peers.votes();
    const voters = this.peers.size + 1;
    return {
      nodeId: this.nodeId,
      maintenance: this.maintenance,
      quorum: {
        enabled: this.config.quorum,
        votersHeard: votes,
        voters,
        hasQuorum: votes >= majorityOf(voters),
      },
      peersAlive: [...this.peers.aliveIds()],
      groups: this.membersInOrder.map((member) => this.groupStatus(member)),
    };
  }

  /**
   * SIGHUP: adopt a new config. Groups whose settings did not change keep their state (no
   * transition); a removed group that was master steps down so its addresses are dropped.
   */
  reconfigure(config: ElectionConfig, nowMs: number): ElectionAction[] {
    assertValidElectionConfig(config);
    if (config.nodeId !== this.nodeId)
      throw new InvalidElectionConfigError([
        {
          code: 'IMMUTABLE',
          path: 'nodeId',
          message: `cannot change from ${this.nodeId} to ${config.nodeId} on reload; restart the node`,
        },
      ]);
    if (this.stepping) throw new Error('Election.reconfigure called from inside step');
    this.stepping = true;
    try {
      this.begin(nowMs);
      this.config = config;
      this.intervalMs = config.heartbeatIntervalMs;
      this.downAfterMs = config.downMultiplier * config.heartbeatIntervalMs;
      this.peers.reconfigure(config.peers, this.peerTiming());
      this.hearingChanged = true;
      const previous = this.syncGroups;
      const result = regroup(previous, config.groups, {
        nodeId: this.nodeId,
        nowMs: this.nowMs,
        intervalMs: this.intervalMs,
      });
      for (const t of result.transitions)
        this.emitTransition(t.member, t.from, t.to, t.epoch, 'reconfigured', t.detail);
      this.installSyncGroups(result.syncGroups);
      for (const name of [...this.adverts.keys()])
        if (!this.syncGroupByGroup.has(name)) this.adverts.delete(name);
      this.localStateCache = null;
      this.advertChanged = true;
      this.everythingDirty = true;
      return this.finish();
    } finally {
      this.stepping = false;
    }
  }

  // ---- step plumbing ----

  private begin(eventNowMs: number): void {
    // The driver's clock is monotonic; a stale timestamp (events queued behind a tick) is
    // treated as "now", never as time going backwards.
    this.nowMs = Math.max(this.nowMs, eventNowMs);
    this.out = [];
    if (!this.started) this.start();
  }

  private start(): void {
    this.started = true;
    const alone = this.peers.size === 0;
    for (const syncGroup of this.syncGroups)
      startListening(
        syncGroup,
        alone ? this.startMs : this.startMs + this.downAfterMs,
        alone ? this.startMs : this.startMs + this.intervalMs,
        this.startMs,
        alone ? 'no peers configured' : 'no master heard since startup',
      );
    this.everythingDirty = true;
  }

  private dispatch(event: ElectionEvent): void {
    switch (event.type) {
      case 'tick':
        this.deadlinesHeldUntilTick = false;
        return;
      case 'heartbeat':
        this.onHeartbeat(event.from, event.incarnation, event.groups, event.hears);
        return;
      case 'peer-lost':
        if (this.peers.lose(event.peer, event.reason, this.nowMs)) this.onLivenessChange();
        return;
      case 'stalled':
        this.deadlinesHeldUntilTick = true;
        this.onStalled(event.stalledMs);
        return;
      case 'tracker':
        this.onTracker(event.trackerId, event.group, event.weightDelta, event.fault);
        return;
      case 'operator':
        this.onOperator(event.commandId, event.operator);
        return;
    }
  }

  /** Evaluate what changed, then say what to send and when to wake up. */
  private finish(): ElectionAction[] {
    if (!this.deadlinesHeldUntilTick) this.judgeSilence();
    if (this.peers.endPresumptions(this.nowMs)) this.everythingDirty = true;
    this.settle();
    if (this.observedDirty) this.refreshObserved();
    if (this.advertChanged || this.hearingChanged) this.out.push({ type: 'send-state' });
    this.advertChanged = false;
    this.hearingChanged = false;
    this.armTimer();
    return this.out;
  }

  /** Peers silent for downAfterMs die; votes whose lease ran out stop counting. */
  private judgeSilence(): void {
    const died = this.peers.expire(this.nowMs);
    if (died.length > 0) this.onLivenessChange();
    // Votes are checked when a lease actually lapses, not on every renewal (README, quorum).
    if (this.peers.expireLeases(this.nowMs) && this.config.quorum) this.everythingDirty = true;
  }

  private onLivenessChange(): void {
    this.hearingChanged = true;
    this.everythingDirty = true;
    this.observedDirty = true;
  }

  private onHeartbeat(
    from: NodeId,
    incarnation: string,
    groups: Readonly<Record<GroupName, PeerGroupState>>,
    hears: readonly NodeId[] | undefined,
  ): void {
    // The mesh decoded this from the network: never trust its shape.
    const untrusted: unknown = groups;
    if (from === this.nodeId || typeof untrusted !== 'object' || untrusted === null) return;
    const wasNeverHeard = this.peers.get(from)?.lastHeardMs === null;
    const update = this.peers.heartbeat(from, incarnation, groups, hears, this.nowMs);
    if (update === undefined) return;
    if (wasNeverHeard) this.onFirstHeard();
    if (this.unheardSinceStall?.delete(from) === true) this.onHeardSinceStall();
    if (update.cameAlive || update.restarted) this.onLivenessChange();
    // A vote that counts again can give a backup the quorum it was waiting for.
    if (update.leaseRenewed && this.config.quorum) this.everythingDirty = true;
    if (update.hearsChanged) this.everythingDirty = true;
    if (update.previousGroups === groups) return;
    this.foldHeartbeatGroups(update.peer.adverts, groups, from);
  }

  /**
   * One pass over the heartbeat's entries: each group this node holds is folded into the
   * peer's validated adverts (marking its sync group dirty only on a real change); an
   * unknown name means there is something to relay; a group the peer stopped advertising
   * counts as changed too.
   */
  private foldHeartbeatGroups(
    adverts: Map<GroupName, PeerGroupState>,
    groups: Readonly<Record<GroupName, PeerGroupState>>,
    from: NodeId,
  ): void {
    let known = 0;
    let unknown = false;
    for (const name in groups) {
      const syncGroup = this.syncGroupByGroup.get(name);
      if (syncGroup === undefined) {
        unknown = true;
        continue;
      }
      const { advert, changed } = foldAdvert(adverts, name, groups[name]);
      // Only entries kept as adverts count: a malformed one was just deleted, and counting
      // it would hide a group the peer stopped advertising in the same heartbeat.
      if (advert !== undefined) known++;
      if (!changed) continue;
      noteAdvert(syncGroup, advert, from, this.nowMs);
      this.someDirty = true;
    }
    if (unknown || this.observed.size > 0) this.observedDirty = true;
    if (known === adverts.size) return;
    for (const name of [...adverts.keys()]) {
      if (Object.hasOwn(groups, name)) continue;
      adverts.delete(name);
      const syncGroup = this.syncGroupByGroup.get(name);
      if (syncGroup === undefined) continue;
      markDirty(syncGroup);
      this.someDirty = true;
    }
  }

  private refreshObserved(): void {
    this.observedDirty = false;
    const next = relayedGroups(
      this.peers,
      (name) => this.syncGroupByGroup.has(name),
      this.observed,
    );
    const changed =
      next.size !== this.observed.size ||
      [...next].some(([name, advert]) => this.observed.get(name) !== advert);
    this.observed = next;
    if (changed) {
      this.localStateCache = null;
      this.advertChanged = true;
    }
  }

  /** Once every peer has been heard, there is nothing left to listen for at startup. */
  private onFirstHeard(): void {
    this.peersNeverHeard--;
    if (this.peersNeverHeard > 0) return;
    for (const syncGroup of this.syncGroups) stopListening(syncGroup, this.nowMs);
    this.everythingDirty = true;
  }

  /**
   * A stall long enough that a peer may have declared this node dead: a peer waits
   * downAfterMs from our last heartbeat, which left at most one interval before the stall.
   * Every claim this node holds may now be the second one, so masters step down at once,
   * and no group claims again until every peer has been heard or downAfterMs has passed
   * (the startup listening window): heartbeats queued while it stalled must be read first.
   *
   * A master none of whose peers was alive when the stall began keeps its claims: the only
   * node that could have replaced it is one that (re)started during the stall, and that one
   * begins in its own listening window (downAfterMs, longer than the stall it overlaps only
   * if it started less than downAfterMs ago) and so has heard nothing from us yet — its
   * heartbeats, queued in our socket, are read on the first I/O turn after we wake, and the
   * normal rules judge them (a newer epoch claimed as master makes us yield). Stepping down
   * would only cost an outage for as long as it takes to claim again.
   */
  private onStalled(stalledMs: number): void {
    // Alone, nobody could have replaced it: stepping down would only cost an outage.
    if (this.peers.size === 0 || !Number.isFinite(stalledMs)) return;
    if (stalledMs + this.intervalMs < this.downAfterMs) return;
    // Before finish() expires anyone: alive here means alive when the stall began.
    const keepClaims = this.peers.noneLive();
    const detail =
      `this node stalled for ${Math.round(stalledMs)}ms, long enough for a peer to replace it ` +
      `(${this.downAfterMs}ms); listening until every peer is heard, at most ${this.downAfterMs}ms`;
    for (const syncGroup of this.syncGroups) {
      if (syncGroup.state === 'MASTER') {
        if (keepClaims) continue;
        this.transition(syncGroup, 'BACKUP', 'stalled', detail);
      }
      startListening(
        syncGroup,
        this.nowMs + this.downAfterMs,
        this.nowMs + this.intervalMs,
        this.nowMs,
        detail,
      );
    }
    this.unheardSinceStall = new Set([...this.peers.all()].map((peer) => peer.id));
    this.everythingDirty = true;
  }

  /** Every peer spoke since the stall: the view is fresh again, stop listening. */
  private onHeardSinceStall(): void {
    if (this.unheardSinceStall === null || this.unheardSinceStall.size > 0) return;
    this.unheardSinceStall = null;
    for (const syncGroup of this.syncGroups) stopListening(syncGroup, this.nowMs);
    this.everythingDirty = true;
  }

  private onTracker(
    trackerId: string,
    group: GroupName,
    weightDelta: number,
    fault: boolean,
  ): void {
    const syncGroup = this.syncGroupByGroup.get(group);
    const member = syncGroup?.members.find((m) => m.name === group);
    if (syncGroup === undefined || member === undefined || !Number.isFinite(weightDelta)) return;
    reportTracker(member, trackerId, { weightDelta, fault });
    markDirty(syncGroup);
    this.someDirty = true;
  }

  private onOperator(commandId: string, command: OperatorCommand): void {
    const syncGroup = 'group' in command ? this.syncGroupByGroup.get(command.group) : undefined;
    const context = this.context();
    this.rememberQuorum(context);
    const view = syncGroup === undefined ? undefined : this.view(syncGroup, true);
    const verdict = judgeCommand(command, {
      nodeId: this.nodeId,
      syncGroup,
      maintenance: this.maintenance,
      resigned: this.resigned,
      quorumEnabled: this.config.quorum,
      hasQuorum: view === undefined || view.votes >= context.majority,
      quorumDetail: view === undefined ? '' : quorumDetail(view, context),
      otherCandidates: view?.candidates.filter((c) => c.direct).length ?? 0,
    });
    const message = this.applyCommand(verdict, command, syncGroup);
    this.out.push(
      verdict.ok
        ? { type: 'command-result', commandId, ok: true, message }
        : { type: 'command-result', commandId, ok: false, code: verdict.code, message },
    );
  }

  /** Applies an accepted command's effect; returns the message for the command result. */
  private applyCommand(
    verdict: CommandVerdict,
    command: OperatorCommand,
    syncGroup: Readonly<SyncGroup> | undefined,
  ): string {
    if (!verdict.ok) return verdict.message;
    const group = 'group' in command ? command.group : undefined;
    const triggers = group === undefined ? undefined : new Set([group]);
    switch (verdict.effect) {
      case 'takeover':
        if (syncGroup === undefined) return verdict.message;
        this.transition(
          syncGroup,
          'MASTER',
          'forced-takeover',
          'operator takeover: a new epoch every node accepts',
          triggers,
        );
        holdAsForced(syncGroup);
        this.someDirty = true;
        return `${verdict.message}: master of ${syncGroup.memberNames()} at epoch ${syncGroup.epoch}, held until released`;
      case 'hold-as-master':
        if (syncGroup === undefined) return verdict.message;
        holdAsForced(syncGroup);
        this.someDirty = true;
        return `${verdict.message} (epoch ${syncGroup.epoch}); now held until released`;
      case 'release':
        if (syncGroup === undefined) return verdict.message;
        this.transition(
          syncGroup,
          'BACKUP',
          'released',
          'operator release: handing over to the best other node',
          triggers,
        );
        holdAfterRelease(syncGroup, this.nowMs + this.downAfterMs);
        this.someDirty = true;
        return `${verdict.message}: advertising priority 0 for ${syncGroup.memberNames()} until another node takes over`;
      case 'maintenance-on':
      case 'maintenance-off':
        this.maintenance = verdict.effect === 'maintenance-on';
        this.everythingDirty = true;
        return verdict.message;
      case 'resign':
        this.resigned = true;
        this.everythingDirty = true;
        return verdict.message;
      case 'none':
        return verdict.message;
    }
  }

  // ---- evaluation ----

  /** What every handler reads in one pass; a pure read of the node's state. */
  private context(): ElectionContext {
    const voters = this.peers.size + 1;
    return {
      nodeId: this.nodeId,
      nowMs: this.nowMs,
      intervalMs: this.intervalMs,
      downAfterMs: this.downAfterMs,
      quorumEnabled: this.config.quorum,
      voters,
      majority: majorityOf(voters),
      quorumEverHeld: this.quorumEverHeld,
      maintenance: this.maintenance,
      resigned: this.resigned,
      peers: this.peers,
    };
  }

  /**
   * Records that this node has held a majority, once it does. Called right after a pass's
   * context is taken, so that pass still sees the value from before it: a node that has
   * never held quorum reports "waiting for peers", not "lost quorum".
   */
  private rememberQuorum(context: ElectionContext): void {
    if (this.peers.votes() >= context.majority) this.quorumEverHeld = true;
  }

  /** How long a quorum vote lasts after its heartbeat: half an interval short of downAfterMs. */
  private leaseMs(): number {
    return this.downAfterMs - this.intervalMs / 2;
  }

  private peerTiming(): PeerTiming {
    return {
      downAfterMs: this.downAfterMs,
      leaseMs: this.leaseMs(),
      // The quorum guard fences a master cut off one way by itself; presuming it alive
      // would only leave the group without a master (README, "One-way cuts").
      oneWayHoldMs: this.config.quorum ? 0 : ONE_WAY_HOLD_DOWN_INTERVALS * this.downAfterMs,
    };
  }

  /** What the peers say about the sync group, with this node's (prospective) claim. */
  private view(syncGroup: Readonly<SyncGroup>, withVotes = false): SyncGroupView {
    const master = syncGroup.state === 'MASTER';
    const self: OwnClaim = {
      nodeId: this.nodeId,
      claim: master
        ? {
            epoch: syncGroup.epoch,
            priority: syncGroup.advertisedSyncGroupPriority(this.resigned),
            nodeId: this.nodeId,
          }
        : {
            epoch: Math.max(syncGroup.epoch, syncGroup.maxSeenEpoch) + 1,
            priority: syncGroup.weightedPriority(),
            nodeId: this.nodeId,
          },
      // The same lease to claim as to stay master, or a fresh master would fence at once.
      lease: { nowMs: this.nowMs, windowMs: this.leaseMs() },
      handoverUntilMs:
        master && syncGroup.claimedAtMs !== null
          ? syncGroup.claimedAtMs + this.leaseMs()
          : Number.POSITIVE_INFINITY,
    };
    return viewSyncGroup(syncGroup, this.peers, self, this.config.quorum || withVotes);
  }

  private settle(): void {
    const due = this.nextSyncGroupDeadlineMs !== null && this.nowMs >= this.nextSyncGroupDeadlineMs;
    if (!due && !this.everythingDirty && !this.someDirty) return;
    this.someDirty = false;
    let evaluated = false;
    let context: ElectionContext | null = null;
    for (const syncGroup of this.syncGroups) {
      const expired = due && syncGroup.deadlineMs !== null && this.nowMs >= syncGroup.deadlineMs;
      if (!this.everythingDirty && !syncGroup.dirty && !expired) continue;
      if (context === null) {
        context = this.context();
        this.rememberQuorum(context);
      }
      this.evaluate(syncGroup, context);
      evaluated = true;
    }
    this.everythingDirty = false;
    if (evaluated)
      this.nextSyncGroupDeadlineMs = earliest(this.syncGroups.map((sg) => sg.deadlineMs));
  }

  private evaluate(syncGroup: Readonly<SyncGroup>, ctx: ElectionContext): void {
    for (let round = 0; round <= MAX_TRANSITIONS_PER_EVALUATION; round++) {
      const view = this.view(syncGroup);
      learnMaster(syncGroup, masterKnowledge(syncGroup, view, ctx), this.nodeId, this.nowMs);
      const decision = STATE_HANDLERS[syncGroup.state](syncGroup, view, ctx);
      if (decision.kind === 'stay') {
        settle(syncGroup, decision);
        this.refreshAdverts(syncGroup);
        return;
      }
      if (decision.kind === 'reclaim') {
        reclaimEpoch(syncGroup, this.nodeId, this.nowMs);
      } else {
        this.transition(
          syncGroup,
          decision.to,
          decision.reason,
          decision.detail,
          decision.triggers,
        );
      }
    }
    throw new Error(
      `election did not settle for ${syncGroup.memberNames()} after ${MAX_TRANSITIONS_PER_EVALUATION} transitions (state ${syncGroup.state})`,
    );
  }

  private transition(
    syncGroup: Readonly<SyncGroup>,
    to: GroupState,
    reason: TransitionReason,
    detail: string,
    triggers?: ReadonlySet<GroupName>,
  ): void {
    const from = enterState(syncGroup, to, reason, {
      nodeId: this.nodeId,
      nowMs: this.nowMs,
      intervalMs: this.intervalMs,
      downAfterMs: this.downAfterMs,
      everyPeerHeard: this.peers.aliveIds().length === this.peers.size,
    });
    this.someDirty = true;
    const cause = triggers === undefined ? '' : [...triggers].join(', ');
    for (const member of syncGroup.members) {
      const own = triggers === undefined || triggers.has(member.name);
      this.emitTransition(
        member,
        from,
        to,
        syncGroup.epoch,
        own ? reason : 'sync-group',
        own ? detail : `with ${cause} in its sync group: ${detail}`,
      );
    }
  }

  private emitTransition(
    member: Readonly<MemberGroup>,
    from: GroupState,
    to: GroupState,
    epoch: number,
    reason: TransitionReason,
    detail: string,
  ): void {
    markTransitioned(member, this.nowMs);
    this.out.push({ type: 'transition', group: member.name, from, to, epoch, reason, detail });
  }

  // ---- what goes out ----

  private advertFor(member: Readonly<MemberGroup>): PeerGroupState {
    const syncGroup = this.syncGroupByGroup.get(member.name);
    if (syncGroup === undefined) throw new Error(`group ${member.name} has no sync group`);
    return Object.freeze({
      priority: syncGroup.advertisedPriority(member, this.resigned),
      state: syncGroup.state,
      epoch: syncGroup.epoch,
      master: syncGroup.state === 'MASTER' ? this.nodeId : syncGroup.directMaster,
    });
  }

  private refreshAdverts(syncGroup: Readonly<SyncGroup>): void {
    const master = syncGroup.state === 'MASTER' ? this.nodeId : syncGroup.directMaster;
    for (const member of syncGroup.members) {
      const current = this.adverts.get(member.name);
      // Compare before building: most evaluations change nothing that is advertised.
      if (
        current?.state === syncGroup.state &&
        current.epoch === syncGroup.epoch &&
        current.master === master &&
        current.priority === syncGroup.advertisedPriority(member, this.resigned)
      )
        continue;
      this.adverts.set(member.name, this.advertFor(member));
      this.localStateCache = null;
      this.advertChanged = true;
    }
  }

  private armTimer(): void {
    const next = earliest([
      this.peers.nextExpiryMs(),
      this.config.quorum ? this.peers.nextLeaseLapseMs() : null,
      this.peers.nextPresumptionEndMs(),
      this.nextSyncGroupDeadlineMs,
    ]);
    if (next === null) return;
    if (this.armedAtMs === null || next < this.armedAtMs || this.armedAtMs <= this.nowMs) {
      this.armedAtMs = next;
      this.out.push({ type: 'arm-timer', atMs: next });
    }
  }

  private groupStatus(member: Readonly<MemberGroup>): GroupStatus {
    const syncGroup = this.syncGroupByGroup.get(member.name);
    if (syncGroup === undefined) throw new Error(`group ${member.name} has no sync group`);
    const advert = this.adverts.get(member.name) ?? this.advertFor(member);
    return {
      name: member.name,
      state: syncGroup.state,
      basePriority: member.config.priority,
      effectivePriority: advert.priority,
      weightedPriority: member.weighted(),
      forced: syncGroup.forced,
      epoch: syncGroup.epoch,
      master: syncGroup.master,
      lastTransitionAtMs: member.lastTransitionAtMs,
    };
  }

  // ---- structure ----

  private buildSyncGroups(config: ElectionConfig): void {
    const syncGroups = [...configsBySyncGroup(config.groups)].map(
      ([key, configs]) =>
        new SyncGroup(
          key,
          configs.map((group) => new MemberGroup(group)),
        ),
    );
    this.installSyncGroups(syncGroups);
  }

  private installSyncGroups(syncGroups: readonly Readonly<SyncGroup>[]): void {
    this.syncGroups = syncGroups;
    this.syncGroupByGroup = new Map();
    const byName = new Map<GroupName, Readonly<MemberGroup>>();
    for (const syncGroup of syncGroups) {
      markDirty(syncGroup);
      this.someDirty = true;
      for (const member of syncGroup.members) {
        this.syncGroupByGroup.set(member.name, syncGroup);
        byName.set(member.name, member);
      }
    }
    // Config order, so status() and localState() read like the config file.
    this.membersInOrder = this.config.groups.flatMap((g) => byName.get(g.name) ?? []);
  }
}

export function majorityOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

function earliest(times: readonly (number | null)[]): number | null {
  let min: number | null = null;
  for (const t of times) if (t !== null && (min === null || t < min)) min = t;
  return min;
}
