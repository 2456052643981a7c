// Messages that say what was meant: the nearest known key for a misspelt one, and the units a
// bare number could have had where a duration belongs.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { durationUnitHint } from '../../src/config/duration.js';
import { suggestKey, unknownKeyMessage } from '../../src/config/key-suggestion.js';
import { validateAgainstSchema } from '../../src/config/validate.js';

function messagesOf(document: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    validateAgainstSchema(document).map((p) => [
      [...p.path, ...(p.key === undefined ? [] : [p.key])].join('.'),
      p.message,
    ]),
  );
}

const node = { id: 'n1', listen: '127.0.0.1:7410' };

describe('unknown keys get the key that was meant', () => {
  it('suggests within the section the key was found in, trackers of each type included', () => {
    const messages = messagesOf({
      node: { ...node, Listen: '127.0.0.1:1' },
      cluster: { heartbeat_intervall: '100ms' },
      trackers: [{ name: 't', type: 'tcp', address: '10.0.0.1:80', timout: '1s' }],
      groups: [
        { name: 'web', interface: 'eth0', addresses: ['10.0.0.9/24'], 'preempt-delay': '1s' },
      ],
    });
    assert.equal(
      messages['cluster.heartbeat_intervall'],
      'unknown key "heartbeat_intervall"; did you mean "heartbeat_interval"?',
    );
    assert.equal(messages['node.Listen'], 'unknown key "Listen"; did you mean "listen"?');
    assert.equal(messages['trackers.0.timout'], 'unknown key "timout"; did you mean "timeout"?');
    assert.equal(
      messages['groups.0.preempt-delay'],
      'unknown key "preempt-delay"; did you mean "preempt_delay"?',
    );
  });

  it('lists the keys allowed when nothing is close, and guesses nothing for a stranger', () => {
    const messages = messagesOf({ node: { ...node, colour: 'blue' } });
    assert.equal(
      messages['node.colour'],
      'unknown key "colour" (allowed here: id, listen, state_file, allow_unsafe_scripts)',
    );
    assert.equal(suggestKey('xyz', ['id', 'listen']), undefined);
    assert.equal(suggestKey('eht0', ['lo', 'eth0', 'eth1']), 'eth0');
    assert.equal(unknownKeyMessage('zzzzzz', []), 'unknown key "zzzzzz"');
  });
});

describe('durations without a unit', () => {
  it('a bare number gets both readings, as a number or as a string', () => {
    const messages = messagesOf({
      node,
      cluster: { heartbeat_interval: 100 },
      groups: [
        { name: 'web', interface: 'eth0', addresses: ['10.0.0.9/24'], preempt_delay: '1.5' },
      ],
    });
    assert.equal(
      messages['cluster.heartbeat_interval'],
      'must be a duration, got number 100: durations need a unit: 100ms or 100s?',
    );
    assert.equal(
      messages['groups.0.preempt_delay'],
      'must be a duration with a unit (ms, s, m, h), e.g. 100ms, 2s or 1m (got the string "1.5"): durations need a unit: 1.5ms or 1.5s?',
    );
  });

  it('offers no unit for what is not a number, and says a duration is wanted', () => {
    assert.equal(durationUnitHint('fast'), undefined);
    assert.equal(durationUnitHint(true), undefined);
    assert.equal(durationUnitHint(' 20 '), 'durations need a unit: 20ms or 20s?');
    const messages = messagesOf({ node, cluster: { heartbeat_interval: true } });
    assert.equal(messages['cluster.heartbeat_interval'], 'must be a duration, got boolean true');
  });

  it('a non-duration of the wrong type keeps the plain message', () => {
    const messages = messagesOf({ node: { id: 5, listen: '127.0.0.1:7410' } });
    assert.equal(messages['node.id'], 'must be a string, got number 5');
  });
});
