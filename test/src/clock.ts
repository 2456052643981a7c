/**
 * Wall-clock epoch ms with sub-ms precision. The prober (another process), tcpdump -tt and
 * ping -D all stamp with CLOCK_REALTIME, so this is the one clock every record shares.
 */
export function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}
