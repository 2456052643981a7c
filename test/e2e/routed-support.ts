// The routed proofs run the shared scenario (src/routed-scenario.ts) one at a time.
import { hasTool } from '@vipd/testkit';
import { withRoutedScenario, type RoutedScenario } from '../src/routed-scenario.js';
import type { VipdClusterOptions } from '../src/vipd-cluster.js';
import { withinDeadline } from '../src/deadline.js';
import { e2eSkipReason, SCENARIO_LIMIT_MS, withE2eLock } from './support.js';

export { ROUTED_INTERVAL_MS } from '../src/routed-scenario.js';

export function routedSkipReason(): string | false {
  const base = e2eSkipReason();
  if (base !== false) return base;
  return hasTool('bird') && hasTool('birdc') ? false : 'needs bird2 (see scripts/setup.sh)';
}

/** One routed scenario at a time across test files (see withE2eLock). */
export function runRoutedScenario(
  body: (s: RoutedScenario) => Promise<void>,
  extra: Partial<VipdClusterOptions> = {},
): Promise<void> {
  return withE2eLock(() =>
    withRoutedScenario((s) => withinDeadline(body(s), SCENARIO_LIMIT_MS, 'the scenario'), extra),
  );
}
