// What the conversion could not carry over, or carried over with a difference: one line each
// on stderr, with the keepalived file and line, so an operator can go through them one by one.

import { locationText, type Directive, type SourceLocation } from './directive.js';

export interface ConversionNote {
  readonly at: SourceLocation;
  /** The directive as keepalived spells it (keyword and, for blocks, the name). */
  readonly directive: string;
  /** not-converted: it has no place in the output. changed: it is there, with a difference. */
  readonly kind: 'not-converted' | 'changed';
  readonly reason: string;
}

export function directiveName(directive: Directive): string {
  return directive.block !== undefined && directive.args[0] !== undefined
    ? `${directive.keyword} ${directive.args[0]}`
    : directive.keyword;
}

export class ConversionNotes {
  readonly #notes: ConversionNote[] = [];

  notConverted(directive: Directive, reason: string): void {
    this.#add(directive, 'not-converted', reason);
  }

  changed(directive: Directive, reason: string): void {
    this.#add(directive, 'changed', reason);
  }

  #add(directive: Directive, kind: ConversionNote['kind'], reason: string): void {
    this.#notes.push({ at: directive.at, directive: directiveName(directive), kind, reason });
  }

  /** In file order, so the list reads alongside the keepalived file. */
  list(files: readonly string[]): ConversionNote[] {
    const fileRank = (note: ConversionNote) => files.indexOf(note.at.file);
    return [...this.#notes].sort((a, b) => fileRank(a) - fileRank(b) || a.at.line - b.at.line);
  }
}

export function formatNote(note: ConversionNote): string {
  return note.kind === 'not-converted'
    ? `${locationText(note.at)}: ${note.directive} not converted (${note.reason})`
    : `${locationText(note.at)}: ${note.directive}: ${note.reason}`;
}
