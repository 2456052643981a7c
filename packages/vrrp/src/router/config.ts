// A virtual router's config is checked once, in the constructor, so the state machine never
// wonders whether a priority is 300 or an interval NaN. Every problem is reported at once,
// each naming the field and why it is wrong. (The daemon's YAML schema catches these first;
// this is the module's own guard.)
import { addressKey } from './address-order.js';
import { VrrpError } from '../errors.js';
import { MAX_ADVERT_INTERVAL_CS, MIN_ADVERT_INTERVAL_CS, PRIORITY_OWNER } from './timing.js';
import type { VirtualRouterConfig } from './types.js';

/** One hour: a longer preempt delay is a unit typo (ms vs s), not a design. */
export const MAX_PREEMPT_DELAY_MS = 3_600_000;

function integerIn(value: unknown, min: number, max: number): string | null {
  if (typeof value !== 'number' || !Number.isInteger(value))
    return `must be an integer, got ${String(value)}`;
  return value < min || value > max ? `must be ${min}-${max}, got ${value}` : null;
}

/** Every problem with the config, as `field: why`; empty when it is valid. */
export function virtualRouterConfigProblems(config: VirtualRouterConfig): string[] {
  // Typed for callers, but it may come from JavaScript or a hand-built object: check it all.
  const fields = config as unknown as Readonly<Record<keyof VirtualRouterConfig, unknown>>;
  const problems: string[] = [];
  const check = (field: string, problem: string | null): void => {
    if (problem !== null) problems.push(`${field}: ${problem}`);
  };
  check('vrid', integerIn(fields.vrid, 1, 255));
  // Configured 0 is not a thing in RFC 5798 (0 is only ever advertised, to resign).
  check('priority', integerIn(fields.priority, 1, PRIORITY_OWNER));
  check(
    'advertIntervalCs',
    integerIn(fields.advertIntervalCs, MIN_ADVERT_INTERVAL_CS, MAX_ADVERT_INTERVAL_CS),
  );
  check('preempt', typeof fields.preempt === 'boolean' ? null : 'must be true or false');
  check('preemptDelayMs', integerIn(fields.preemptDelayMs, 0, MAX_PREEMPT_DELAY_MS));
  if (fields.family !== 4 && fields.family !== 6)
    check('family', `must be 4 or 6, got ${String(fields.family)}`);
  else if (
    typeof fields.primaryAddress !== 'string' ||
    addressKey(fields.primaryAddress, fields.family) === null
  )
    check(
      'primaryAddress',
      `must be an IPv${fields.family} address, got ${String(fields.primaryAddress)}`,
    );
  return problems;
}

export function assertValidVirtualRouterConfig(config: VirtualRouterConfig): void {
  const problems = virtualRouterConfigProblems(config);
  if (problems.length > 0)
    throw new VrrpError(
      'VRRP_CONFIG_INVALID',
      `invalid virtual router config: ${problems.join('; ')}`,
    );
}
