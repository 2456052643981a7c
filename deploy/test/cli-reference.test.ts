// The man pages and the bash completion come from the CLI definitions and the config schema:
// every command and option of vipd and vipctl is in its page and is completed by bash (run
// for real), and every key of the schema is in vipd.yaml(5). Adding an option without it
// reaching both is impossible; this test proves the rendering does not lose any.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fullConfigSchema, type JsonSchema } from '@vipd/vipd';
import type { Command } from 'commander';
import { bashCompletion } from '../src/debian/bash-completion.js';
import { vipctlProgram, vipdProgram, walkCommands } from '../src/debian/cli-definitions.js';
import { configManPage, vipctlManPage, vipdManPage } from '../src/debian/man-pages.js';
import { findTool } from './vipd-cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'vipd-cli-ref-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
});

/** The page as man(1) shows it, or the roff itself where man is not installed. */
function shown(roff: string, file: string): string {
  const path = join(scratch, file);
  writeFileSync(path, roff);
  if (findTool('man') === null) return roff.replace(/\\-/g, '-');
  const result = spawnSync('man', ['-l', path], {
    encoding: 'utf8',
    env: { ...process.env, MANWIDTH: '400', LC_ALL: 'C.UTF-8' },
  });
  assert.equal(result.status, 0, result.stderr);
  // man formats for a pipe without overstrike; only its Unicode hyphens differ from text.
  return result.stdout.replace(/\u2010/g, '-');
}

/** What bash completes after `words…` (the last word is the one being completed). */
function complete(program: Command, words: readonly string[]): string[] {
  const script = join(scratch, `${program.name()}.bash`);
  writeFileSync(script, bashCompletion(program));
  const line = [program.name(), ...words].map((w) => `'${w}'`).join(' ');
  const result = spawnSync(
    'bash',
    [
      '-c',
      `source '${script}'; COMP_WORDS=(${line}); COMP_CWORD=${words.length}; _${program.name()}_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(result.status, 0, result.stderr);
  return result.stdout.split('\n').filter((w) => w !== '');
}

for (const [program, page] of [
  [vipdProgram(), vipdManPage(vipdProgram(), '0.0.0', '2026-01-01')],
  [vipctlProgram(), vipctlManPage(vipctlProgram(), '0.0.0', '2026-01-01')],
] as const) {
  describe(`${program.name()}: man page and completion`, () => {
    const text = shown(page.roff, page.file);
    for (const node of walkCommands(program)) {
      const path = node.path.join(' ');
      it(`${path}: in the man page with each option`, () => {
        assert.ok(text.includes(path), `${path} is not in ${page.file}`);
        for (const option of node.options)
          assert.ok(text.includes(option.long ?? option.flags), `${path} ${option.flags}`);
      });
      it(`${path}: bash completes its sub-commands and options`, () => {
        const offered = complete(program, [...node.path.slice(1), '']);
        for (const child of node.children) assert.ok(offered.includes(child.name()), child.name());
        for (const option of node.options)
          if (option.long !== undefined) assert.ok(offered.includes(option.long), option.long);
      });
    }
  });
}

describe('bash completion of values', () => {
  it('completes a prefix to the one command it names', () => {
    assert.deepEqual(complete(vipctlProgram(), ['tak']), ['takeover']);
  });
  it('offers the choices of an option and of an argument', () => {
    assert.deepEqual(complete(vipdProgram(), ['--log-format', '']), ['json', 'pretty']);
    assert.deepEqual(complete(vipctlProgram(), ['maintenance', 'o']), ['on', 'off']);
  });
  it('completes file names after --config', () => {
    writeFileSync(join(scratch, 'node-a.yaml'), '');
    assert.deepEqual(complete(vipdProgram(), ['--config', join(scratch, 'node-a')]), [
      join(scratch, 'node-a.yaml'),
    ]);
  });
});

describe('vipd.yaml(5)', () => {
  it('names every key of the configuration schema', () => {
    const text = shown(configManPage('0.0.0', '2026-01-01').roff, 'vipd.yaml.5');
    const keys = (schema: JsonSchema): string[] => {
      const variants = (schema['oneOf'] ?? []) as JsonSchema[];
      const items = schema['items'] as JsonSchema | undefined;
      const properties = (schema['properties'] ?? {}) as Record<string, JsonSchema>;
      return [
        ...Object.entries(properties).flatMap(([key, child]) => [key, ...keys(child)]),
        ...variants.flatMap(keys),
        ...(items === undefined ? [] : keys(items)),
      ];
    };
    const all = [...new Set(keys(fullConfigSchema()))];
    assert.ok(all.length > 30, `only ${String(all.length)} keys found`);
    const missing = all.filter((key) => !text.includes(key));
    assert.deepEqual(missing, []);
  });
});
