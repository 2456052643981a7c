// journald priorities: every JSON line carries `<N>` for its level when stdout is the journal,
// and stays one parseable JSON object after the prefix.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { DestinationStream } from 'pino';
import { poll } from '@vipd/testkit';
import { JOURNAL_PRIORITY, stdoutIsJournal } from '../../src/log/journal.js';
import { createLogger } from '../../src/log/logger.js';
import { configDir } from '../config/fixture.js';
import { VIPD } from '../cli/process.js';

/** `<N>{json}` → [N, the parsed object]; fails the test on anything else. */
function parseJournalLine(line: string): [number, Record<string, unknown>] {
  const match = /^<([0-7])>(\{.*\})$/.exec(line);
  assert.ok(match?.[1] !== undefined && match[2] !== undefined, `not <N>{json}: ${line}`);
  return [Number(match[1]), JSON.parse(match[2]) as Record<string, unknown>];
}

function journalLogger(journal: boolean) {
  const lines: string[] = [];
  const destination: DestinationStream = {
    write: (text: string) => {
      lines.push(...text.split('\n').filter((line) => line !== ''));
    },
  };
  const logger = createLogger({ level: 'trace', format: 'json', destination, journal });
  return { lines, logger };
}

describe('journald priority prefix', () => {
  it('maps fatal 2, error 3, warn 4, info 6, debug and trace 7; the JSON after it parses', () => {
    const { lines, logger } = journalLogger(true);
    const child = logger.child({ component: 'driver' });
    child.trace('t');
    child.debug('d');
    child.info({ group: 'web' }, 'i');
    child.warn('w');
    child.error({ err: new Error('boom\nsecond line') }, 'e');
    child.fatal('f');
    const parsed = lines.map(parseJournalLine);
    assert.deepEqual(
      parsed.map(([priority, json]) => [json['msg'], json['level'], priority]),
      [
        ['t', 'trace', 7],
        ['d', 'debug', 7],
        ['i', 'info', 6],
        ['w', 'warn', 4],
        ['e', 'error', 3],
        ['f', 'fatal', 2],
      ],
    );
    const info = parsed[2]?.[1];
    assert.ok(info !== undefined);
    assert.equal(info['group'], 'web');
    assert.equal(info['component'], 'driver');
    assert.equal(lines.length, 6, 'one line per call, an error stack stays inside its JSON');
  });

  it('follows a level changed at run time (reload) and writes nothing below it', () => {
    const { lines, logger } = journalLogger(true);
    logger.level = 'warn';
    logger.info('hidden');
    logger.error('shown');
    assert.deepEqual(
      lines.map(parseJournalLine).map(([p, j]) => [p, j['msg']]),
      [[3, 'shown']],
    );
  });

  it('without the journal, lines are plain JSON', () => {
    const { lines, logger } = journalLogger(false);
    logger.warn('w');
    assert.equal((JSON.parse(lines[0] ?? '') as { level: string }).level, 'warn');
  });

  it('covers every pino level', () => {
    assert.deepEqual(Object.keys(JOURNAL_PRIORITY).sort(), [
      'debug',
      'error',
      'fatal',
      'info',
      'trace',
      'warn',
    ]);
  });

  it('stdoutIsJournal: only when JOURNAL_STREAM names the device and inode of stdout', () => {
    const stat = () => ({ dev: 64769, ino: 123456 });
    assert.equal(stdoutIsJournal({ JOURNAL_STREAM: '64769:123456' }, stat), true);
    assert.equal(stdoutIsJournal({ JOURNAL_STREAM: '64769:999' }, stat), false, 'inherited');
    assert.equal(stdoutIsJournal({}, stat), false);
    assert.equal(stdoutIsJournal({ JOURNAL_STREAM: '' }, stat), false);
  });

  it('vipd run with stdout on "the journal" (JOURNAL_STREAM naming it) prefixes every line', async () => {
    // A read-only API (no token_file) is a config warning: one warn line, besides info lines.
    const dir = configDir(`node: { id: w1, listen: 127.0.0.1:0 }
cluster:
  key_file: cluster.key
  heartbeat_interval: 50ms
  peers: [{ id: n1, address: 127.0.0.1:9 }]
api: { listen: 127.0.0.1:0 }
`);
    const out = join(dir.dir, 'stdout');
    const fd = openSync(out, 'w');
    const { dev, ino } = fstatSync(fd);
    const env: NodeJS.ProcessEnv = { ...process.env, JOURNAL_STREAM: `${dev}:${ino}` };
    delete env['VIPD_API_TOKEN'];
    const node = spawn(process.execPath, [VIPD, 'run', '--config', dir.file], {
      env,
      stdio: ['ignore', fd, 'inherit'],
    });
    closeSync(fd);
    try {
      const exited = new Promise((resolve) => node.once('exit', resolve));
      await poll('the ready line', () => readFileSync(out, 'utf8').includes('"event":"ready"'), {
        timeoutMs: 30_000,
      });
      node.kill('SIGTERM');
      assert.equal(await exited, 0);
      const lines = readFileSync(out, 'utf8')
        .split('\n')
        .filter((line) => line !== '');
      const parsed = lines.map(parseJournalLine);
      const warning = parsed.find(([, json]) => /read-only/.test(String(json['msg'])));
      assert.equal(warning?.[0], 4, 'the config warning is priority 4');
      const ready = parsed.find(([, json]) => json['event'] === 'ready');
      assert.equal(ready?.[0], 6);
    } finally {
      node.kill('SIGKILL');
      dir.remove();
    }
  });
});
