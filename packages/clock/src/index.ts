export { systemClock } from './clock.js';
export type { Clock, TimerHandle } from './clock.js';
export { createManualClock } from './manual-clock.js';
export type { ManualClock } from './manual-clock.js';
