// The Debian changelog written from CHANGELOG.md's releases: dates that only grow, also for
// two releases of one day (lintian's latest-changelog-entry-without-new-date is an error).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { debianChangelog, type Release } from '../src/debian/release-notes.js';

const MAINTAINER = 'vipd maintainers <vipd@example.org>';

function signOffs(text: string): string[] {
  return [...text.matchAll(/^ -- .*? {2}(.*)$/gm)].map((m) => m[1] ?? '');
}

describe('debianChangelog', () => {
  it('gives a later release of the same day a later time, and keeps noon otherwise', () => {
    const releases: Release[] = [
      { version: '0.3.0', date: '2026-12-07', changes: ['three'] },
      { version: '0.2.0', date: '2026-12-07', changes: ['two'] },
      { version: '0.1.0', date: '2026-11-30', changes: ['one'] },
    ];
    assert.deepEqual(signOffs(debianChangelog(releases, MAINTAINER)), [
      'Mon, 07 Dec 2026 12:01:00 +0000',
      'Mon, 07 Dec 2026 12:00:00 +0000',
      'Mon, 30 Nov 2026 12:00:00 +0000',
    ]);
  });
});
