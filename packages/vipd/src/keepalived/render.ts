// The converted config as YAML, with a header saying where it came from and what to do next,
// and above each group the keepalived line it was made from.

import { basename } from 'node:path';
import { Document, isMap, isSeq } from 'yaml';
import { VIPD_VERSION } from '../version.js';
import type { Conversion } from './convert.js';

export interface RenderSource {
  /** The keepalived.conf converted, and every file it included. */
  readonly files: readonly string[];
}

function header(conversion: Conversion, source: RenderSource): string {
  const [main, ...included] = source.files;
  const notConverted = conversion.notes.filter((n) => n.kind === 'not-converted').length;
  const changed = conversion.notes.length - notConverted;
  return [
    ` Written by \`vipd import-keepalived\` (vipd ${VIPD_VERSION}) from ${main ?? ''}`,
    ...(included.length > 0
      ? [` and the files it includes: ${included.map((f) => basename(f)).join(', ')}.`]
      : []),
    ' Every group is decided by VRRPv3 on the wire (its `vrrp:` mapping), so this node can',
    ' stand in for one keepalived node of a running pair (docs/migrating-from-keepalived.md).',
    ` ${notConverted} directive${notConverted === 1 ? ' was' : 's were'} not converted and ${changed} converted with a difference:`,
    ' the import printed each with its line. Read them, then run `vipd check --config FILE`.',
  ].join('\n');
}

export function renderImportedConfig(conversion: Conversion, source: RenderSource): string {
  const document = new Document(conversion.config);
  document.commentBefore = header(conversion, source);
  const groups = document.get('groups', true);
  if (isSeq(groups))
    groups.items.forEach((item, index) => {
      const comment = conversion.groupComments[index];
      if (comment !== undefined && isMap(item)) item.commentBefore = comment;
    });
  return document.toString({ lineWidth: 0 });
}
