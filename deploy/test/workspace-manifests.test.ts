// Every workspace's package.json tells the truth: what its shipped code (src, bin) imports is
// in its dependencies, what its tests, benchmarks and demos import is in its dependencies or
// devDependencies (or the root's shared toolchain). Workspace hoisting hides a missing entry until `npm pack` meets a clean
// directory; this test meets it first. New workspaces are picked up from the root's list.

import assert from 'node:assert/strict';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { importedPackages, readManifest, readWorkspaces, sourceFiles } from '../src/workspaces.js';
import { REPO_ROOT } from './vipd-cli.js';

/** Directories whose files ship (or run in production): they need `dependencies`. */
const SHIPPED_DIRS = ['src', 'bin'];
/** Everything else a workspace holds that imports packages: dev-only. */
const DEV_DIRS = ['test', 'bench', 'demo', 'e2e', 'unit', 'scripts'];

const rootDevDependencies = Object.keys(readManifest(REPO_ROOT).devDependencies ?? {});

function importsUnder(workspaceDir: string, dirs: readonly string[]): Map<string, string> {
  const firstImporter = new Map<string, string>();
  for (const dir of dirs)
    for (const file of sourceFiles(join(REPO_ROOT, workspaceDir, dir)))
      for (const name of importedPackages(file))
        if (!firstImporter.has(name)) firstImporter.set(name, relative(REPO_ROOT, file));
  return firstImporter;
}

describe('workspace package.json files', () => {
  for (const { dir, manifest } of readWorkspaces(REPO_ROOT)) {
    const runtime = new Set([
      manifest.name,
      ...Object.keys(manifest.dependencies ?? {}),
      ...Object.keys(manifest.optionalDependencies ?? {}),
      ...Object.keys(manifest.peerDependencies ?? {}),
    ]);
    const shipped = importsUnder(dir, SHIPPED_DIRS);

    it(`${manifest.name}: every package its src and bin import is a dependency`, () => {
      const missing = [...shipped]
        .filter(([name]) => !runtime.has(name))
        .map(([name, file]) => `${name} (imported by ${file})`);
      assert.deepEqual(missing, [], `add to ${dir}/package.json "dependencies"`);
    });

    it(`${manifest.name}: every package its tests and tools import is declared`, () => {
      const declared = new Set([
        ...runtime,
        ...Object.keys(manifest.devDependencies ?? {}),
        ...rootDevDependencies,
      ]);
      const missing = [...importsUnder(dir, DEV_DIRS)]
        .filter(([name]) => !declared.has(name))
        .map(([name, file]) => `${name} (imported by ${file})`);
      assert.deepEqual(missing, [], `add to ${dir}/package.json "devDependencies"`);
    });
  }
});
