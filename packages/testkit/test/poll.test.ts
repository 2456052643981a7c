import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { poll } from '../src/poll.js';

describe('poll', () => {
  it('returns the first answer; undefined, null and false mean "not yet", 0 and "" do not', async () => {
    const answers: unknown[] = [undefined, null, false, 0];
    assert.equal(await poll('zero', () => answers.shift(), { intervalMs: 1 }), 0);
    assert.equal(await poll('empty', () => '', { intervalMs: 1 }), '');
  });

  it('takes async probes, and a probe that throws counts as "not yet"', async () => {
    let calls = 0;
    const value = await poll(
      'the third call',
      () => {
        calls += 1;
        if (calls < 3) throw new Error('not there');
        return Promise.resolve(`call ${calls}`);
      },
      { intervalMs: 1 },
    );
    assert.equal(value, 'call 3');
  });

  it('times out naming what it waited for, the last error and the description', async () => {
    await assert.rejects(
      poll(
        'the moon',
        () => {
          throw new Error('no such link');
        },
        { timeoutMs: 30, intervalMs: 5, describe: () => '(sky is cloudy)' },
      ),
      /^Error: timed out after 30 ms waiting for the moon: no such link \(sky is cloudy\)$/,
    );
  });

  it('asks once more at the deadline, so a slow probe is never cut short by the timer', async () => {
    let calls = 0;
    await assert.rejects(
      poll(
        'nothing',
        () => {
          calls += 1;
          return false;
        },
        { timeoutMs: 0 },
      ),
    );
    assert.equal(calls, 1);
  });
});
