// Deliberate pauses: a fixed quiet spell in which something must NOT happen. Waiting for
// something that will happen is `poll` from @vipd/testkit.

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
