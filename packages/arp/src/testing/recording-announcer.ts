// An announcer that records announce/stop/quiet/close instead of sending frames, and rejects bad
// VIPs and schedules as the real one does, so a daemon test fails where production would.
import { resolveSchedule } from '../announce-schedule.js';
import type { AnnouncerStats, FrameAnnouncer } from '../announcer.js';
import type { AnnounceSchedule, Vip } from '../types.js';
import { checkVip } from '../vip.js';

export type AnnouncerCall =
  | {
      readonly kind: 'announce';
      readonly group: string;
      readonly vips: readonly Vip[];
      readonly schedule?: Partial<AnnounceSchedule>;
    }
  | { readonly kind: 'stop'; readonly group: string }
  | { readonly kind: 'quiet'; readonly group: string }
  | { readonly kind: 'close' };

export interface RecordingAnnouncer extends FrameAnnouncer {
  readonly calls: AnnouncerCall[];
  /** The VIPs a group is being announced for, or undefined once stopped. */
  announcing(group: string): readonly Vip[] | undefined;
  /** Whether the group's bursts were dropped (quiet) since it was last announced. */
  quieted(group: string): boolean;
}

/** Records announce/stop/quiet/close; validates VIPs and schedules like the real announcer. */
export function createRecordingAnnouncer(): RecordingAnnouncer {
  const calls: AnnouncerCall[] = [];
  const active = new Map<string, readonly Vip[]>();
  const quiet = new Set<string>();
  return {
    calls,
    announce(group, vips, schedule) {
      vips.forEach(checkVip);
      if (schedule !== undefined) resolveSchedule(schedule);
      calls.push(
        schedule === undefined
          ? { kind: 'announce', group, vips: [...vips] }
          : { kind: 'announce', group, vips: [...vips], schedule },
      );
      if (vips.length === 0) active.delete(group);
      else active.set(group, [...vips]);
      quiet.delete(group);
    },
    stop(group) {
      calls.push({ kind: 'stop', group });
      active.delete(group);
      quiet.delete(group);
    },
    quiet(group) {
      calls.push({ kind: 'quiet', group });
      if (active.has(group)) quiet.add(group);
    },
    close() {
      calls.push({ kind: 'close' });
      active.clear();
      quiet.clear();
    },
    announcing: (group) => active.get(group),
    quieted: (group) => quiet.has(group),
    activeGroups: () => [...active.keys()],
    stats: (): AnnouncerStats => ({ framesSent: 0, sendFailures: 0 }),
  };
}
