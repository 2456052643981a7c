// Answering another MAC's claim to one of our VIPs (RFC 5227 §2.4 (b): one announcement, at
// most once per DEFEND_INTERVAL_MS per group) without fighting a hand-over.
//
// Why the defence waits: on the LAN the new master of a hand-over (a preemption, an operator's
// takeover, a partition healing, a VRRP router preempting) is seen before its word reaches us:
// its gratuitous ARP travels at once, its heartbeat over TCP (or its first advert) a moment
// later. Answering at once would point every host back at us just as we step down — a
// needless extra move for clients (n2 -> n1 -> n2). So a claim waits for the signal that says
// who is master, and is answered only if we still hold the group, unbroken, and nothing of
// ours reached the LAN since (a re-announce or a new hold already answered it):
//
// - a mesh group waits one down interval (down_multiplier x heartbeat_interval): a live peer
//   that took the group over says so within it, or it is declared lost;
// - a mesh group whose peer is lost waits for that peer to come back, up to
//   LOST_PEER_DEFENCE_WAIT_MS: a healed path brings its heartbeat back within about 1.5 s
//   (a lost SYN retried after 1 s, plus the mesh's redial backoff), and its return settles
//   the group (we step down, or reclaim and announce, or it claims nothing and we announce);
// - a VRRP group waits one advert interval: a router that preempts us sends its advert as it
//   takes over, and one interval later again if that one was lost.
//
// A claimant that is no cluster member is answered after the same wait: the claim alone
// does not say whose MAC it is.

import type { ConflictEvent } from '@vipd/arp';
import type { Clock, TimerHandle } from '@vipd/clock';
import type { Logger } from 'pino';
import type { GroupSpec, VipdConfig } from '../config/types.js';
import type { EventSink } from '../events/types.js';
import type { VipdMetrics } from '../metrics/metrics.js';
import type { VipHolder } from './vip-holder.js';

/** RFC 5227 DEFEND_INTERVAL: a group answers a conflicting claim at most this often. */
export const DEFEND_INTERVAL_MS = 10_000;
/** At least this long a claim waits for a lost peer of its group to be heard again. */
export const LOST_PEER_DEFENCE_WAIT_MS = 2_000;

/** What a claim waits for before it is answered (a label of the defences metric). */
export type DefenceAwaits = 'heartbeat' | 'lost-peer' | 'advert';
/** How a claim that waited ended (a label of the defences metric). */
export type DefenceOutcome = 'defended' | 'stood-down' | 'announced';

export interface ConflictDefenceDeps {
  readonly clock: Clock;
  readonly holder: Pick<VipHolder, 'isHeld' | 'defend' | 'announcements'>;
  readonly metrics: VipdMetrics;
  readonly log: Logger;
  readonly events: EventSink;
  readonly config: () => VipdConfig;
  readonly groups: () => ReadonlyMap<string, GroupSpec>;
  /** Peers reported down and not heard since that run the group (as last heard). */
  readonly lostPeersOf: (group: string) => readonly string[];
}

interface Wait {
  readonly awaits: DefenceAwaits;
  readonly waitMs: number;
  /** For the log and the event history: what would make the defence unnecessary. */
  readonly unless: string;
}

export class ConflictDefence {
  readonly #deps: ConflictDefenceDeps;
  readonly #lastDefendedAtMs = new Map<string, number>();
  /** Groups whose defence waits, with its timer. */
  readonly #pending = new Map<string, TimerHandle>();

  constructor(deps: ConflictDefenceDeps) {
    this.#deps = deps;
  }

  /** Another MAC claimed one of our VIPs: counted and recorded always, answered maybe. */
  claim(event: ConflictEvent): void {
    for (const group of this.#deps.groups().values()) {
      if (!group.vips.some((v) => v.address === event.vip)) continue;
      this.#deps.metrics.addressConflicts.inc({ group: group.name, kind: event.kind });
      this.#claimOn(group, event);
    }
  }

