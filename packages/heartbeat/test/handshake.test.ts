// The per-connection rules (src/handshake.ts) as a table: a connection's handshake state
// and an authentic frame in, the verdict out. Each row is one rule; the relay rows are the
// frames a relaying attacker (docs/security.md) could carry between connections.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeFrame, peerRole, type HandshakeState, type Verdict } from '../src/handshake.js';
import type { HeartbeatFrame } from '../src/index.js';

const OURS = '0'.repeat(32);
const THEIRS = '1'.repeat(32);
const INCARNATION = 'a'.repeat(32);

/** Node 'b' accepted a connection from 'a'; a's hello has arrived, nothing proven yet. */
const acceptorAfterHello: HandshakeState = {
  role: 'acceptor',
  localNonce: OURS,
  peerNonce: THEIRS,
  peerId: 'a',
  authenticated: false,
  incarnation: null,
  lastSeq: -1,
};

/** A heartbeat from a, the dialer, to b, echoing b's nonce. */
const heartbeat: HeartbeatFrame = {
  kind: 'heartbeat',
  role: 'dialer',
  incarnation: INCARNATION,
  nonce: OURS,
  seq: 10,
  sentAtMs: 1,
  echoSentAtMs: 0,
  echoHeldMs: 0,
  clusterName: 'lab',
  nodeId: 'a',
  receiverId: 'b',
  groups: {},
};
const hello: HeartbeatFrame = { ...heartbeat, kind: 'hello', nonce: THEIRS };

const rows: {
  name: string;
  state: HandshakeState;
  frame: HeartbeatFrame;
  verdict: Verdict['action'] | `reject:${string}`;
}[] = [
  {
    name: "a dialer's hello on a fresh accepted connection: answer with our hello",
    state: { ...acceptorAfterHello, peerNonce: null, peerId: null },
    frame: hello,
    verdict: 'hello',
  },
  {
    name: "an acceptor's hello on our dialed connection: answer with a heartbeat only",
    state: { ...acceptorAfterHello, role: 'dialer', peerNonce: null },
    frame: { ...hello, role: 'acceptor' },
    verdict: 'hello',
  },
  {
    name: 'the first heartbeat echoing our nonce authenticates',
    state: acceptorAfterHello,
    frame: heartbeat,
    verdict: 'authenticate',
  },
  {
    name: 'a later fresh heartbeat on a proven connection',
    state: { ...acceptorAfterHello, authenticated: true, incarnation: INCARNATION, lastSeq: 9 },
    frame: heartbeat,
    verdict: 'heartbeat',
  },
  // Relays: genuine frames signed for another connection.
  {
    name: 'a frame a signed for c, relayed to b',
    state: acceptorAfterHello,
    frame: { ...heartbeat, receiverId: 'c' },
    verdict: 'reject:wrong-receiver',
  },
  {
    name: 'a hello a signed for c, relayed to b',
    state: { ...acceptorAfterHello, peerNonce: null, peerId: null },
    frame: { ...hello, receiverId: 'c' },
    verdict: 'reject:wrong-receiver',
  },
  {
    name: "a's frames as acceptor of another connection, relayed into one a seems to dial",
    state: acceptorAfterHello,
    frame: { ...heartbeat, role: 'acceptor' },
    verdict: 'reject:wrong-role',
  },
  {
    name: "a's hello as dialer, relayed into a connection b dialed",
    state: { ...acceptorAfterHello, role: 'dialer', peerNonce: null },
    frame: hello,
    verdict: 'reject:wrong-role',
  },
  // Replays and order.
  {
    name: 'a heartbeat signed for another connection (nonce)',
    state: acceptorAfterHello,
    frame: { ...heartbeat, nonce: '2'.repeat(32) },
    verdict: 'reject:replay',
  },
  {
    name: 'a heartbeat before the hello',
    state: { ...acceptorAfterHello, peerNonce: null },
    frame: heartbeat,
    verdict: 'reject:malformed',
  },
  {
    name: 'a second hello',
    state: acceptorAfterHello,
    frame: hello,
    verdict: 'reject:malformed',
  },
  {
    name: 'a frame from another node on a connection that belongs to a',
    state: acceptorAfterHello,
    frame: { ...heartbeat, nodeId: 'c' },
    verdict: 'reject:unknown-node',
  },
  {
    name: 'the same seq again',
    state: { ...acceptorAfterHello, authenticated: true, incarnation: INCARNATION, lastSeq: 10 },
    frame: heartbeat,
    verdict: 'reject:replay',
  },
  {
    name: 'an older seq',
    state: { ...acceptorAfterHello, authenticated: true, incarnation: INCARNATION, lastSeq: 11 },
    frame: heartbeat,
    verdict: 'reject:stale',
  },
  {
    name: 'another incarnation on a proven connection',
    state: { ...acceptorAfterHello, authenticated: true, incarnation: 'c'.repeat(32), lastSeq: 1 },
    frame: heartbeat,
    verdict: 'reject:stale',
  },
];

function summary(verdict: Verdict): string {
  return verdict.action === 'reject' ? `reject:${verdict.reason}` : verdict.action;
}

describe('handshake rules', () => {
  for (const { name, state, frame, verdict } of rows) {
    it(`${name} -> ${verdict}`, () => {
      assert.equal(summary(judgeFrame(state, frame, 'b', INCARNATION)), verdict);
    });
  }

  it('answers a hello with our own only on the accepting side', () => {
    const accepted = judgeFrame({ ...acceptorAfterHello, peerNonce: null }, hello, 'b', null);
    const dialed = judgeFrame(
      { ...acceptorAfterHello, role: 'dialer', peerNonce: null },
      { ...hello, role: 'acceptor' },
      'b',
      null,
    );
    assert.deepEqual(
      [accepted, dialed],
      [
        { action: 'hello', answerWithHello: true },
        { action: 'hello', answerWithHello: false },
      ],
    );
  });

  it('cuts a proven connection of a superseded incarnation', () => {
    const verdict = judgeFrame(
      { ...acceptorAfterHello, authenticated: true, incarnation: INCARNATION, lastSeq: 1 },
      heartbeat,
      'b',
      'd'.repeat(32),
    );
    assert.deepEqual(verdict, {
      action: 'reject',
      reason: 'stale',
      detail: 'connection of a superseded incarnation',
      terminate: true,
    });
  });

  it('expects the other role from the peer', () => {
    assert.deepEqual([peerRole('dialer'), peerRole('acceptor')], ['acceptor', 'dialer']);
  });
});
