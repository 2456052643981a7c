// BIRD's control socket speaks lines (BIRD 2 doc, "Remote control"; birdc's client): each
// reply line starts with a four-digit code; "DDDD-text" continues the reply, " text" (a
// space) continues with the previous line's code, and "DDDD text" (or "DDDD" alone) ends it.
// 0xxx: done, 1xxx: table rows, 2xxx: table headers, 8xxx: run-time errors, 9xxx: parse errors.

export interface BirdLine {
  readonly code: number;
  readonly text: string;
}

export interface BirdReply {
  /** The final line's code: 0000 is success; 8xxx and 9xxx are errors. */
  readonly code: number;
  readonly lines: readonly BirdLine[];
  /** Bytes of `buffer` this reply took. */
  readonly consumed: number;
}

/** A line that is neither "DDDD-", "DDDD " nor " ": not BIRD speaking. */
export class BirdProtocolError extends Error {
  override readonly name = 'BirdProtocolError';
  readonly code = 'BIRD_PROTOCOL' as const;
}

const LINE = /^(\d{4})([ -])(.*)$|^(\d{4})$/;

/** The first complete reply in `buffer`, or null when it has not all arrived yet. */
export function parseBirdReply(buffer: string): BirdReply | null {
  const lines: BirdLine[] = [];
  let offset = 0;
  let previous: number | undefined;
  for (;;) {
    const end = buffer.indexOf('\n', offset);
    if (end < 0) return null;
    const raw = buffer.slice(offset, end);
    offset = end + 1;
    if (raw.startsWith(' ')) {
      if (previous === undefined)
        throw new BirdProtocolError(`a continuation line before any code: "${raw}"`);
      lines.push({ code: previous, text: raw.slice(1) });
      continue;
    }
    const match = LINE.exec(raw);
    if (match === null) throw new BirdProtocolError(`not a BIRD reply line: "${raw.slice(0, 80)}"`);
    const code = Number(match[1] ?? match[4]);
    const text = match[3] ?? '';
    lines.push({ code, text });
    previous = code;
    if (match[2] !== '-') return { code, lines, consumed: offset };
  }
}

export function isBirdError(code: number): boolean {
  return code >= 8000;
}

export interface BirdProtocolRow {
  readonly name: string;
  readonly proto: string;
  readonly state: string;
  /** For BGP: "Established", "Active", "Connect", "Error: …". */
  readonly info: string;
}

/** The 1002 rows of `show protocols`: Name Proto Table State Since Info (Info may hold spaces). */
export function protocolRows(reply: BirdReply): BirdProtocolRow[] {
  return reply.lines
    .filter((line) => line.code === 1002)
    .flatMap((line) => {
      const fields = /^(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+\S+\s*(.*)$/.exec(line.text);
      if (fields === null) return [];
      const [, name = '', proto = '', , state = '', rest = ''] = fields;
      // "Since" is one field (16:05:06.689) or two ("2024-01-02 16:05:06") by timeformat.
      const info = rest.replace(/^\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?\s*/, '');
      return [{ name, proto, state, info: info.trim() }];
    });
}
