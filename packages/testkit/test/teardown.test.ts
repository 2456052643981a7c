import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Teardown } from '../src/teardown.js';

describe('Teardown', () => {
  it('runs steps newest first, once, and goes on past a failing step', () => {
    const order: string[] = [];
    const teardown = new Teardown();
    teardown.add('first', () => order.push('first'));
    teardown.add('broken', () => {
      throw new Error('boom');
    });
    teardown.add('last', () => order.push('last'));
    const failures = teardown.runAll();
    assert.deepEqual(order, ['last', 'first']);
    assert.equal(failures.length, 1);
    assert.match(failures[0]!, /broken: Error: boom/);
    teardown.runAll();
    assert.deepEqual(order, ['last', 'first']);
  });

  it('drops a step whose remover was called', () => {
    const order: string[] = [];
    const teardown = new Teardown();
    const drop = teardown.add('dropped', () => order.push('dropped'));
    teardown.add('kept', () => order.push('kept'));
    drop();
    assert.equal(teardown.pending, 1);
    teardown.runAll();
    assert.deepEqual(order, ['kept']);
  });

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGINT', 130],
  ] as const) {
    it(`runs a process-bound teardown when the process gets ${signal}`, () => {
      // A child registers a step that prints, then signals itself.
      const module = fileURLToPath(new URL('../src/teardown.js', import.meta.url));
      const script = `
        const { processBoundTeardown } = await import(${JSON.stringify(module)});
        processBoundTeardown().add('say', () => process.stdout.write('cleaned'));
        process.kill(process.pid, '${signal}');
        setTimeout(() => {}, 5000);
      `;
      const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      assert.equal(result.stdout, 'cleaned');
      assert.equal(result.status, code);
    });
  }

  it('runs a process-bound teardown when the process throws', () => {
    const module = fileURLToPath(new URL('../src/teardown.js', import.meta.url));
    const script = `
      const { processBoundTeardown } = await import(${JSON.stringify(module)});
      processBoundTeardown().add('say', () => process.stdout.write('cleaned'));
      throw new Error('test failure');
    `;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      encoding: 'utf8',
    });
    assert.equal(result.stdout, 'cleaned');
    assert.notEqual(result.status, 0);
  });
});
