// The mesh's clock: Unix epoch milliseconds with sub-millisecond resolution. Monotonic
// within a process (it follows performance.now(), not later steps of the wall clock), so
// RTTs computed from it never go negative when NTP steps the system time.

export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}
