// Why each group is in its state: the reason and sentence of its last transition, for the
// Group view (lastTransitionReason, lastTransitionDetail). Kept apart from the ring, which
// may have dropped an old transition of a quiet group long ago.

export interface TransitionNote {
  readonly reason: string;
  readonly detail: string;
}

export class LastTransitions {
  readonly #notes = new Map<string, TransitionNote>();

  note(group: string, note: TransitionNote): void {
    this.#notes.set(group, note);
  }

  of(group: string): TransitionNote | null {
    return this.#notes.get(group) ?? null;
  }
}
