// The RFC 5798 §6.4 state machine of one virtual router, in the style of @vipd/election:
// events in, actions out, nothing else. Time comes only from the events; the daemon arms the
// one timer each `arm-timer` asks for and feeds back `timer`. Same config + same events =
// same actions, which is what lets the simulator replay a run from its seed.
//
// Where this follows keepalived rather than the RFC's letter (a lower advert makes a
// preempting backup take over at once; a master answers a lower advert at once), the README's
// "State machine" section says so and why.
import { addressKey } from './address-order.js';
import { assertValidVirtualRouterConfig } from './config.js';
import { VrrpError } from '../errors.js';
import {
  centisecondsToMs,
  masterDownIntervalMs,
  MAX_ADVERT_INTERVAL_CS,
  MIN_ADVERT_INTERVAL_CS,
  PRIORITY_OWNER,
  PRIORITY_STOP,
  skewTimeMs,
} from './timing.js';
import { assertLegalVrrpTransition } from './transitions.js';
import type {
  VirtualRouterAction,
  VirtualRouterConfig,
  VirtualRouterEvent,
  VirtualRouterStatus,
  VrrpState,
  VrrpTransitionReason,
} from './types.js';

type AdvertEvent = Extract<VirtualRouterEvent, { type: 'advert' }>;

/** The master a backup follows: the sender of the last advert it accepted. */
interface KnownMaster {
  readonly address: string;
  readonly key: string;
  readonly priority: number;
}

export class VirtualRouter {
  readonly config: VirtualRouterConfig;
  private readonly ownKey: string;
  private readonly ownIntervalMs: number;

  private state: VrrpState = 'INIT';
  /** What this router advertises now: the configured priority until a set-priority. */
  private priority: number;
  /** The last set-priority asked to preempt whatever Preempt_Mode says (operator takeover). */
  private forcePreempt = false;
  private faulted = false;
  private master: KnownMaster | null = null;
  private masterAdvertIntervalCs: number;
  /** Why the Master_Down_Timer runs: silence, or a master that said priority 0. */
  private masterDownReason: 'master-down' | 'priority-zero' = 'master-down';
  /** keepalived's preempt_delay: a backup may preempt a lower master only from this time. */
  private preemptFromMs = 0;
  /** The one timer: Adver_Timer while MASTER, Master_Down_Timer while BACKUP. */
  private timerAtMs: number | null = null;
  private armedAtMs: number | null = null;

  private nowMs = Number.NEGATIVE_INFINITY;
  private out: VirtualRouterAction[] = [];
  private handling = false;

  constructor(config: VirtualRouterConfig) {
    assertValidVirtualRouterConfig(config);
    this.config = config;
    this.ownKey = addressKey(config.primaryAddress, config.family) ?? '';
    this.ownIntervalMs = centisecondsToMs(config.advertIntervalCs);
    this.priority = config.priority;
    this.masterAdvertIntervalCs = config.advertIntervalCs;
  }

  /** Feed one event; returns what the daemon must do, in order. */
  handle(event: VirtualRouterEvent): VirtualRouterAction[] {
    if (this.handling)
      throw new VrrpError('VRRP_REENTRANT', 'VirtualRouter.handle is not re-entrant');
    if (!Number.isFinite(event.nowMs)) invalidEvent(event, `nowMs ${event.nowMs} is not finite`);
    this.handling = true;
    try {
      // The daemon's clock is monotonic; a stale timestamp (an event queued behind a timer)
      // is taken as "now", never as time going backwards.
      this.nowMs = Math.max(this.nowMs, event.nowMs);
      this.out = [];
      this.dispatch(event);
      this.syncTimer();
      return this.out;
    } finally {
      this.handling = false;
    }
  }

  status(): VirtualRouterStatus {
    const master = this.state === 'MASTER';
    const intervalCs = master ? this.config.advertIntervalCs : this.masterAdvertIntervalCs;
    return {
      state: this.state,
      priority: this.priority,
      masterAddress: master ? this.config.primaryAddress : (this.master?.address ?? null),
      masterAdvertIntervalCs: intervalCs,
      skewTimeMs: skewTimeMs(this.priority, intervalCs),
      masterDownIntervalMs: masterDownIntervalMs(this.priority, intervalCs),
    };
  }

