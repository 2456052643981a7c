// Links between the operator docs resolve: every relative link in README.md, docs/*.md and
// deploy/**/README.md names a file or directory that exists, and every #anchor a heading
// in the target (GitHub's rules). External links are not fetched.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { headingAnchors } from './markdown.js';
import { DEPLOY_DIR, DOCS_DIR, REPO_ROOT } from './vipd-cli.js';

function markdownFiles(): string[] {
  const readmes = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return entry.name === 'dist' ? [] : readmes(path);
      return entry.name === 'README.md' ? [path] : [];
    });
  return [
    join(REPO_ROOT, 'README.md'),
    ...readdirSync(DOCS_DIR)
      .filter((name) => name.endsWith('.md'))
      .map((name) => join(DOCS_DIR, name)),
    ...readmes(DEPLOY_DIR),
  ];
}

/** Inline links outside code blocks and code spans: [text](target). */
function linksIn(markdown: string): string[] {
  const prose = markdown.replace(/^(```|~~~)[\s\S]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');
  return [...prose.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

describe('links in the docs', () => {
  for (const file of markdownFiles()) {
    it(relative(REPO_ROOT, file), () => {
      const text = readFileSync(file, 'utf8');
      for (const link of linksIn(text)) {
        if (/^[a-z]+:/i.test(link)) continue;
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? file : join(dirname(file), path);
        assert.ok(existsSync(target), `${link}: ${relative(REPO_ROOT, target)} does not exist`);
        if (anchor !== undefined && statSync(target).isFile() && target.endsWith('.md')) {
          const anchors = headingAnchors(readFileSync(target, 'utf8'));
          assert.ok(anchors.has(anchor), `${link}: no heading #${anchor}`);
        }
      }
    });
  }
});
