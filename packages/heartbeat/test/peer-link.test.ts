// PeerLink's choice among authenticated connections to one peer (the relay attack in docs/security.md): a
// link in use is never moved by a newer connection alone. Sessions here are real Session
// objects over an unconnected ws WebSocket the link never touches.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createManualClock } from '@vipd/clock';
import { WebSocket } from 'ws';
import { PeerLink } from '../src/peer-link.js';
import { CLOSE_DUPLICATE, Session } from '../src/session.js';

const SILENT_MS = 100;
const INCARNATION = 'a'.repeat(32);
/**
 * A ws WebSocket with no connection behind it: ws's server-side form, address null (its
 * typings declare that form without the options argument it reads at runtime).
 */
const noSocket = new WebSocket(null as unknown as string, undefined, {});
const clock = createManualClock();

/** The link to peer 'b' as node 'a' sees it. */
function linkToB(): PeerLink {
  return new PeerLink(
    'b',
    '127.0.0.1:1',
    { host: '127.0.0.1', port: 1 },
    { downAfterMs: 300, cutSilentAfterMs: 1000, reconnectMinDelayMs: 5, reconnectMaxDelayMs: 20 },
    { silent: () => undefined, longSilent: () => undefined },
    clock,
  );
}

/** A connection that authenticated at `heardAtMs`; 'outbound' means a dialed it. */
function proven(link: PeerLink, direction: 'inbound' | 'outbound', heardAtMs: number): Session {
  const session = new Session(noSocket, direction, 'test', 'b', clock);
  session.helloFrom('b', '1'.repeat(32));
  session.authenticate(INCARNATION);
  session.heard(1, heardAtMs);
  link.claim(session);
  return session;
}

describe('PeerLink.adopt', () => {
  it('keeps a healthy active connection when the same side dials again: standby', () => {
    const link = linkToB();
    const first = proven(link, 'inbound', 0);
    link.adopt(first, INCARNATION, 'a', 0, SILENT_MS);
    const second = proven(link, 'inbound', 50);
    const { retire } = link.adopt(second, INCARNATION, 'a', 50, SILENT_MS);
    assert.equal(link.active, first, 'the newer connection did not take over');
    assert.equal(link.standby, second);
    assert.deepEqual(retire, []);
    assert.deepEqual([...link.outgoing()], [first, second], 'heartbeats go out on both');
  });

  it('moves to the standby once the active connection has been silent', () => {
    const link = linkToB();
    const first = proven(link, 'inbound', 0);
    link.adopt(first, INCARNATION, 'a', 0, SILENT_MS);
    const second = proven(link, 'inbound', 50);
    link.adopt(second, INCARNATION, 'a', 50, SILENT_MS);
    assert.equal(link.promoteStandby(SILENT_MS - 1, SILENT_MS), null, 'not silent yet');
    first.heard(2, 80); // the old one still carries the peer's heartbeats
    assert.equal(link.promoteStandby(150, SILENT_MS), null);
    const retired = link.promoteStandby(180, SILENT_MS);
    assert.deepEqual(retired, { session: first, code: CLOSE_DUPLICATE, reason: 'duplicate link' });
    assert.equal(link.active, second);
    assert.equal(link.standby, null);
  });

  it('hands over to the standby when the active connection closes', () => {
    const link = linkToB();
    const first = proven(link, 'inbound', 0);
    link.adopt(first, INCARNATION, 'a', 0, SILENT_MS);
    const second = proven(link, 'inbound', 10);
    link.adopt(second, INCARNATION, 'a', 10, SILENT_MS);
    assert.equal(link.detach(first), 'handed-over');
    assert.equal(link.active, second);
    assert.equal(link.detach(second), 'lost-active');
    assert.equal(link.active, null);
  });

  it('replaces a same-side connection that has gone silent at once', () => {
    const link = linkToB();
    const first = proven(link, 'inbound', 0);
    link.adopt(first, INCARNATION, 'a', 0, SILENT_MS);
    const second = proven(link, 'inbound', 500);
    const { retire } = link.adopt(second, INCARNATION, 'a', 500, SILENT_MS);
    assert.equal(link.active, second);
    assert.equal(link.standby, null);
    assert.deepEqual(
      retire.map((r) => r.session),
      [first],
    );
  });

  it('resolves a dial race by the lower id alone, whatever either connection last carried', () => {
    // Both ends must pick the same connection; a late heartbeat on a loaded host is local.
    for (const heardAtMs of [0, 500]) {
      const link = linkToB();
      const ours = proven(link, 'outbound', 0);
      link.adopt(ours, INCARNATION, 'a', 0, SILENT_MS);
      const theirs = proven(link, 'inbound', heardAtMs);
      const { retire } = link.adopt(theirs, INCARNATION, 'a', heardAtMs, SILENT_MS);
      assert.equal(link.active, ours, "a's own dial (the lower id) is kept");
      assert.deepEqual(
        retire.map((r) => r.session),
        [theirs],
      );
    }
    const link = linkToB();
    const theirs = proven(link, 'inbound', 0);
    link.adopt(theirs, INCARNATION, 'a', 0, SILENT_MS);
    const ours = proven(link, 'outbound', 5);
    const { retire } = link.adopt(ours, INCARNATION, 'a', 5, SILENT_MS);
    assert.equal(link.active, ours, "a's own dial (the lower id) wins");
    assert.deepEqual(
      retire.map((r) => r.session),
      [theirs],
    );
  });

  it('keeps one standby at most: a third connection from the same side replaces it', () => {
    const link = linkToB();
    const first = proven(link, 'inbound', 0);
    link.adopt(first, INCARNATION, 'a', 0, SILENT_MS);
    const second = proven(link, 'inbound', 10);
    link.adopt(second, INCARNATION, 'a', 10, SILENT_MS);
    const third = proven(link, 'inbound', 20);
    const { retire } = link.adopt(third, INCARNATION, 'a', 20, SILENT_MS);
    assert.equal(link.active, first);
    assert.equal(link.standby, third);
    assert.deepEqual(
      retire.map((r) => r.session),
      [second],
    );
  });
});
