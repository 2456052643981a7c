// An announcer that records announce/stop/close instead of sending frames, and rejects bad
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
  | { readonly kind: 'close' };

export interface RecordingAnnouncer extends FrameAnnouncer {
  readonly calls: AnnouncerCall[];
  /** The VIPs a group is being announced for, or undefined once stopped. */
  announcing(group: string): readonly Vip[] | undefined;
}

/** Records announce/stop/close; validates VIPs and schedules like the real announcer. */
export function createRecordingAnnouncer(): RecordingAnnouncer {
  const calls: AnnouncerCall[] = [];
  const active = new Map<string, readonly Vip[]>();
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
    },
    stop(group) {
      calls.push({ kind: 'stop', group });
      active.delete(group);
    },
    close() {
      calls.push({ kind: 'close' });
      active.clear();
    },
    announcing: (group) => active.get(group),
    activeGroups: () => [...active.keys()],
    stats: (): AnnouncerStats => ({ framesSent: 0, sendFailures: 0 }),
  };
}
