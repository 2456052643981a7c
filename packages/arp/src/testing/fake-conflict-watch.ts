// A conflict watch with no socket: the test says when another host claims a VIP, and, like
// the real one, only a watched VIP is reported.
import type { ConflictWatch, ConflictWatchStats } from '../conflict-watch.js';
import type { ConflictEvent, Vip } from '../types.js';
import { checkVip } from '../vip.js';

export interface FakeConflictWatch extends ConflictWatch {
  /** group -> VIPs currently watched. */
  readonly watched: Map<string, readonly Vip[]>;
  /** Delivers a conflict as if a frame had shown one (only for a watched VIP, like the real one). */
  emit(event: ConflictEvent): boolean;
}

export function createFakeConflictWatch(
  onConflict: (event: ConflictEvent) => void,
): FakeConflictWatch {
  const watched = new Map<string, readonly Vip[]>();
  let conflicts = 0;
  return {
    watched,
    watch: (group, vips) => {
      vips.forEach(checkVip);
      watched.set(group, [...vips]);
    },
    unwatch: (group) => {
      watched.delete(group);
    },
    stats: (): ConflictWatchStats => ({
      framesSeen: conflicts,
      conflicts,
      malformedFrames: {},
      dedupeKeys: 0,
      dedupeEntriesVisited: 0,
    }),
    close: () => {
      watched.clear();
    },
    emit: (event) => {
      const isWatched = [...watched.values()].some((vips) =>
        vips.some(
          (vip) => vip.interface === event.interface && checkVip(vip).address === event.vip,
        ),
      );
      if (!isWatched) return false;
      conflicts++;
      onConflict(event);
      return true;
    },
  };
}
