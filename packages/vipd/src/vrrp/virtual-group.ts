// One VRRP group on this node: its virtual router, the one timer the router asks for, the
// adverts it sends, and what decides the priority it advertises (base priority and tracker
// weights, an operator's takeover or maintenance). Events are stepped one at a time: the
// router is not re-entrant, and a transition's consequences (a failed VIP add faults the
// group) come back as events.

import type { Clock, TimerHandle } from '@vipd/clock';
import { weightedPriority } from '@vipd/election';
import type {
  VirtualRouterAction,
  VirtualRouterEvent,
  VirtualRouterStatus,
  VrrpSocket,
} from '@vipd/vrrp';
import type { GroupSpec, VrrpSpec } from '../config/types.js';
import type { TrackEffect } from '../trackers/effect.js';
import type { VirtualRouterPort, VrrpParts } from './parts.js';

/** RFC 5798 §5.2.4: the owner; an operator's takeover advertises the highest priority below. */
export const PRIORITY_OWNER = 255;
export const PRIORITY_TAKEOVER = 254;
/** RFC 5798 §5.2.4: "stop participating"; a master saying it makes backups take over now. */
export const PRIORITY_STOP = 0;

/** What an operator has asked of this group: nothing, take it over, or drain the node. */
export type OperatorHold = 'none' | 'takeover' | 'maintenance';

export type Transition = Extract<VirtualRouterAction, { type: 'transition' }>;

export interface VrrpGroupDeps {
  readonly clock: Clock;
  readonly spec: GroupSpec & { readonly vrrp: VrrpSpec };
  readonly socket: VrrpSocket;
  readonly parts: Pick<VrrpParts, 'createRouter' | 'encodeAdvert'>;
  /** Tracker effects reported before the router existed. */
  readonly trackers: ReadonlyMap<string, TrackEffect>;
  readonly onTransition: (group: VrrpGroup, transition: Transition) => void;
  readonly onSent: (group: VrrpGroup, priority: number) => void;
  /** The group advertises a lower priority than before: a backup may preempt it now. */
  readonly onPriorityFell?: (group: VrrpGroup) => void;
  readonly onSendError: (group: VrrpGroup, error: Error) => void;
  /** The router threw (a bug): the group stops deciding. */
  readonly onFatal: (group: VrrpGroup, error: Error) => void;
}

export class VrrpGroup {
  readonly name: string;
  #spec: GroupSpec & { readonly vrrp: VrrpSpec };
  readonly #deps: VrrpGroupDeps;
  readonly #router: VirtualRouterPort;
  readonly #trackers: Map<string, TrackEffect>;
  #hold: OperatorHold = 'none';
  /** Faulted by this node's own doing (VIPs could not be added), besides the trackers. */
  #vipFault = false;
  /** A sync-group partner is faulted: keepalived's vrrp_sync_group fails all together. */
  #partnerFault = false;
  #advertised: number;
  #faultSent = false;
  #queue: VirtualRouterEvent[] = [];
  #stepping = false;
  #stopped = false;
  #timer: TimerHandle | undefined;
  #lastTransitionAtMs: number | null = null;

