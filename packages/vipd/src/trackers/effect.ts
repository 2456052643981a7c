// How a tracker's reading changes one group (keepalived semantics):
//   weight 0   → FAULT while the tracker is down
//   weight < 0 → weight added to the priority while down
//   weight > 0 → weight added while up
//   file trackers: value × weight added (weight 0: any non-zero value means FAULT)

import type { TrackerReading } from './tracker.js';

export interface TrackEffect {
  readonly weightDelta: number;
  readonly fault: boolean;
}

const MAX_DELTA = 254;

function clamp(delta: number): number {
  // 0 × -10 is -0; report a plain 0.
  if (delta === 0) return 0;
  return Math.max(-MAX_DELTA, Math.min(MAX_DELTA, delta));
}

export function trackEffect(reading: TrackerReading, weight: number, isFile: boolean): TrackEffect {
  // Before the first result nothing is known; the daemon waits for first readings at start.
  if (reading.up === null) return { weightDelta: 0, fault: false };
  if (isFile) {
    if (!reading.up) return { weightDelta: 0, fault: true };
    if (weight === 0) return { weightDelta: 0, fault: reading.value !== 0 };
    return { weightDelta: clamp(reading.value * weight), fault: false };
  }
  if (weight === 0) return { weightDelta: 0, fault: !reading.up };
  if (weight < 0) return { weightDelta: reading.up ? 0 : weight, fault: false };
  return { weightDelta: reading.up ? weight : 0, fault: false };
}