  /** The driver stopped: no defence may go out any more. */
  stop(): void {
    for (const timer of this.#pending.values()) this.#deps.clock.clearTimeout(timer);
    this.#pending.clear();
  }

  #claimOn(group: GroupSpec, event: ConflictEvent): void {
    const { clock, holder, log } = this.#deps;
    const claim = `address conflict: ${event.foreignMac} claims ${event.vip} on ${event.interface} (${event.kind})`;
    const fields = {
      group: group.name,
      vip: event.vip,
      interface: event.interface,
      foreignMac: event.foreignMac,
      kind: event.kind,
    };
    const record = (detail: string) => {
      this.#deps.events.record({
        kind: 'conflict',
        group: group.name,
        subject: event.vip,
        reason: event.kind,
        detail: `${claim}; ${detail}`,
      });
    };
    const skip = this.#notNow(group.name, clock.now());
    if (skip !== null) {
      record(skip);
      // Not master here is worth a look (another master? a leftover?); the rest is routine.
      log[holder.isHeld(group.name) ? 'debug' : 'warn'](
        { ...fields, defended: false },
        `${claim}; ${skip}`,
      );
      return;
    }
    const wait = this.#waitFor(group);
    const plan = `defending with one announcement in ${wait.waitMs}ms unless ${wait.unless}`;
    record(plan);
    log.warn(
      { ...fields, defended: true, awaits: wait.awaits, waitMs: wait.waitMs },
      `${claim}; ${plan}`,
    );
    const announcements = holder.announcements(group.name);
    const timer = clock.setTimeout(() => {
      this.#pending.delete(group.name);
      this.#settle(group.name, wait.awaits, announcements, claim, fields);
    }, wait.waitMs);
    this.#pending.set(group.name, timer);
  }

  /** Why a claim on a group starts no defence now, or null when it does. */
  #notNow(group: string, nowMs: number): string | null {
    if (!this.#deps.holder.isHeld(group)) return 'not master here';
    if (this.#pending.has(group)) return 'a defence is already waiting';
    const lastDefended = this.#lastDefendedAtMs.get(group);
    if (lastDefended !== undefined && nowMs - lastDefended < DEFEND_INTERVAL_MS)
      return `defended ${Math.round(nowMs - lastDefended)}ms ago, not again within ${DEFEND_INTERVAL_MS}ms`;
    return null;
  }

  #waitFor(group: GroupSpec): Wait {
    if (group.vrrp !== undefined) {
      return {
        awaits: 'advert',
        waitMs: group.vrrp.advertIntervalMs,
        unless: 'an advert of a better router comes first',
      };
    }
    const { heartbeatIntervalMs, downMultiplier } = this.#deps.config().cluster;
    const downAfterMs = heartbeatIntervalMs * downMultiplier;
    const lost = this.#deps.lostPeersOf(group.name);
    if (lost.length > 0) {
      return {
        awaits: 'lost-peer',
        waitMs: Math.min(Math.max(downAfterMs, LOST_PEER_DEFENCE_WAIT_MS), DEFEND_INTERVAL_MS),
        unless: `${lost.join(', ')}, lost, is heard again first and settles who is master`,
      };
    }
    return {
      awaits: 'heartbeat',
      waitMs: downAfterMs,
      unless: 'a peer says it took the group over first',
    };
  }

  /** The wait is over: answer the claim only if nothing else did. */
  #settle(
    group: string,
    awaits: DefenceAwaits,
    announcementsAtClaim: number,
    claim: string,
    fields: Record<string, unknown>,
  ): void {
    const { holder, log } = this.#deps;
    let outcome: DefenceOutcome;
    if (!holder.isHeld(group)) {
      outcome = 'stood-down';
      log.info({ ...fields, outcome }, `${claim}; not defended: ${group} is no longer held here`);
    } else if (holder.announcements(group) !== announcementsAtClaim) {
      outcome = 'announced';
      log.info(
        { ...fields, outcome },
        `${claim}; not defended: ${group} was announced again meanwhile`,
      );
    } else {
      outcome = 'defended';
      this.#lastDefendedAtMs.set(group, this.#deps.clock.now());
      holder.defend(group);
      log.info({ ...fields, outcome }, `${claim}; defended with one announcement`);
    }
    this.#deps.metrics.conflictDefences.inc({ group, awaits, outcome });
  }
}
