// BIRD's control-socket replies, as BIRD 2.0.12 sent them (captured in a namespace).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdict } from '../../src/trackers/bird-check.js';
import { BirdProtocolError, parseBirdReply, protocolRows } from '../../src/trackers/bird-reply.js';

const SHOW_ONE =
  '2002-Name       Proto      Table      State  Since         Info\n' +
  '1002-up1        BGP        ---        down   16:05:06.689  Error: Invalid next hop\n' +
  '0000 \n';
const SHOW_ALL =
  '2002-Name       Proto      Table      State  Since         Info\n' +
  '1002-device1    Device     ---        up     16:05:06.683  \n' +
  ' up1        BGP        ---        up     2024-01-02 16:05:06  Established   \n' +
  '0000 \n';

describe('BIRD control socket replies', () => {
  it('a greeting is one final line', () => {
    assert.deepEqual(parseBirdReply('0001 BIRD 2.0.12 ready.\n2002-Name'), {
      code: 1,
      lines: [{ code: 1, text: 'BIRD 2.0.12 ready.' }],
      consumed: 24,
    });
  });

  it('waits for the final line; continuation lines keep their code', () => {
    assert.equal(parseBirdReply(SHOW_ONE.slice(0, -7)), null);
    const reply = parseBirdReply(SHOW_ALL);
    assert.ok(reply !== null);
    assert.equal(reply.code, 0);
    assert.deepEqual(
      reply.lines.map((l) => l.code),
      [2002, 1002, 1002, 0],
    );
    assert.deepEqual(protocolRows(reply), [
      { name: 'device1', proto: 'Device', state: 'up', info: '' },
      { name: 'up1', proto: 'BGP', state: 'up', info: 'Established' },
    ]);
  });

  it('"DDDD" alone ends a reply too; garbage is a typed error', () => {
    assert.deepEqual(parseBirdReply('0000\n')?.lines, [{ code: 0, text: '' }]);
    assert.throws(() => parseBirdReply('HTTP/1.1 200 OK\n'), BirdProtocolError);
    assert.throws(() => parseBirdReply(' orphan\n'), BirdProtocolError);
  });

  it('verdict: up only when up and Established; errors and absences are down with a reason', () => {
    const parse = (text: string) => {
      const reply = parseBirdReply(text);
      assert.ok(reply !== null);
      return reply;
    };
    assert.deepEqual(verdict(parse(SHOW_ALL), 'up1'), {
      ok: true,
      detail: 'BGP up1 up Established',
    });
    assert.deepEqual(verdict(parse(SHOW_ONE), 'up1'), {
      ok: false,
      detail: 'BGP up1 down Error: Invalid next hop',
    });
    assert.equal(verdict(parse(SHOW_ALL), 'other').ok, false);
    const refused = verdict(parse('8003 No protocols match\n'), 'x');
    assert.deepEqual(refused, {
      ok: false,
      detail: 'BIRD refused show protocols "x": 8003 No protocols match',
    });
  });
});
