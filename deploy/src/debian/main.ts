// Entry point of `npm run package:deb` (after `tsc -b`): builds the .deb and says where it is.
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { buildDeb } from './build-deb.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const started = performance.now();
const built = buildDeb(repoRoot);
console.log(`${built.path} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
