// CHANGELOG.md read as releases, and written again as the Debian changelog that dpkg-deb
// packages ship in /usr/share/doc/<package>/ (deb-changelog(5)).

export interface Release {
  readonly version: string;
  /** YYYY-MM-DD */
  readonly date: string;
  /** Each bullet of the entry as one line of text. */
  readonly changes: readonly string[];
}

/** Every `## [X.Y.Z] - YYYY-MM-DD` entry, newest first (an `## [Unreleased]` one is skipped). */
export function parseChangelog(markdown: string): Release[] {
  const entries = markdown.split(/^## /m).slice(1);
  return entries.flatMap((entry) => {
    const heading = /^\[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})/.exec(entry);
    if (heading === null) return [];
    const changes = entry
      .split('\n')
      .slice(1)
      .join('\n')
      .split(/^- /m)
      .slice(1)
      .map((bullet) =>
        bullet
          .replace(/^### .*$/gm, '')
          .replace(/\s+/g, ' ')
          .trim(),
      );
    return [{ version: heading[1] ?? '', date: heading[2] ?? '', changes }];
  });
}

function wrap(text: string, width: number, indent: string): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width - indent.length) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines.map((l, i) => `${i === 0 ? indent.replace(/ {2}$/, '* ') : indent}${l}`).join('\n');
}

/**
 * RFC 5322 date at noon UTC of the release day, as deb-changelog(5) wants it, plus one minute
 * for each earlier release of the same day: Debian wants every entry newer than the one
 * before it (lintian's latest-changelog-entry-without-new-date), CHANGELOG.md has days only.
 */
function debianDate(day: string, sameDayBefore: number): string {
  const date = new Date(`${day}T12:00:00Z`);
  date.setUTCMinutes(sameDayBefore);
  const [weekday, rest] = date.toUTCString().split(', ');
  return `${weekday ?? ''}, ${(rest ?? '').replace(' GMT', '')} +0000`;
}

export function debianChangelog(releases: readonly Release[], maintainer: string): string {
  return releases
    .map((release, index) => {
      const sameDayBefore = releases.slice(index + 1).filter((r) => r.date === release.date);
      return [
        `vipd (${release.version}) unstable; urgency=medium`,
        '',
        ...release.changes.map((change) => wrap(change, 78, '    ')),
        '',
        ` -- ${maintainer}  ${debianDate(release.date, sameDayBefore.length)}`,
        '',
      ].join('\n');
    })
    .join('\n');
}
