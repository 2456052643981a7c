// The steps of a walkthrough in a Markdown file, so a test runs what the docs say and the two
// cannot drift. A step is a fenced code block right after a marker comment:
//
//   <!-- walkthrough step=check on=n1,n2 -->            a shell block run on n1, then n2
//   <!-- walkthrough step=config on=n1 file=/etc/x -->   a file's content, for $EDITOR
//
// Lines of a shell block are commands; `#` starts a comment (none of the commands quotes one).

export interface WalkthroughStep {
  /** The step's name, unique in the file. */
  readonly step: string;
  /** The nodes it runs on, in order. */
  readonly on: readonly string[];
  /** For a file block: the path whose content it gives. */
  readonly file: string | null;
  /** The fence's info string (`sh`, `yaml`, `nft`). */
  readonly language: string;
  readonly body: string;
}

const MARKER = /^<!-- walkthrough ((?:\w+=\S+ ?)+)-->$/;

function attributes(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split(/\s+/)
      .map((pair) => {
        const eq = pair.indexOf('=');
        return [pair.slice(0, eq), pair.slice(eq + 1)] as [string, string];
      }),
  );
}

/** Every marked block, in document order; throws on a marker without a block after it. */
export function walkthroughSteps(markdown: string): WalkthroughStep[] {
  const lines = markdown.split('\n');
  const steps: WalkthroughStep[] = [];
  lines.forEach((line, index) => {
    const marker = MARKER.exec(line.trim());
    if (marker?.[1] === undefined) return;
    const attrs = attributes(marker[1]);
    const step = attrs.get('step');
    const on = attrs.get('on');
    if (step === undefined || on === undefined)
      throw new Error(`line ${index + 1}: a walkthrough marker needs step= and on=`);
    let open = index + 1;
    while (lines[open]?.trim() === '') open++;
    const fence = /^```(\w*)$/.exec(lines[open] ?? '');
    const close = lines.indexOf('```', open + 1);
    if (fence === null || close < 0)
      throw new Error(
        `line ${index + 1}: walkthrough step ${step} is not followed by a code block`,
      );
    if (steps.some((s) => s.step === step))
      throw new Error(`line ${index + 1}: walkthrough step ${step} appears twice`);
    steps.push({
      step,
      on: on.split(','),
      file: attrs.get('file') ?? null,
      language: fence[1] ?? '',
      body: `${lines.slice(open + 1, close).join('\n')}\n`,
    });
  });
  return steps;
}

/** A shell block's commands: one per line, comments and blank lines dropped. */
export function shellCommands(body: string): string[] {
  return body
    .split('\n')
    .map((line) => line.replace(/(^|\s)#.*$/, '').trim())
    .filter((line) => line !== '');
}

/**
 * A row of a table as `vipctl status` prints it (columns apart by two or more spaces), keyed
 * by the header's names: `tableRow(text, 'GROUP', 'web')` → { GROUP: 'web', STATE: 'MASTER', … }.
 * Reading by column name keeps assertions right when a column is added.
 */
export function tableRow(
  text: string,
  firstColumn: string,
  key: string,
): Record<string, string> | null {
  const lines = text.split('\n');
  const header = lines.findIndex((line) => line.startsWith(`${firstColumn} `));
  if (header < 0) return null;
  const names = (lines[header] ?? '').trim().split(/\s{2,}/);
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const cells = line.trim().split(/\s{2,}/);
    if (cells[0] === key) return Object.fromEntries(names.map((name, i) => [name, cells[i] ?? '']));
  }
  return null;
}
