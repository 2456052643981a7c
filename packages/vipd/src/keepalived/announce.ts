// keepalived's gratuitous ARP settings as vipd's `announce` (top level from global_defs'
// vrrp_garp_*, per group from an instance's garp_*). The defaults agree (5 frames, a second
// burst after 5 s, no refresh), so only what the file sets is written.

import type { Directive } from './directive.js';
import type { ConversionNotes } from './notes.js';
import type { AnnounceOut } from './output.js';
import { integerArg, secondsArg } from './values.js';

const UNCONVERTED: Readonly<Record<string, string>> = {
  garp_master_refresh_repeat: 'vipd sends one frame per VIP at each refresh',
  garp_lower_prio_delay: 'vipd does not re-announce when it hears a lower priority',
  garp_lower_prio_repeat: 'vipd does not re-announce when it hears a lower priority',
  gna_interval: 'vipd spaces neighbour advertisements like ARP frames (announce.interval)',
};

/** Applies a garp directive (with or without the `vrrp_` prefix); false if it is not one. */
export function applyAnnounce(
  directive: Directive,
  announce: AnnounceOut,
  notes: ConversionNotes,
): boolean {
  const key = directive.keyword.replace(/^vrrp_/, '');
  switch (key) {
    case 'garp_master_delay':
      announce.delay =
        secondsArg(directive, notes, { minMs: 0, maxMs: 3_600_000, stepMs: 1 }) ?? announce.delay;
      return true;
    case 'garp_master_repeat':
      announce.repeat = integerArg(directive, notes, 1, 100) ?? announce.repeat;
      return true;
    case 'garp_master_refresh':
      announce.refresh =
        secondsArg(directive, notes, { minMs: 0, maxMs: 86_400_000, stepMs: 1 }) ??
        announce.refresh;
      return true;
    case 'garp_interval':
      announce.interval =
        secondsArg(directive, notes, { minMs: 0, maxMs: 10_000, stepMs: 1 }) ?? announce.interval;
      return true;
    default: {
      const reason = UNCONVERTED[key];
      if (reason === undefined) return false;
      notes.notConverted(directive, reason);
      return true;
    }
  }
}

/** Drops keys that were never set, and the whole mapping when none was. */
export function announceOrUndefined(announce: AnnounceOut): AnnounceOut | undefined {
  const set = Object.entries(announce).filter(([, value]) => value !== undefined);
  return set.length === 0 ? undefined : Object.fromEntries(set);
}
