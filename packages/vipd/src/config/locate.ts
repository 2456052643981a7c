// Maps a path into the parsed document back to a line and column of the YAML source, so a
// problem points at the text the operator has to fix.

import { isMap, isScalar, isSeq, type Document, type LineCounter } from 'yaml';

export interface SourcePosition {
  readonly line: number;
  readonly column: number;
}

interface Ranged {
  range?: readonly [number, number, number] | null;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return typeof key === 'string' ? key : undefined;
}

/**
 * Position of the value at `path` or, with `key`, of that key inside the mapping at `path`.
 * Falls back to the deepest node that exists (a missing key points at its parent).
 */
export function locate(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly (string | number)[],
  key?: string,
): SourcePosition | undefined {
  let node: unknown = doc.contents;
  let best: Ranged | undefined = node as Ranged | undefined;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => keyText(p.key) === String(segment));
      if (!pair) break;
      best = (pair.value ?? pair.key) as Ranged;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment];
      if (item === undefined) break;
      best = item as Ranged;
      node = item;
    } else {
      break;
    }
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => keyText(p.key) === key);
    if (pair) best = pair.key as Ranged;
  }
  const offset = best?.range?.[0];
  if (offset === undefined) return undefined;
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

/** `groups[0].addresses[1]` */
export function formatPath(path: readonly (string | number)[], key?: string): string {
  const all = key === undefined ? path : [...path, key];
  return all
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : i === 0 ? segment : `.${segment}`,
    )
    .join('');
}
