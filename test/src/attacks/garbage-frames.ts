// Maximum-size garbage on the heartbeat port, by someone without the cluster key: binary
// WebSocket messages of exactly 64 KiB (the mesh's maxPayload), sent as fast as the
// connection drains, from `--connections` connections at once, reconnecting whenever the
// node drops one, for `--duration-ms`.
//
//   --kind random     random bytes (fails at the first header check)
//   --kind wrong-mac  a well-formed protocol 3 heartbeat from `--node-id` to `--receiver-id`
//                     of `--cluster`, ~2,000 groups filling the frame, and a MAC under a key
//                     the node does not have: the most a keyless sender can make it read
//                     before it can say no (the node checks the MAC before the groups).
//
// The frame is built here from the wire layout in packages/heartbeat/README.md rather than
// with the package's encoder, so the attack stays what a stranger on the network can send.
//
//   node garbage-frames.js --url ws://A:7410/vipd/heartbeat --kind wrong-mac
//        [--connections 2] [--duration-ms 10000] [--cluster vipd] [--node-id n2]
//        [--receiver-id n1]
import { createHmac, randomBytes } from 'node:crypto';
import { WebSocket } from 'ws';
import { AttackFlags, hardDeadline, report, sleep } from './attack-io.js';

const FRAME_BYTES = 64 * 1024;
const MAC_BYTES = 32;
const POOL_SIZE = 8;

type Kind = 'random' | 'wrong-mac';

const flags = new AttackFlags();
const url = flags.text('url');
const kinds = flags
  .text('kind')
  .split(',')
  .map((k) => k as Kind);
const connections = flags.count('connections', 16, 2);
const durationMs = flags.count('duration-ms', 60_000, 10_000);
const clusterName = flags.text('cluster', 'vipd');
const nodeId = flags.text('node-id', 'n2');
const receiverId = flags.text('receiver-id', 'n1');
hardDeadline(durationMs + 10_000);

function lengthPrefixed(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from([bytes.length]), bytes]);
}

/** A protocol 3 heartbeat of exactly FRAME_BYTES, signed with a key nobody else has. */
function wrongMacFrame(): Buffer {
  const header = Buffer.alloc(69);
  header.writeUInt16BE(0x7668, 0); // magic "vh"
  header.writeUInt8(3, 2); // version
  header.writeUInt8(2, 3); // kind: heartbeat
  header.writeUInt8(1, 4); // role: dialer (the attacker opened the connection)
  randomBytes(32).copy(header, 5); // incarnation, nonce
  header.writeBigUInt64BE(1n, 37); // seq
  header.writeDoubleBE(Date.now(), 45); // sentAtMs
  const names = Buffer.concat([
    lengthPrefixed(clusterName),
    lengthPrefixed(nodeId),
    lengthPrefixed(receiverId),
  ]);
  const hearsTag = Buffer.from([0]);
  // Each group: name length, name, state, priority, epoch (8), master tag: 12 + name bytes.
  const fixed = header.length + names.length + 2 + hearsTag.length + MAC_BYTES;
  const room = FRAME_BYTES - fixed;
  const nameBytes = 20;
  const perGroup = 12 + nameBytes;
  const count = Math.floor(room / perGroup);
  const spare = room - count * perGroup; // widens the last name so the frame is exact
  const groups: Buffer[] = [];
  for (let i = 0; i < count; i += 1) {
    const width = nameBytes + (i === count - 1 ? spare : 0);
    const group = Buffer.alloc(perGroup + (i === count - 1 ? spare : 0));
    group.writeUInt8(width, 0);
    group.write(`g${String(i).padStart(width - 1, '0')}`, 1, 'utf8');
    group.writeUInt8(2, 1 + width); // BACKUP
    group.writeUInt8(100, 2 + width); // priority
    group.writeBigUInt64BE(1n, 3 + width); // epoch
    group.writeUInt8(0, 11 + width); // master: not stated
    groups.push(group);
  }
  const countField = Buffer.alloc(2);
  countField.writeUInt16BE(count, 0);
  const body = Buffer.concat([header, names, countField, ...groups, hearsTag]);
  const mac = createHmac('sha256', randomBytes(32)).update(body).digest();
  return Buffer.concat([body, mac]);
}

function framePool(kind: Kind): Buffer[] {
  return Array.from({ length: POOL_SIZE }, () =>
    kind === 'random' ? randomBytes(FRAME_BYTES) : wrongMacFrame(),
  );
}

const pools = new Map(kinds.map((kind) => [kind, framePool(kind)]));
for (const [kind, pool] of pools) {
  if (pool.some((frame) => frame.length !== FRAME_BYTES)) throw new Error(`${kind}: bad size`);
}
const totals = { connectionsOpened: 0, framesSent: 0, bytesSent: 0, refusedOrFailed: 0 };
const endAt = performance.now() + durationMs;

/** One connection: frames back to back, each sent once the previous one left the socket. */
function flood(pool: readonly Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, handshakeTimeout: 2_000 });
    let next = 0;
    let opened = false;
    const sendNext = (): void => {
      if (ws.readyState !== WebSocket.OPEN || performance.now() >= endAt) {
        ws.terminate();
        return;
      }
      const frame = pool[next++ % pool.length]!;
      ws.send(frame, { binary: true }, (error) => {
        if (error instanceof Error) return;
        totals.framesSent += 1;
        totals.bytesSent += frame.length;
        sendNext();
      });
    };
    ws.on('open', () => {
      opened = true;
      totals.connectionsOpened += 1;
      sendNext();
    });
    ws.on('error', () => undefined);
    ws.on('close', () => {
      if (!opened) totals.refusedOrFailed += 1;
      resolve();
    });
  });
}

async function worker(pool: readonly Buffer[]): Promise<void> {
  while (performance.now() < endAt) {
    await flood(pool);
    // A refused connection must not become a busy loop of handshakes.
    if (performance.now() < endAt) await sleep(1);
  }
}

report({ t: 'ready', kinds, frameBytes: FRAME_BYTES });
const startedAt = performance.now();
await Promise.all(
  Array.from({ length: connections }, (_, i) => worker(pools.get(kinds[i % kinds.length]!)!)),
);
const elapsedMs = performance.now() - startedAt;
report({
  t: 'result',
  ...totals,
  elapsedMs: Math.round(elapsedMs),
  mbPerSecond: Number((totals.bytesSent / 1e6 / (elapsedMs / 1000)).toFixed(1)),
});
process.exit(0);