  constructor(deps: VrrpGroupDeps) {
    this.#deps = deps;
    this.#spec = deps.spec;
    this.name = deps.spec.name;
    this.#trackers = new Map(deps.trackers);
    this.#advertised = this.#weighted();
    this.#router = deps.parts.createRouter({
      vrid: deps.spec.vrrp.vrid,
      // The router's own priority is 1-255; maintenance (0) is set as an event before start.
      priority: this.#advertised,
      advertIntervalCs: deps.spec.vrrp.advertIntervalMs / 10,
      preempt: deps.spec.preempt,
      preemptDelayMs: deps.spec.preemptDelayMs,
      family: deps.spec.vrrp.family,
      primaryAddress: deps.socket.sourceAddress,
    });
  }

  get spec(): GroupSpec & { readonly vrrp: VrrpSpec } {
    return this.#spec;
  }

  get hold(): OperatorHold {
    return this.#hold;
  }

  get primaryAddress(): string {
    return this.#deps.socket.sourceAddress;
  }

  get lastTransitionAtMs(): number | null {
    return this.#lastTransitionAtMs;
  }

  status(): VirtualRouterStatus {
    return this.#router.status();
  }

  /** Whether a tracker, a failed VIP add or a sync-group partner holds the group in FAULT. */
  faulted(): boolean {
    return this.ownFault() || this.#partnerFault;
  }

  /** A fault of this group's own (what its sync-group partners follow). */
  ownFault(): boolean {
    return this.#vipFault || [...this.#trackers.values()].some((t) => t.fault);
  }

  /** Start: drained nodes advertise 0 from the first moment; faulted groups start in FAULT. */
  start(hold: OperatorHold): void {
    this.#hold = hold;
    this.#refresh({ startup: true });
  }

  trackerReport(trackerId: string, effect: TrackEffect): void {
    if (effect.weightDelta === 0 && !effect.fault) this.#trackers.delete(trackerId);
    else this.#trackers.set(trackerId, effect);
    this.#refresh();
  }

  setVipFault(faulted: boolean): void {
    this.#vipFault = faulted;
    this.#refresh();
  }

  setPartnerFault(faulted: boolean): void {
    this.#partnerFault = faulted;
    this.#refresh();
  }

  setHold(hold: OperatorHold): void {
    this.#hold = hold;
    this.#refresh();
  }

  /** A reload: new VIPs, priority, hooks or announce schedule; the router keeps its state. */
  reconfigure(spec: GroupSpec & { readonly vrrp: VrrpSpec }): void {
    this.#spec = spec;
    this.#refresh();
  }

  advert(sourceAddress: string, priority: number, maxAdvertIntervalCs: number): void {
    this.#step({
      type: 'advert',
      nowMs: this.#deps.clock.now(),
      sourceAddress,
      priority,
      maxAdvertIntervalCs,
    });
  }

  /** SIGTERM: a master sends priority 0 and the router goes to INIT. */
  shutdown(): void {
    this.#step({ type: 'shutdown', nowMs: this.#deps.clock.now() });
  }

  /** No timer fires and no event is stepped any more. */
  stop(): void {
    this.#stopped = true;
    this.#queue.length = 0;
    if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The priority the group advertises when no operator overrides it. */
  #weighted(): number {
    let sum = 0;
    for (const effect of this.#trackers.values()) sum += effect.weightDelta;
    return weightedPriority(this.#spec.priority, sum);
  }

  #priority(): number {
    const weighted = this.#weighted();
    switch (this.#hold) {
      case 'maintenance':
        return PRIORITY_STOP;
      case 'takeover':
        return Math.max(weighted, PRIORITY_TAKEOVER);
      case 'none':
        return weighted;
    }
  }

  /** Tell the router whatever changed: priority first, then the fault, then start-up. */
  #refresh(options: { readonly startup?: boolean } = {}): void {
    const nowMs = this.#deps.clock.now();
    const priority = this.#priority();
    if (priority !== this.#advertised || options.startup === true) {
      const fell = priority < this.#advertised && options.startup !== true;
      this.#advertised = priority;
      if (fell) this.#deps.onPriorityFell?.(this);
      this.#step({
        type: 'set-priority',
        nowMs,
        priority,
        ...(this.#hold === 'takeover' ? { forcePreempt: true } : {}),
      });
    }
    const faulted = this.faulted();
    if (faulted !== this.#faultSent) {
      this.#faultSent = faulted;
      this.#step({ type: 'fault', nowMs, faulted });
    }
    if (options.startup === true) this.#step({ type: 'startup', nowMs });
  }

  #step(event: VirtualRouterEvent): void {
    if (this.#stopped) return;
    this.#queue.push(event);
    if (this.#stepping) return;
    this.#stepping = true;
    try {
      // stop() empties the queue, so nothing more is stepped after it.
      for (let next = this.#queue.shift(); next !== undefined; next = this.#queue.shift())
        this.#apply(this.#router.handle(next));
    } catch (error) {
      this.stop();
      this.#deps.onFatal(this, error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#stepping = false;
    }
  }

  #apply(actions: readonly VirtualRouterAction[]): void {
    for (const action of actions) {
      switch (action.type) {
        case 'send-advert':
          this.#send(action.priority);
          break;
        case 'transition':
          this.#lastTransitionAtMs = this.#deps.clock.now();
          this.#deps.onTransition(this, action);
          break;
        case 'arm-timer':
          this.#arm(action.atMs);
          break;
        case 'cancel-timer':
          if (this.#timer !== undefined) this.#deps.clock.clearTimeout(this.#timer);
          this.#timer = undefined;
          break;
      }
    }
  }

  #send(priority: number): void {
    const { socket, parts } = this.#deps;
    const { vrrp, vips } = this.#spec;
    const fields = {
      vrid: vrrp.vrid,
      priority,
      maxAdvertIntervalCs: vrrp.advertIntervalMs / 10,
      addresses: vips.map((vip) => vip.address),
    };
    const family = vrrp.family;
    const sourceAddress = socket.sourceAddress;
    const failed = (error: unknown) => {
      this.#deps.onSendError(this, error instanceof Error ? error : new Error(String(error)));
    };
    try {
      // The payload is built per destination, maybe before send() returns: an encoding
      // error is this advert's failure, never the router's.
      socket
        .send((destinationAddress) =>
          parts.encodeAdvert(fields, { family, sourceAddress, destinationAddress }),
        )
        .then(() => {
          this.#deps.onSent(this, priority);
        }, failed);
    } catch (error) {
      failed(error);
    }
  }

  #arm(atMs: number): void {
    const { clock } = this.#deps;
    if (this.#timer !== undefined) clock.clearTimeout(this.#timer);
    this.#timer = clock.setTimeout(
      () => {
        this.#timer = undefined;
        // libuv may fire a little early after a busy stretch: keep the deadline (the router
        // ignores an early timer and would not arm again).
        if (clock.now() < atMs) {
          this.#arm(atMs);
          return;
        }
        // After the I/O phase, so adverts that arrived in time are read before the timer
        // decides the master is gone (the driver's timer does the same).
        clock.defer(() => {
          this.#step({ type: 'timer', nowMs: clock.now() });
        });
      },
      Math.max(0, atMs - clock.now()),
    );
  }
}
