// "did you mean …?" for a misspelt key: the known key nearest by edit distance, offered only
// when it is near enough to be a typo and not a different word.

import { closest, distance } from 'fastest-levenshtein';

/**
 * Edits a typo may take: one for a name of up to three letters, else two (a swapped pair,
 * "eht0"), and three for a long name.
 */
function typoBudget(key: string): number {
  if (key.length <= 3) return 1;
  return Math.min(3, Math.max(2, Math.floor(key.length / 3)));
}

/** The known key `key` most likely meant, or undefined when none is close. */
export function suggestKey(key: string, known: readonly string[]): string | undefined {
  if (known.length === 0) return undefined;
  // Case and "-" for "_" are the commonest slips; compare without them first.
  const folded = key.toLowerCase().replaceAll('-', '_');
  const exact = known.find((k) => k === folded);
  if (exact !== undefined) return exact;
  const best = closest(folded, [...known]);
  return distance(folded, best) <= typoBudget(folded) ? best : undefined;
}

/** `unknown key "timout"; did you mean "timeout"?` or the keys allowed there when few. */
export function unknownKeyMessage(key: string, known: readonly string[]): string {
  const suggestion = suggestKey(key, known);
  if (suggestion !== undefined) return `unknown key "${key}"; did you mean "${suggestion}"?`;
  if (known.length > 0 && known.length <= 8)
    return `unknown key "${key}" (allowed here: ${known.join(', ')})`;
  return `unknown key "${key}"`;
}
