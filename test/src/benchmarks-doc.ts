import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Replaces (or appends) the section `<!-- name -->…<!-- /name -->` of docs/benchmarks.md,
 * so each benchmark rewrites its own figures and leaves the others alone; returns the path.
 */
export function writeDocSection(name: string, report: string): string {
  const path = fileURLToPath(new URL('../../../docs/benchmarks.md', import.meta.url));
  const start = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const section = `${start}\n${report}\n${end}`;
  const from = current.indexOf(start);
  const to = current.indexOf(end);
  const next =
    from >= 0 && to > from
      ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}`
      : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(path, next);
  return path;
}
