// followResumed against a real HTTP server whose answers the test scripts: which refusals are
// tried again, and where a follow resumes after a cut and after a restart of the node.

import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it } from 'node:test';
import { followResumed } from '../../src/cli/resumed-follow.js';
import { FollowRefused } from '../../src/events/follow-client.js';
import type { VipdEvent } from '../../src/events/types.js';

type Answer = (request: IncomingMessage, response: ServerResponse) => void;

const servers: ReturnType<typeof createServer>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

/** A server answering the n-th follow request with answers[n] (the last one repeats). */
async function scripted(answers: readonly Answer[]) {
  const lastEventIds: (string | undefined)[] = [];
  const server = createServer((request, response) => {
    const id = request.headers['last-event-id'];
    lastEventIds.push(Array.isArray(id) ? id[0] : id);
    const answer = answers[Math.min(lastEventIds.length - 1, answers.length - 1)];
    answer?.(request, response);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { api: `http://127.0.0.1:${port}`, lastEventIds };
}

const event = (seq: number): VipdEvent =>
  ({ seq, timeMs: 0, kind: 'transition', group: 'web', reason: 'test' }) as unknown as VipdEvent;

/** A stream that sends these events, then ends (the node stopping). */
const streamThenEnd =
  (...seqs: number[]): Answer =>
  (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const seq of seqs) response.write(`id: ${seq}\ndata: ${JSON.stringify(event(seq))}\n\n`);
    response.end();
  };

const refuse =
  (status: number): Answer =>
  (_request, response) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(`{"code":"NOPE","message":"refused with ${status}"}`);
  };

const quick = { initialDelayMs: 5, maxDelayMs: 20 };

describe('followResumed', () => {
  it('resumes after the last event seen, printing each event once, and says it was cut', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const { api, lastEventIds } = await scripted([
      streamThenEnd(4, 5),
      refuse(503),
      streamThenEnd(6),
      (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        stop.abort();
      },
    ]);
    const notices: string[] = [];
    await followResumed({
      api,
      lastEventId: 3,
      newestSeq: () => Promise.resolve(6),
      onEvent: (e) => seen.push(e.seq),
      notice: (text) => notices.push(text),
      signal: stop.signal,
      ...quick,
    });
    assert.deepEqual(seen, [4, 5, 6]);
    assert.deepEqual(lastEventIds, ['3', '5', '5', '6']);
    assert.match(notices[0] ?? '', /lost the event stream .*closed the event stream.*reconnecting/);
    assert.match(notices.join('\n'), /resumed the event stream .* after #5/);
  });

  it('starts over from the first event when the node restarted (its newest seq went back)', async () => {
    const stop = new AbortController();
    const seen: number[] = [];
    const { api, lastEventIds } = await scripted([
      streamThenEnd(41),
      streamThenEnd(1, 2),
      (_request) => {
        stop.abort();
      },
    ]);
    const notices: string[] = [];
    await followResumed({
      api,
      lastEventId: 40,
      newestSeq: () => Promise.resolve(2),
      onEvent: (e) => seen.push(e.seq),
      notice: (text) => notices.push(text),
      signal: stop.signal,
      ...quick,
    });
    assert.deepEqual(lastEventIds, ['40', '0', '2']);
    assert.deepEqual(seen, [41, 1, 2]);
    assert.match(notices.join('\n'), /restarted \(its events now end at #2\)/);
  });

  it('does not ask again after a 4xx refusal (a wrong token will not mend itself)', async () => {
    const { api, lastEventIds } = await scripted([refuse(401)]);
    await assert.rejects(
      followResumed({
        api,
        lastEventId: 0,
        newestSeq: () => Promise.resolve(0),
        onEvent: () => undefined,
        notice: () => undefined,
        ...quick,
      }),
      (error: unknown) => error instanceof FollowRefused && error.status === 401,
    );
    assert.equal(lastEventIds.length, 1);
  });

  it('keeps trying while the node cannot be reached, and stops when told', async () => {
    const { api } = await scripted([]);
    servers.splice(0).forEach((server) => server.close());
    const stop = new AbortController();
    const notices: string[] = [];
    let asked = 0;
    await followResumed({
      api,
      lastEventId: 7,
      newestSeq: () => {
        asked += 1;
        if (asked === 3) stop.abort();
        return Promise.resolve(null);
      },
      onEvent: () => undefined,
      notice: (text) => notices.push(text),
      signal: stop.signal,
      ...quick,
    });
    assert.equal(asked, 3, 'asked again after each failed attempt');
    assert.equal(notices.length, 1, 'one notice per outage, not one per attempt');
  });
});
