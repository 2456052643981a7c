// What the mesh's own per-frame work costs with warm caches: encode + sign one heartbeat,
// and verify + decode it on the other side (the unchanged state section comes from the
// sender's cache, as in steady state). Measured in the driver process, in a tight loop, so
// the figure is the code's and not the wakeup's around it.

import { createSecretKey, randomBytes } from 'node:crypto';
import {
  GroupsCache,
  decodeHeartbeat,
  encodeGroups,
  encodeWithGroups,
  type FrameHeader,
} from '../src/codec.js';
import { benchGroups } from './groups.js';

export interface CodecCost {
  readonly encodeUs: number;
  readonly decodeUs: number;
}

const WARMUP = 5_000;
const ROUNDS = 50_000;

function microsPerCall(run: (i: number) => void): number {
  for (let i = 0; i < WARMUP; i++) run(i);
  const started = process.hrtime.bigint();
  for (let i = 0; i < ROUNDS; i++) run(i);
  return Number(process.hrtime.bigint() - started) / ROUNDS / 1000;
}

export function measureCodecCost(groupCount: number): CodecCost {
  const key = createSecretKey(randomBytes(32));
  // As a mesh node sends it (bench/node.ts): its groups, no hears list.
  const state = encodeGroups(benchGroups(groupCount));
  const header: FrameHeader = {
    kind: 'heartbeat',
    role: 'dialer',
    incarnation: 'a'.repeat(32),
    nonce: 'b'.repeat(32),
    seq: 1,
    sentAtMs: 1,
    echoSentAtMs: 1,
    echoHeldMs: 0,
    clusterName: 'bench',
    nodeId: 'n01',
    receiverId: 'n02',
  };
  const frames: Buffer[] = [];
  const encodeUs = microsPerCall((i) => {
    frames[i % 2] = encodeWithGroups({ ...header, seq: i + 1 }, state, key);
  });
  const frame = frames[0] ?? Buffer.alloc(0);
  const cache = new GroupsCache();
  const decodeUs = microsPerCall(() => {
    decodeHeartbeat(frame, { key, clusterName: 'bench', groupsCache: cache });
  });
  return { encodeUs, decodeUs };
}