  private dispatch(event: VirtualRouterEvent): void {
    switch (event.type) {
      case 'startup':
        this.onStartup();
        return;
      case 'shutdown':
        this.onShutdown();
        return;
      case 'timer':
        this.onTimer();
        return;
      case 'advert':
        this.onAdvert(event);
        return;
      case 'set-priority':
        this.onSetPriority(checkedPriority(event, event.priority), event.forcePreempt === true);
        return;
      case 'fault':
        if (typeof event.faulted !== 'boolean') invalidEvent(event, 'faulted must be a boolean');
        this.onFault(event.faulted);
        return;
      default:
        invalidEvent(event, 'unknown event type');
    }
  }

  // ---- events ----

  /** RFC 5798 §6.4.1: the owner becomes master at once, anyone else a backup. */
  private onStartup(): void {
    if (this.state !== 'INIT') return;
    if (this.faulted) this.enter('FAULT', 'fault');
    else this.leaveIdle('startup', 'owner');
  }

  /** §6.4.2 / §6.4.3 Shutdown: a master says priority 0 first, so backups wait only Skew_Time. */
  private onShutdown(): void {
    if (this.state === 'INIT') return;
    if (this.state === 'MASTER') this.send(PRIORITY_STOP);
    this.enter('INIT', 'shutdown');
    this.master = null;
    this.timerAtMs = null;
  }

  private onTimer(): void {
    if (this.timerAtMs === null || this.nowMs < this.timerAtMs) return; // stale or early
    this.timerAtMs = null;
    switch (this.state) {
      case 'MASTER': // §6.4.3 Adver_Timer fires
        this.advertise();
        return;
      case 'BACKUP': // §6.4.2 Master_Down_Timer fires
        this.master = null;
        // Priority 0 (maintenance) only follows masters; it never becomes one.
        if (this.priority !== PRIORITY_STOP) this.becomeMaster(this.masterDownReason);
        return;
      case 'INIT':
      case 'FAULT':
        return;
    }
  }

  private onAdvert(event: AdvertEvent): void {
    checkedPriority(event, event.priority);
    const interval = event.maxAdvertIntervalCs;
    if (
      !Number.isInteger(interval) ||
      interval < MIN_ADVERT_INTERVAL_CS ||
      interval > MAX_ADVERT_INTERVAL_CS
    )
      invalidEvent(event, `maxAdvertIntervalCs must be 1-4095, got ${interval}`);
    const key = addressKey(event.sourceAddress, this.config.family);
    if (key === null)
      invalidEvent(
        event,
        `sourceAddress ${event.sourceAddress} is not an IPv${this.config.family} address`,
      );
    // Our own advert looped back (the transport drops those) or an address conflict: either
    // way it says nothing about another router.
    if (key === this.ownKey) return;
    if (this.state === 'BACKUP') this.backupHears(event, key);
    else if (this.state === 'MASTER') this.masterHears(event, key);
  }

  /** §6.4.2 "If an ADVERTISEMENT is received". */
  private backupHears(advert: AdvertEvent, key: string): void {
    if (advert.priority === PRIORITY_STOP) {
      this.master = null;
      this.masterDownReason = 'priority-zero';
      this.timerAtMs = this.nowMs + skewTimeMs(this.priority, this.masterAdvertIntervalCs);
      return;
    }
    // RFC: discard, and the Master_Down_Timer makes this router master later; keepalived
    // ("forcing a new MASTER election") takes over now. Same end, one interval sooner.
    if (advert.priority < this.priority && this.mayPreempt()) {
      this.becomeMaster('preempt');
      return;
    }
    this.follow(advert, key);
  }

  /** §6.4.3 "If an ADVERTISEMENT is received". */
  private masterHears(advert: AdvertEvent, key: string): void {
    const higher =
      advert.priority > this.priority || (advert.priority === this.priority && key > this.ownKey);
    if (!higher) {
      // Priority 0: a backup must not wait a whole interval for us (RFC). Lower: the sender
      // thinks it is master; tell it at once who is (keepalived does the same).
      this.advertise();
      return;
    }
    this.enter('BACKUP', 'higher-priority');
    this.follow(advert, key);
    this.preemptFromMs = this.nowMs;
  }

