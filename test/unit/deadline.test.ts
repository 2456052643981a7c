// withinDeadline: what bounds every e2e scenario, so a hang fails and tears its lab down.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioDeadlineError, withinDeadline } from '../src/deadline.js';

describe('withinDeadline', () => {
  it('gives the work its value, or its failure, when it settles in time', async () => {
    assert.equal(await withinDeadline(Promise.resolve(42), 60_000, 'quick work'), 42);
    await assert.rejects(
      withinDeadline(Promise.reject(new Error('its own failure')), 60_000, 'failing work'),
      /its own failure/,
    );
  });

  it('fails with a ScenarioDeadlineError naming the work when it never settles', async () => {
    const never = new Promise<never>(() => undefined);
    await assert.rejects(withinDeadline(never, 20, 'the hung scenario'), (error: unknown) => {
      assert.ok(error instanceof ScenarioDeadlineError);
      assert.match(error.message, /^the hung scenario did not finish within 20 ms/);
      return true;
    });
  });

  it('reports nothing more when the work fails after the deadline', async () => {
    let fail: (error: Error) => void = () => undefined;
    const late = new Promise<never>((_, reject) => {
      fail = reject;
    });
    await assert.rejects(withinDeadline(late, 10, 'late work'), ScenarioDeadlineError);
    let unhandled = false;
    const onUnhandled = (): void => {
      unhandled = true;
    };
    process.once('unhandledRejection', onUnhandled);
    fail(new Error('too late'));
    await new Promise((resolve) => setImmediate(resolve));
    process.off('unhandledRejection', onUnhandled);
    assert.equal(unhandled, false);
  });
});
