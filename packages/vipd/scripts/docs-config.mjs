// Writes docs/configuration.md from the config schema (run after `npm run build`).
// `--check` exits 1 instead when the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderConfigurationMarkdown } from '../dist/src/config/docs.js';

const target = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '..',
  'docs',
  'configuration.md',
);
const markdown = renderConfigurationMarkdown();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== markdown) {
    console.error(`${target} is stale: run \`npm run docs:config\``);
    process.exit(1);
  }
} else {
  writeFileSync(target, markdown);
  console.log(`wrote ${target}`);
}
