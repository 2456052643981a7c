// The election state machine of one node: events in, actions out, nothing else. Time comes
// only from the events; the driver arms the timer each `arm-timer` asks for and feeds back a
// tick. Same config + same events = same actions, so the simulator can replay any run.
import { assertValidElectionConfig, InvalidElectionConfigError } from './config.js';
import { judgeCommand, type CommandVerdict } from './operator-commands.js';
import { foldAdvert } from './peer-advert.js';
import { relayedGroups } from './relayed-groups.js';
import { PeerTable } from './peer-table.js';
import { regroup } from './regroup.js';
import {
  quorumDetail,
  STATE_HANDLERS,
  updateMasterKnowledge,
  type ElectionContext,
} from './state-handlers.js';
import { MemberGroup, SyncGroup, syncGroupKey } from './sync-group.js';
import { assertLegalTransition } from './transitions.js';
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

export class Election {
  private config: ElectionConfig;
  readonly nodeId: NodeId;
  private intervalMs: number;
  private downAfterMs: number;
  private readonly peers: PeerTable;
  private units: SyncGroup[] = [];
  private unitByGroup = new Map<GroupName, SyncGroup>();
  private membersInOrder: MemberGroup[] = [];

  private readonly startMs: number;
  private started = false;
  private nowMs: number;
  private peersNeverHeard: number;
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
  private nextUnitDeadlineMs: number | null = null;
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
    this.peers = new PeerTable(config.nodeId, config.peers, this.downAfterMs, this.leaseMs());
    this.peersNeverHeard = config.peers.length;
    this.startMs = startMs;
    this.nowMs = startMs;
    this.buildUnits(config);
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
      this.peers.reconfigure(config.peers, this.downAfterMs, this.leaseMs());
      this.hearingChanged = true;
      const previous = this.units;
      const result = regroup(previous, config.groups, {
        nodeId: this.nodeId,
        nowMs: this.nowMs,
        intervalMs: this.intervalMs,
      });
      for (const t of result.transitions)
        this.emitTransition(t.member, t.from, t.to, t.epoch, 'reconfigured', t.detail);
      this.installUnits(result.units);
      for (const name of [...this.adverts.keys()])
        if (!this.unitByGroup.has(name)) this.adverts.delete(name);
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
    for (const unit of this.units) {
      unit.listenUntilMs = alone ? this.startMs : this.startMs + this.downAfterMs;
      unit.ownerListenUntilMs = alone ? this.startMs : this.startMs + this.intervalMs;
      unit.masterDownAtMs = this.startMs;
      unit.masterDownReason = 'master-down';
      unit.masterDownDetail = alone ? 'no peers configured' : 'no master heard since startup';
    }
    this.everythingDirty = true;
  }

  private dispatch(event: ElectionEvent): void {
    switch (event.type) {
      case 'tick':
        return;
      case 'heartbeat':
        this.onHeartbeat(event.from, event.incarnation, event.groups, event.hears);
        return;
      case 'peer-lost':
        if (this.peers.lose(event.peer, event.reason, this.nowMs)) this.onLivenessChange();
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
    const died = this.peers.expire(this.nowMs);
    if (died.length > 0) this.onLivenessChange();
    // Votes are checked when a lease actually lapses, not on every renewal (README, quorum).
    if (this.peers.expireLeases(this.nowMs) && this.config.quorum) this.everythingDirty = true;
    this.settle();
    if (this.observedDirty) this.refreshObserved();
    if (this.advertChanged || this.hearingChanged) this.out.push({ type: 'send-state' });
    this.advertChanged = false;
    this.hearingChanged = false;
    this.armTimer();
    return this.out;
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
      const unit = this.unitByGroup.get(name);
      if (unit === undefined) {
        unknown = true;
        continue;
      }
      const { advert, changed } = foldAdvert(adverts, name, groups[name]);
      // Only entries kept as adverts count: a malformed one was just deleted, and counting
      // it would hide a group the peer stopped advertising in the same heartbeat.
      if (advert !== undefined) known++;
      if (!changed) continue;
      unit.dirty = true;
      this.someDirty = true;
      if (advert !== undefined && advert.epoch > unit.maxSeenEpoch) {
        unit.maxSeenEpoch = advert.epoch;
        unit.maxSeenEpochFrom = from;
        // A higher epoch from a node that is not master: someone out of our sight claimed.
        if (advert.state !== 'MASTER') unit.unseenClaimAtMs = this.nowMs;
      }
    }
    if (unknown || this.observed.size > 0) this.observedDirty = true;
    if (known === adverts.size) return;
    for (const name of [...adverts.keys()]) {
      if (Object.hasOwn(groups, name)) continue;
      adverts.delete(name);
      const unit = this.unitByGroup.get(name);
      if (unit === undefined) continue;
      unit.dirty = true;
      this.someDirty = true;
    }
  }

  private refreshObserved(): void {
    this.observedDirty = false;
    const next = relayedGroups(this.peers, (name) => this.unitByGroup.has(name), this.observed);
    const changed =
      next.size !== this.observed.size ||
      [...next].some(([name, advert]) => this.observed.get(name) !== advert);
    this.observed = next;
    if (changed) {
      this.localStateCache = null;
      this.advertChanged = true;
    }
  }

  /**
   * A fault (typically its own interface down) may have left this node deaf: the peers it
   * holds silent may be alive, one of them master. So, as at startup, a recovered group
   * listens `downAfterMs` before claiming, unless every peer is heard right now. Unlike at
   * startup, hearing a peer again does not end the wait: the first heartbeats after an
   * outage are TCP's backlog from before it (a backup following this node), not news.
   * Without it, a node whose link flaps reclaims at each recovery while the master it
   * cannot hear yet holds the VIPs.
   */
  private listenAfterFault(unit: SyncGroup): void {
    if (this.peers.aliveIds().length === this.peers.size) return;
    unit.listenUntilMs = Math.max(unit.listenUntilMs, this.nowMs + this.downAfterMs);
    unit.ownerListenUntilMs = Math.max(unit.ownerListenUntilMs, this.nowMs + this.intervalMs);
  }

  /** Once every peer has been heard, there is nothing left to listen for at startup. */
  private onFirstHeard(): void {
    this.peersNeverHeard--;
    if (this.peersNeverHeard > 0) return;
    for (const unit of this.units) {
      unit.listenUntilMs = Math.min(unit.listenUntilMs, this.nowMs);
      unit.ownerListenUntilMs = Math.min(unit.ownerListenUntilMs, this.nowMs);
    }
    this.everythingDirty = true;
  }

  private onTracker(
    trackerId: string,
    group: GroupName,
    weightDelta: number,
    fault: boolean,
  ): void {
    const unit = this.unitByGroup.get(group);
    const member = unit?.members.find((m) => m.name === group);
    if (unit === undefined || member === undefined || !Number.isFinite(weightDelta)) return;
    if (weightDelta === 0 && !fault) member.trackers.delete(trackerId);
    else member.trackers.set(trackerId, { weightDelta, fault });
    unit.dirty = true;
    this.someDirty = true;
  }

  private onOperator(commandId: string, command: OperatorCommand): void {
    const unit = 'group' in command ? this.unitByGroup.get(command.group) : undefined;
    const context = this.context();
    this.rememberQuorum(context);
    const view = unit === undefined ? undefined : this.view(unit, true);
    const verdict = judgeCommand(command, {
      nodeId: this.nodeId,
      unit,
      maintenance: this.maintenance,
      resigned: this.resigned,
      quorumEnabled: this.config.quorum,
      hasQuorum: view === undefined || view.votes >= context.majority,
      quorumDetail: view === undefined ? '' : quorumDetail(view, context),
      otherCandidates: view?.candidates.filter((c) => c.direct).length ?? 0,
    });
    const message = this.applyCommand(verdict, command, unit);
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
    unit: SyncGroup | undefined,
  ): string {
    if (!verdict.ok) return verdict.message;
    const group = 'group' in command ? command.group : undefined;
    const triggers = group === undefined ? undefined : new Set([group]);
    switch (verdict.effect) {
      case 'takeover':
        if (unit === undefined) return verdict.message;
        this.transition(
          unit,
          'MASTER',
          'forced-takeover',
          'operator takeover: a new epoch every node accepts',
          triggers,
        );
        unit.forced = true;
        unit.dirty = true;
        this.someDirty = true;
        return `${verdict.message}: master of ${unit.memberNames()} at epoch ${unit.epoch}, held until released`;
      case 'hold-as-master':
        if (unit === undefined) return verdict.message;
        unit.forced = true;
        unit.dirty = true;
        this.someDirty = true;
        return `${verdict.message} (epoch ${unit.epoch}); now held until released`;
      case 'release':
        if (unit === undefined) return verdict.message;
        this.transition(
          unit,
          'BACKUP',
          'released',
          'operator release: handing over to the best other node',
          triggers,
        );
        unit.releaseHoldUntilMs = this.nowMs + this.downAfterMs;
        unit.preemptSuppressed = true;
        unit.dirty = true;
        this.someDirty = true;
        return `${verdict.message}: advertising priority 0 for ${unit.memberNames()} until another node takes over`;
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

  /** What the peers say about the sync group, with this node's (prospective) claim. */
  private view(unit: SyncGroup, withVotes = false): SyncGroupView {
    const master = unit.state === 'MASTER';
    const self: OwnClaim = {
      nodeId: this.nodeId,
      claim: master
        ? {
            epoch: unit.epoch,
            priority: unit.advertisedUnitPriority(this.resigned),
            nodeId: this.nodeId,
          }
        : {
            epoch: Math.max(unit.epoch, unit.maxSeenEpoch) + 1,
            priority: unit.weightedPriority(),
            nodeId: this.nodeId,
          },
      // The same lease to claim as to stay master, or a fresh master would fence at once.
      lease: { nowMs: this.nowMs, windowMs: this.leaseMs() },
      handoverUntilMs:
        master && unit.claimedAtMs !== null
          ? unit.claimedAtMs + this.leaseMs()
          : Number.POSITIVE_INFINITY,
    };
    return viewSyncGroup(unit, this.peers, self, this.config.quorum || withVotes);
  }

  private settle(): void {
    const due = this.nextUnitDeadlineMs !== null && this.nowMs >= this.nextUnitDeadlineMs;
    if (!due && !this.everythingDirty && !this.someDirty) return;
    this.someDirty = false;
    let evaluated = false;
    let context: ElectionContext | null = null;
    for (const unit of this.units) {
      const expired = due && unit.deadlineMs !== null && this.nowMs >= unit.deadlineMs;
      if (!this.everythingDirty && !unit.dirty && !expired) continue;
      if (context === null) {
        context = this.context();
        this.rememberQuorum(context);
      }
      this.evaluate(unit, context);
      evaluated = true;
    }
    this.everythingDirty = false;
    if (evaluated) this.nextUnitDeadlineMs = earliest(this.units.map((u) => u.deadlineMs));
  }

  private evaluate(unit: SyncGroup, ctx: ElectionContext): void {
    for (let round = 0; round <= MAX_TRANSITIONS_PER_EVALUATION; round++) {
      const view = this.view(unit);
      updateMasterKnowledge(unit, view, ctx);
      const decision = STATE_HANDLERS[unit.state](unit, view, ctx);
      if (decision.kind === 'stay') {
        unit.deadlineMs = decision.untilMs;
        unit.dirty = false;
        if (unit.state !== 'MASTER') unit.epoch = Math.max(unit.epoch, unit.maxSeenEpoch);
        this.refreshAdverts(unit);
        return;
      }
      if (decision.kind === 'reclaim') {
        unit.claimedAtMs = this.nowMs;
        unit.epoch = unit.maxSeenEpoch + 1;
        unit.maxSeenEpoch = unit.epoch;
        unit.maxSeenEpochFrom = this.nodeId;
      } else {
        this.transition(unit, decision.to, decision.reason, decision.detail, decision.triggers);
      }
    }
    throw new Error(
      `election did not settle for ${unit.memberNames()} after ${MAX_TRANSITIONS_PER_EVALUATION} transitions (state ${unit.state})`,
    );
  }

  private transition(
    unit: SyncGroup,
    to: GroupState,
    reason: TransitionReason,
    detail: string,
    triggers?: ReadonlySet<GroupName>,
  ): void {
    const from = unit.state;
    for (const member of unit.members) assertLegalTransition(member.name, from, to);
    if (to === 'MASTER') {
      unit.claimedAtMs = this.nowMs;
      unit.epoch = Math.max(unit.epoch, unit.maxSeenEpoch) + 1;
      unit.maxSeenEpoch = unit.epoch;
      unit.maxSeenEpochFrom = this.nodeId;
      unit.master = this.nodeId;
      unit.masterDownAtMs = null;
      unit.unseenClaimAtMs = null;
      unit.preemptSuppressed = false;
      unit.releaseHoldUntilMs = null;
    } else {
      unit.epoch = Math.max(unit.epoch, unit.maxSeenEpoch);
    }
    if (from === 'FAULT' && to === 'BACKUP') this.listenAfterFault(unit);
    if (from === 'MASTER') {
      unit.forced = false;
      unit.master = null;
      unit.masterDownAtMs = this.nowMs;
      unit.masterDownReason = 'master-down';
      unit.masterDownDetail = `${this.nodeId} stepped down (${reason})`;
    }
    unit.state = to;
    unit.claimableSinceMs = null;
    unit.preemptReadySinceMs = null;
    unit.dirty = true;
    this.someDirty = true;
    const cause = triggers === undefined ? '' : [...triggers].join(', ');
    for (const member of unit.members) {
      const own = triggers === undefined || triggers.has(member.name);
      this.emitTransition(
        member,
        from,
        to,
        unit.epoch,
        own ? reason : 'sync-group',
        own ? detail : `with ${cause} in its sync group: ${detail}`,
      );
    }
  }

  private emitTransition(
    member: MemberGroup,
    from: GroupState,
    to: GroupState,
    epoch: number,
    reason: TransitionReason,
    detail: string,
  ): void {
    member.lastTransitionAtMs = this.nowMs;
    this.out.push({ type: 'transition', group: member.name, from, to, epoch, reason, detail });
  }

  // ---- what goes out ----

  private advertFor(member: MemberGroup): PeerGroupState {
    const unit = this.unitByGroup.get(member.name);
    if (unit === undefined) throw new Error(`group ${member.name} has no sync group`);
    return Object.freeze({
      priority: unit.advertisedPriority(member, this.resigned),
      state: unit.state,
      epoch: unit.epoch,
      master: unit.state === 'MASTER' ? this.nodeId : unit.directMaster,
    });
  }

  private refreshAdverts(unit: SyncGroup): void {
    const master = unit.state === 'MASTER' ? this.nodeId : unit.directMaster;
    for (const member of unit.members) {
      const current = this.adverts.get(member.name);
      // Compare before building: most evaluations change nothing that is advertised.
      if (
        current?.state === unit.state &&
        current.epoch === unit.epoch &&
        current.master === master &&
        current.priority === unit.advertisedPriority(member, this.resigned)
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
      this.nextUnitDeadlineMs,
    ]);
    if (next === null) return;
    if (this.armedAtMs === null || next < this.armedAtMs || this.armedAtMs <= this.nowMs) {
      this.armedAtMs = next;
      this.out.push({ type: 'arm-timer', atMs: next });
    }
  }

  private groupStatus(member: MemberGroup): GroupStatus {
    const unit = this.unitByGroup.get(member.name);
    if (unit === undefined) throw new Error(`group ${member.name} has no sync group`);
    const advert = this.adverts.get(member.name) ?? this.advertFor(member);
    return {
      name: member.name,
      state: unit.state,
      basePriority: member.config.priority,
      effectivePriority: advert.priority,
      weightedPriority: member.weighted(),
      forced: unit.forced,
      epoch: unit.epoch,
      master: unit.master,
      lastTransitionAtMs: member.lastTransitionAtMs,
    };
  }

  // ---- structure ----

  private buildUnits(config: ElectionConfig): void {
    const byKey = new Map<string, SyncGroup>();
    for (const group of config.groups) {
      const key = syncGroupKey(group);
      const member = new MemberGroup(group);
      const unit = byKey.get(key);
      if (unit === undefined) byKey.set(key, new SyncGroup(key, [member]));
      else unit.members.push(member);
    }
    this.installUnits([...byKey.values()]);
  }

  private installUnits(units: SyncGroup[]): void {
    this.units = units;
    this.unitByGroup = new Map();
    const byName = new Map<GroupName, MemberGroup>();
    for (const unit of units) {
      unit.dirty = true;
      this.someDirty = true;
      for (const member of unit.members) {
        this.unitByGroup.set(member.name, unit);
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
