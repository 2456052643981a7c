// The npm workspaces as a graph: who they are (the root package.json's list), what each
// declares, which other workspaces @vipd/vipd needs at run time, and which packages a source
// file really imports. The packaging (npm pack, the .deb's production tree) and the tests that
// keep every package.json honest read the monorepo through this one file.

import { readFileSync, readdirSync, statSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { join } from 'node:path';
import ts from 'typescript';

export interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly dependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
  readonly optionalDependencies?: Readonly<Record<string, string>>;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly bin?: Readonly<Record<string, string>>;
  readonly workspaces?: readonly string[];
}

export interface Workspace {
  /** Relative to the repository root, as the root package.json lists it. */
  readonly dir: string;
  readonly manifest: Manifest;
}

export function readManifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

export function readWorkspaces(repoRoot: string): Workspace[] {
  return (readManifest(repoRoot).workspaces ?? []).map((dir) => ({
    dir,
    manifest: readManifest(join(repoRoot, dir)),
  }));
}

/** `name` and every workspace it depends on at run time (dependencies, transitively). */
export function runtimeClosure(workspaces: readonly Workspace[], name: string): Workspace[] {
  const byName = new Map(workspaces.map((w) => [w.manifest.name, w]));
  const found = new Map<string, Workspace>();
  const visit = (current: string): void => {
    const workspace = byName.get(current);
    if (workspace === undefined) throw new Error(`no workspace is called ${current}`);
    if (found.has(current)) return;
    found.set(current, workspace);
    for (const dependency of Object.keys(workspace.manifest.dependencies ?? {}))
      if (byName.has(dependency)) visit(dependency);
  };
  visit(name);
  return [...found.values()];
}

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `a/b` → `a`. */
export function packageOfSpecifier(specifier: string): string | null {
  if (specifier.startsWith('.') || specifier.startsWith('/') || isBuiltin(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? null);
}

/** Packages a TypeScript or JavaScript file imports: static, dynamic, `export … from`, and
 * `import type` too (a published .d.ts refers to them). TypeScript's own pre-processor reads
 * the file, so strings and comments that merely look like imports do not count. */
export function importedPackages(file: string): Set<string> {
  const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const names = info.importedFiles
    .map((ref) => packageOfSpecifier(ref.fileName))
    .filter((name): name is string => name !== null);
  return new Set(names);
}

/** Every .ts/.js/.mjs file under `dir` (none when it does not exist); skips dist and deps. */
export function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((entry) => {
    if (entry === 'node_modules' || entry === 'dist') return [];
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|js|mjs)$/.test(entry) ? [path] : [];
  });
}
