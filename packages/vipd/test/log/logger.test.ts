import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { Secret } from '../../src/config/secret.js';
import { createLogger } from '../../src/log/logger.js';

function capture(format: 'json' | 'pretty'): {
  lines: string[];
  logger: ReturnType<typeof createLogger>;
} {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    format,
    base: { node: 'n1' },
    // A real stream: pino-pretty pipes into it.
    destination: new Writable({
      write(chunk: Buffer, _encoding, callback) {
        lines.push(chunk.toString('utf8'));
        callback();
      },
    }),
  });
  return { lines, logger };
}

describe('logger', () => {
  it('JSON: one object per line, level as a word, object fields first-class, child components', () => {
    const { lines, logger } = capture('json');
    logger
      .child({ component: 'driver' })
      .info({ group: 'web', to: 'MASTER' }, 'web: BACKUP -> MASTER');
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(line['level'], 'info');
    assert.equal(line['node'], 'n1');
    assert.equal(line['component'], 'driver');
    assert.equal(line['group'], 'web');
    assert.equal(line['msg'], 'web: BACKUP -> MASTER');
    assert.match(String(line['time']), /^\d{4}-\d\d-\d\dT/);
  });

  it('never writes a secret: Secret objects and secret-named fields are redacted', () => {
    const { lines, logger } = capture('json');
    const key = new Secret('super-secret-cluster-key');
    logger.info(
      { cluster: { key }, token: 'plain-token-value', headers: { authorization: 'Bearer abc' } },
      'config',
    );
    logger.info({ value: key }, `formatted ${String(key)}`);
    const text = lines.join('');
    for (const secret of ['super-secret-cluster-key', 'plain-token-value', 'Bearer abc']) {
      assert.ok(!text.includes(secret), `${secret} leaked: ${text}`);
    }
    assert.match(text, /\[REDACTED\]/);
  });

  it('pretty: readable single lines for a terminal', () => {
    const { lines, logger } = capture('pretty');
    logger.warn({ peer: 'n2' }, 'peer n2 down (silent)');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /WARN.*: peer n2 down \(silent\) \{"node":"n1","peer":"n2"\}/);
  });
});
