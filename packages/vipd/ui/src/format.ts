// How times, states and durations read on the page. A state is always its word; the colour
// class only repeats it for the eye.

import { element } from './dom.js';

const STATE_TONE: Readonly<Record<string, string>> = {
  MASTER: 'state-good',
  up: 'state-good',
  FAULT: 'state-bad',
  down: 'state-bad',
  'no master': 'state-bad',
  unreachable: 'state-bad',
  MAINTENANCE: 'state-warn',
  INIT: 'state-warn',
};

export function stateBadge(word: string): HTMLSpanElement {
  const tone = STATE_TONE[word];
  return element('span', { class: tone === undefined ? 'state' : `state ${tone}` }, word);
}

/** Local wall-clock time with seconds (and milliseconds for events, which come fast). */
export function clockTime(ms: number, withMs = false): string {
  const time = new Date(ms).toLocaleTimeString(undefined, { hour12: false });
  return withMs ? `${time}.${String(ms % 1000).padStart(3, '0')}` : time;
}

export function agoText(elapsedMs: number): string {
  // Tenths while heartbeats are fresh: "0 s ago" would hide a peer that just went quiet.
  if (elapsedMs < 10_000) return `${(Math.max(0, elapsedMs) / 1000).toFixed(1)} s ago`;
  const seconds = Math.round(elapsedMs / 1000);
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${seconds % 60} s ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

/** "12:03:04 (5 min 3 s ago)" with the exact ISO time as a tooltip, or "never". */
export function sinceText(iso: string | null, nowMs: number): HTMLElement | string {
  if (iso === null) return 'never';
  const ms = Date.parse(iso);
  return element(
    'time',
    { datetime: iso, title: iso },
    `${clockTime(ms)} (${agoText(nowMs - ms)})`,
  );
}

export function rttText(rttMs: number | null): string {
  return rttMs === null ? '–' : `${rttMs.toFixed(rttMs < 10 ? 2 : 1)} ms`;
}
