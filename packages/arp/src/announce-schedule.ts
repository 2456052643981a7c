// When announcement frames go out after a takeover, as a pure function of the schedule.
//
// Linux keeps a neighbour entry's address for `locktime` (1 s) after an update and ignores
// ordinary ARP replies inside it; gratuitous ARP (sender IP = target IP, and for a reply
// target MAC = sender MAC) and NAs with Override bypass it on current kernels. Either way the
// FIRST frame is what moves a healthy host, so it goes out synchronously at offset 0. The
// repeats are for what the first frame cannot cover: a frame lost on a lossy link or a port
// still coming up, switches relearning the MAC, and hosts that missed the burst (the second
// burst, then optional refreshes).
import { ArpError } from './errors.js';
import type { AnnounceMode, AnnounceSchedule } from './types.js';

export interface ResolvedSchedule extends AnnounceSchedule {
  readonly refreshRepeat: number;
}

/**
 * vipd's defaults. keepalived: garp_master_repeat 5 sent back to back (garp_interval 0),
 * garp_master_delay 5 s, garp_master_refresh off, refresh_repeat 1. Pacemaker IPaddr2:
 * arp_count 5, arp_interval 200 ms, arp_count_refresh 0. vipd spaces the burst like
 * Pacemaker (back-to-back frames die together in one loss burst) and adds keepalived's
 * second burst.
 */
export const DEFAULT_SCHEDULE: ResolvedSchedule = {
  repeat: 5,
  intervalMs: 200,
  secondBurstDelayMs: 5000,
  refreshMs: 0,
  refreshRepeat: 1,
  mode: 'request',
};

const MODES: readonly AnnounceMode[] = ['request', 'reply', 'both'];
const MAX_REPEAT = 100;
const MAX_DELAY_MS = 24 * 3600 * 1000;
const MIN_REFRESH_MS = 100;

export function resolveSchedule(overrides: Partial<AnnounceSchedule> = {}): ResolvedSchedule {
  const schedule: ResolvedSchedule = { ...DEFAULT_SCHEDULE, ...overrides };
  checkCount('repeat', schedule.repeat);
  checkCount('refreshRepeat', schedule.refreshRepeat);
  checkDelay('intervalMs', schedule.intervalMs);
  checkDelay('secondBurstDelayMs', schedule.secondBurstDelayMs);
  checkDelay('refreshMs', schedule.refreshMs);
  if (schedule.refreshMs !== 0 && schedule.refreshMs < MIN_REFRESH_MS) {
    throw new ArpError(
      'INVALID_SCHEDULE',
      `refreshMs ${schedule.refreshMs} must be 0 (off) or at least ${MIN_REFRESH_MS}`,
    );
  }
  if (!MODES.includes(schedule.mode)) {
    throw new ArpError(
      'INVALID_SCHEDULE',
      `mode "${schedule.mode as string}" is not one of ${MODES.join(', ')}`,
    );
  }
  return schedule;
}

function checkCount(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_REPEAT) {
    throw new ArpError('INVALID_SCHEDULE', `${name} ${value} must be an integer 1..${MAX_REPEAT}`);
  }
}

function checkDelay(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_DELAY_MS) {
    throw new ArpError(
      'INVALID_SCHEDULE',
      `${name} ${value} must be an integer 0..${MAX_DELAY_MS}`,
    );
  }
}

/**
 * Offsets (ms after the takeover) of every announcement round, ascending: the first burst,
 * the second burst, then refresh rounds forever when refreshMs > 0. Each round sends one
 * frame per VIP (two in "both" mode).
 */
export function* announcementOffsets(
  schedule: ResolvedSchedule,
): Generator<number, void, undefined> {
  const bursts: number[] = [];
  for (let i = 0; i < schedule.repeat; i++) bursts.push(i * schedule.intervalMs);
  if (schedule.secondBurstDelayMs > 0) {
    for (let i = 0; i < schedule.repeat; i++)
      bursts.push(schedule.secondBurstDelayMs + i * schedule.intervalMs);
  }
  bursts.sort((a, b) => a - b);
  const refreshes = refreshRounds(schedule);
  let refresh = refreshes.next();
  let burstIndex = 0;
  for (;;) {
    const burst = bursts[burstIndex] ?? Infinity;
    const nextRefresh = refresh.done === true ? Infinity : refresh.value;
    if (burst === Infinity && nextRefresh === Infinity) return;
    if (burst <= nextRefresh) {
      burstIndex++;
      yield burst;
    } else {
      refresh = refreshes.next();
      yield nextRefresh;
    }
  }
}

/**
 * The refresh rounds alone, those after `afterMs`: what is left of a schedule whose bursts
 * were dropped (a master about to hand over: see FrameAnnouncer.quiet).
 */
export function* refreshOffsets(
  schedule: ResolvedSchedule,
  afterMs: number,
): Generator<number, void, undefined> {
  for (const offset of refreshRounds(schedule)) if (offset > afterMs) yield offset;
}

/** Every refresh round's frames, forever (none when refreshMs is 0). */
function* refreshRounds(schedule: ResolvedSchedule): Generator<number, void, undefined> {
  if (schedule.refreshMs === 0) return;
  for (let round = 1; ; round++) {
    for (let frame = 0; frame < schedule.refreshRepeat; frame++)
      yield round * schedule.refreshMs + frame * schedule.intervalMs;
  }
}
