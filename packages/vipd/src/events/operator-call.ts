// Who asked for an operator action, and why: the optional `actor` and `reason` of the
// takeover, release and maintenance bodies. They go to the audit log line and the event
// history, so "why did it move" has the operator's own answer.

export interface OperatorCall {
  /** Free text from the caller: a ticket, "kernel upgrade"… */
  readonly reason?: string;
  /** Who the caller says they are; 'api' when not given. */
  readonly actor?: string;
}

export const DEFAULT_ACTOR = 'api';

/** The reasons of election transitions an operator command causes. */
export const OPERATOR_TRANSITION_REASONS: ReadonlySet<string> = new Set([
  'forced-takeover',
  'released',
  'maintenance-on',
  'maintenance-off',
]);

/**
 * The actor of the last operator command per group ('*': maintenance, node-wide), so the
 * transition it causes carries it; taken once, by the first matching transition.
 */
export class PendingActors {
  readonly #actors = new Map<string, string>();

  expect(group: string, call: OperatorCall | undefined): void {
    this.#actors.set(group, call?.actor ?? DEFAULT_ACTOR);
  }

  take(group: string, reason: string): string | undefined {
    if (!OPERATOR_TRANSITION_REASONS.has(reason)) return undefined;
    const key = reason.startsWith('maintenance') ? '*' : group;
    return this.#actors.get(key);
  }

  /** Whoever has a command in progress for this group, or node-wide (VRRP's own reasons). */
  pending(group: string): string | undefined {
    return this.#actors.get(group) ?? this.#actors.get('*');
  }

  /** A command settled: later transitions are not its doing. */
  settle(group: string): void {
    this.#actors.delete(group);
  }
}