  /**
   * The advertised priority from now on: trackers' weights, an operator takeover (254 with
   * forcePreempt), maintenance (0). A master re-advertises at once, so backups act on it now.
   */
  private onSetPriority(priority: number, forcePreempt: boolean): void {
    const before = this.priority;
    this.priority = priority;
    this.forcePreempt = forcePreempt;
    if (this.state === 'MASTER') {
      if (priority === PRIORITY_STOP) {
        this.send(PRIORITY_STOP);
        this.enter('BACKUP', 'resigned');
        this.master = null;
        this.startMasterDownTimer();
        this.preemptFromMs = this.nowMs;
      } else if (priority !== before) this.advertise();
      return;
    }
    if (this.state !== 'BACKUP' || priority === PRIORITY_STOP) return;
    if (priority === PRIORITY_OWNER) this.becomeMaster('owner');
    else if (this.master !== null && priority > this.master.priority && this.mayPreempt())
      this.becomeMaster('preempt');
    // Back from priority 0 with the master already timed out: listen before claiming.
    else if (this.timerAtMs === null) this.startMasterDownTimer();
  }

  private onFault(faulted: boolean): void {
    if (faulted === this.faulted) return;
    this.faulted = faulted;
    if (faulted) {
      if (this.state === 'INIT' || this.state === 'FAULT') return;
      if (this.state === 'MASTER') this.send(PRIORITY_STOP);
      this.enter('FAULT', 'fault');
      this.master = null;
      this.timerAtMs = null;
    } else if (this.state === 'FAULT') this.leaveIdle('fault-cleared', 'fault-cleared');
  }

  // ---- state changes ----

  /** Out of INIT or FAULT: the owner is master at once; others listen for a master first. */
  private leaveIdle(backupReason: VrrpTransitionReason, ownerReason: VrrpTransitionReason): void {
    if (this.priority === PRIORITY_OWNER) {
      this.becomeMaster(ownerReason);
      return;
    }
    this.enter('BACKUP', backupReason);
    this.master = null;
    this.masterAdvertIntervalCs = this.config.advertIntervalCs;
    this.preemptFromMs = this.nowMs + this.config.preemptDelayMs;
    this.startMasterDownTimer();
  }

  /** §6.4.1 / §6.4.2: send an advertisement, set the Adver_Timer, transition to Master. */
  private becomeMaster(reason: VrrpTransitionReason): void {
    this.advertise();
    this.enter('MASTER', reason);
    this.master = null;
    this.masterAdvertIntervalCs = this.config.advertIntervalCs;
  }

  /** §6.4.2: accept the sender as master and learn its interval. */
  private follow(advert: AdvertEvent, key: string): void {
    this.master = { address: advert.sourceAddress, key, priority: advert.priority };
    this.masterAdvertIntervalCs = advert.maxAdvertIntervalCs;
    this.startMasterDownTimer();
  }

  private startMasterDownTimer(): void {
    this.masterDownReason = 'master-down';
    this.timerAtMs = this.nowMs + masterDownIntervalMs(this.priority, this.masterAdvertIntervalCs);
  }

  /** keepalived's preempt/nopreempt and preempt_delay; the owner always preempts (§6.1). */
  private mayPreempt(): boolean {
    if (this.priority === PRIORITY_OWNER || this.forcePreempt) return true;
    return this.config.preempt && this.nowMs >= this.preemptFromMs;
  }

  private enter(to: VrrpState, reason: VrrpTransitionReason): void {
    assertLegalVrrpTransition(this.state, to);
    this.out.push({ type: 'transition', from: this.state, to, reason });
    this.state = to;
  }

  // ---- output ----

  /** Send an advert and restart the Adver_Timer. */
  private advertise(): void {
    this.send(this.priority);
    this.timerAtMs = this.nowMs + this.ownIntervalMs;
  }

  private send(priority: number): void {
    this.out.push({ type: 'send-advert', priority });
  }

  /** One timer per router: say when it moved, and only then. */
  private syncTimer(): void {
    if (this.timerAtMs === this.armedAtMs) return;
    this.out.push(
      this.timerAtMs === null
        ? { type: 'cancel-timer' }
        : { type: 'arm-timer', atMs: this.timerAtMs },
    );
    this.armedAtMs = this.timerAtMs;
  }
}

function checkedPriority(event: VirtualRouterEvent, priority: number): number {
  if (!Number.isInteger(priority) || priority < PRIORITY_STOP || priority > PRIORITY_OWNER)
    invalidEvent(event, `priority must be an integer 0-255, got ${priority}`);
  return priority;
}

function invalidEvent(event: VirtualRouterEvent, why: string): never {
  const type = (event as { type?: unknown }).type;
  throw new VrrpError('VRRP_EVENT_INVALID', `invalid ${String(type)} event: ${why}`);
}
