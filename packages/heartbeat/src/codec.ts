// Encode and decode heartbeat frames (layout in frame.ts). Pure: no sockets, no clock, so
// tests and the fuzzer feed it raw bytes. Decoding checks, in order: size, magic, version,
// the header (fixed fields, cluster, sender and receiver names: at most ~840 bytes), the
// cluster name, then the MAC — and only a frame whose MAC holds has its state section
// (groups, hears) parsed. So a frame from another cluster is reported as such rather than as
// a bad MAC, and a stranger's frame costs one HMAC, never a parse of up to 64 KiB of groups.

import { createHmac, timingSafeEqual, type KeyObject } from 'node:crypto';
import { HeartbeatDecodeError, HeartbeatEncodeError } from './errors.js';
import {
  FIXED_HEADER_BYTES,
  FRAME_KIND_CODES,
  FRAME_MAGIC,
  GROUP_STATE_CODES,
  HEARS_TAG,
  MAC_BYTES,
  MAC_LABEL,
  MASTER_TAG,
  MAX_HEARS,
  MAX_FRAME_BYTES,
  MAX_GROUPS,
  MAX_NAME_BYTES,
  OFFSET_ECHO_HELD,
  OFFSET_ECHO_SENT_AT,
  OFFSET_INCARNATION,
  OFFSET_KIND,
  OFFSET_MAGIC,
  OFFSET_NONCE,
  OFFSET_ROLE,
  OFFSET_SENT_AT,
  OFFSET_SEQ,
  OFFSET_VERSION,
  PROTOCOL_VERSION,
  INCARNATION_BYTES,
  NONCE_BYTES,
  ROLE_CODES,
  type ConnectionRole,
  type FrameKind,
  type HeartbeatFrame,
} from './frame.js';
import type { GroupWireState, WireGroupState } from './types.js';

/** The cluster key, raw or as a KeyObject (cheaper per message). */
export type HmacKey = Uint8Array | KeyObject;

export interface DecodeExpectations {
  readonly key: HmacKey;
  /**
   * Further keys a frame may be signed with (key rotation: peers that have not switched
   * yet, or already have). Tried after `key`, in order.
   */
  readonly acceptKeys?: readonly HmacKey[];
  /** When set, a frame naming another cluster fails with 'wrong-cluster' before the MAC. */
  readonly clusterName?: string;
  /** One per sender: an unchanged state section (the usual case) is not parsed again. */
  readonly groupsCache?: GroupsCache;
}

/** The part of a frame after the header: groups and hears. */
interface StateSection {
  readonly groups: Readonly<Record<string, WireGroupState>>;
  readonly hears: readonly string[] | undefined;
}

/**
 * The last group section decoded from one sender and what it decoded to, handed out again
 * while the bytes stay the same. Decoding is a pure function of the bytes, so this is exact
 * — and parsing 64 groups costs ~20x a byte comparison. The record is frozen; the group
 * states inside are shared too and, like the types say, read-only. Only authenticated
 * frames reach it (the MAC is checked first).
 */
export class GroupsCache {
  bytes: Buffer | null = null;
  groups: Readonly<Record<string, WireGroupState>> = Object.freeze({});
  hears: readonly string[] | undefined = undefined;
}

/** Everything but the state section, which the mesh encodes once per state change. */
export type FrameHeader = Omit<HeartbeatFrame, 'groups' | 'hears'>;

const KIND_BY_CODE = new Map<number, FrameKind>(
  Object.entries(FRAME_KIND_CODES).map(([kind, code]) => [code, kind as FrameKind]),
);
const ROLE_BY_CODE = new Map<number, ConnectionRole>(
  Object.entries(ROLE_CODES).map(([role, code]) => [code, role as ConnectionRole]),
);
const STATE_BY_CODE = new Map<number, GroupWireState>(
  Object.entries(GROUP_STATE_CODES).map(([state, code]) => [code, state as GroupWireState]),
);
const HEX_128 = /^[0-9a-f]{32}$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const UINT64_SAFE_HIGH_MAX = 0x1fffff;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const MAC_LABEL_BYTES = Buffer.from(MAC_LABEL, 'latin1');

export function encodeHeartbeat(frame: HeartbeatFrame, key: HmacKey): Uint8Array {
  return encodeWithGroups(frame, encodeGroups(frame.groups, frame.hears), key);
}

/** The state section (groups, then hears), reusable across frames until the state changes. */
export function encodeGroups(
  groups: Readonly<Record<string, WireGroupState>>,
  hears?: readonly string[],
): Buffer {
  const entries = Object.entries(groups);
  if (entries.length > MAX_GROUPS) {
    throw new HeartbeatEncodeError(
      'INVALID_FIELD',
      `${entries.length} groups; a frame carries at most ${MAX_GROUPS}`,
    );
  }
  let size = 2;
  for (const [name, group] of entries) {
    size += 1 + nameBytes(name, `group name "${name}"`) + 1 + 1 + 8;
    size += 1 + masterBytes(name, group.master);
  }
  size += 1 + hearsBytes(hears);
  if (size > MAX_FRAME_BYTES) {
    throw new HeartbeatEncodeError(
      'FRAME_TOO_LARGE',
      `group states take ${size} bytes; a frame holds at most ${MAX_FRAME_BYTES}`,
    );
  }
  const out = Buffer.allocUnsafe(size);
  let offset = out.writeUInt16BE(entries.length, 0);
  for (const [name, group] of entries) {
    const stateCode = (GROUP_STATE_CODES as Partial<Record<string, number>>)[group.state];
    if (stateCode === undefined) {
      throw new HeartbeatEncodeError('INVALID_FIELD', `group "${name}": unknown state`);
    }
    if (!Number.isInteger(group.priority) || group.priority < 0 || group.priority > 255) {
      throw new HeartbeatEncodeError(
        'INVALID_FIELD',
        `group "${name}": priority ${group.priority} is not an integer 0-255`,
      );
    }
    checkSafeUint(group.epoch, `group "${name}": epoch`);
    offset = writeName(out, offset, name);
    offset = out.writeUInt8(stateCode, offset);
    offset = out.writeUInt8(group.priority, offset);
    offset = writeUint64(out, offset, group.epoch);
    offset = writeMaster(out, offset, group.master);
  }
  writeHears(out, offset, hears);
  return out;
}

function masterBytes(group: string, master: string | null | undefined): number {
  return typeof master === 'string' ? 1 + nameBytes(master, `group "${group}": master`) : 0;
}

function writeMaster(out: Buffer, offset: number, master: string | null | undefined): number {
  if (master === undefined) return out.writeUInt8(MASTER_TAG.absent, offset);
  if (master === null) return out.writeUInt8(MASTER_TAG.none, offset);
  return writeName(out, out.writeUInt8(MASTER_TAG.node, offset), master);
}

function hearsBytes(hears: readonly string[] | undefined): number {
  if (hears === undefined) return 0;
  if (hears.length > MAX_HEARS) {
    throw new HeartbeatEncodeError(
      'INVALID_FIELD',
      `hears lists ${hears.length} nodes; a frame carries at most ${MAX_HEARS}`,
    );
  }
  if (new Set(hears).size !== hears.length) {
    throw new HeartbeatEncodeError('INVALID_FIELD', 'hears names a node twice');
  }
  let size = 2;
  for (const id of hears) size += 1 + nameBytes(id, `hears entry "${id}"`);
  return size;
}

function writeHears(out: Buffer, offset: number, hears: readonly string[] | undefined): number {
  if (hears === undefined) return out.writeUInt8(HEARS_TAG.absent, offset);
  let at = out.writeUInt8(HEARS_TAG.present, offset);
  at = out.writeUInt16BE(hears.length, at);
  for (const id of hears) at = writeName(out, at, id);
  return at;
}

/** Assemble and sign a frame around a state section from encodeGroups. */
export function encodeWithGroups(header: FrameHeader, groups: Uint8Array, key: HmacKey): Buffer {
  checkHex(header.incarnation, 'incarnation');
  checkHex(header.nonce, 'nonce');
  checkSafeUint(header.seq, 'seq');
  checkTimestamp(header.sentAtMs, 'sentAtMs');
  checkTimestamp(header.echoSentAtMs, 'echoSentAtMs');
  checkTimestamp(header.echoHeldMs, 'echoHeldMs');
  const roleCode = (ROLE_CODES as Partial<Record<string, number>>)[header.role];
  if (roleCode === undefined) {
    throw new HeartbeatEncodeError('INVALID_FIELD', `role must be 'dialer' or 'acceptor'`);
  }
  const clusterBytes = nameBytes(header.clusterName, 'cluster name');
  const nodeBytes = nameBytes(header.nodeId, 'node id');
  const receiverBytes = nameBytes(header.receiverId, 'receiver id');
  const size =
    FIXED_HEADER_BYTES +
    (1 + clusterBytes) +
    (1 + nodeBytes) +
    (1 + receiverBytes) +
    groups.length +
    MAC_BYTES;
  if (size > MAX_FRAME_BYTES) {
    throw new HeartbeatEncodeError(
      'FRAME_TOO_LARGE',
      `frame would be ${size} bytes; the limit is ${MAX_FRAME_BYTES}`,
    );
  }
  const out = Buffer.allocUnsafe(size);
  out.writeUInt16BE(FRAME_MAGIC, OFFSET_MAGIC);
  out.writeUInt8(PROTOCOL_VERSION, OFFSET_VERSION);
  out.writeUInt8(FRAME_KIND_CODES[header.kind], OFFSET_KIND);
  out.writeUInt8(roleCode, OFFSET_ROLE);
  out.write(header.incarnation, OFFSET_INCARNATION, INCARNATION_BYTES, 'hex');
  out.write(header.nonce, OFFSET_NONCE, NONCE_BYTES, 'hex');
  writeUint64(out, OFFSET_SEQ, header.seq);
  out.writeDoubleBE(header.sentAtMs, OFFSET_SENT_AT);
  out.writeDoubleBE(header.echoSentAtMs, OFFSET_ECHO_SENT_AT);
  out.writeDoubleBE(header.echoHeldMs, OFFSET_ECHO_HELD);
  let offset = writeName(out, FIXED_HEADER_BYTES, header.clusterName);
  offset = writeName(out, offset, header.nodeId);
  offset = writeName(out, offset, header.receiverId);
  offset += Buffer.from(groups.buffer, groups.byteOffset, groups.length).copy(out, offset);
  frameMac(key, out.subarray(0, offset)).copy(out, offset);
  return out;
}

/** The MAC of a frame: the domain label, then the frame's bytes up to the MAC. */
function frameMac(key: HmacKey, signed: Buffer): Buffer {
  return createHmac('sha256', key).update(MAC_LABEL_BYTES).update(signed).digest();
}

export function decodeHeartbeat(bytes: Uint8Array, expect: DecodeExpectations): HeartbeatFrame {
  return decodeSigned(bytes, expect).frame;
}

/** A decoded frame and which key signed it: 0 for `key`, 1 + i for `acceptKeys[i]`. */
export interface SignedFrame {
  readonly frame: HeartbeatFrame;
  readonly keyIndex: number;
}

export function decodeSigned(bytes: Uint8Array, expect: DecodeExpectations): SignedFrame {
  if (bytes.length > MAX_FRAME_BYTES) {
    throw new HeartbeatDecodeError(
      'OVERSIZED',
      `frame of ${bytes.length} bytes exceeds ${MAX_FRAME_BYTES}`,
    );
  }
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length <= OFFSET_VERSION) {
    throw new HeartbeatDecodeError('TRUNCATED', `frame of ${buf.length} bytes has no header`);
  }
  if (buf.readUInt16BE(OFFSET_MAGIC) !== FRAME_MAGIC) {
    throw new HeartbeatDecodeError('MALFORMED', 'not a vipd heartbeat frame (bad magic)');
  }
  const version = frameVersion(buf);
  if (version !== PROTOCOL_VERSION) {
    throw new HeartbeatDecodeError(
      'BAD_VERSION',
      `protocol version ${version}; this node speaks only ${PROTOCOL_VERSION} ` +
        '(nodes of an earlier build cannot join: upgrade every node)',
    );
  }
  if (buf.length < FIXED_HEADER_BYTES) {
    throw new HeartbeatDecodeError(
      'TRUNCATED',
      `frame of ${buf.length} bytes is shorter than the ${FIXED_HEADER_BYTES}-byte header`,
    );
  }
  const kind = KIND_BY_CODE.get(buf.readUInt8(OFFSET_KIND));
  if (kind === undefined) {
    throw new HeartbeatDecodeError('MALFORMED', `unknown frame kind ${buf.readUInt8(OFFSET_KIND)}`);
  }
  const role = ROLE_BY_CODE.get(buf.readUInt8(OFFSET_ROLE));
  if (role === undefined) {
    throw new HeartbeatDecodeError('MALFORMED', `unknown role ${buf.readUInt8(OFFSET_ROLE)}`);
  }
  // The MAC is always the last 32 bytes: fields that would run into it are truncated.
  const macOffset = Math.max(0, buf.length - MAC_BYTES);
  const reader = new Reader(buf, FIXED_HEADER_BYTES, macOffset);
  const clusterName = reader.name('cluster name');
  if (expect.clusterName !== undefined && clusterName !== expect.clusterName) {
    throw new HeartbeatDecodeError(
      'WRONG_CLUSTER',
      `frame is for cluster "${clusterName}", not "${expect.clusterName}"`,
    );
  }
  const nodeId = reader.name('node id');
  const receiverId = reader.name('receiver id');
  // The header is read; nothing after it is looked at until the MAC holds.
  const keyIndex = signingKeyIndex(buf, macOffset, expect);
  if (keyIndex < 0) {
    throw new HeartbeatDecodeError(
      'BAD_MAC',
      expect.acceptKeys?.length
        ? 'MAC matches none of the cluster keys'
        : 'MAC does not match the cluster key',
    );
  }
  const { groups, hears } = reader.state(expect.groupsCache);
  if (reader.offset < macOffset) {
    throw new HeartbeatDecodeError(
      'MALFORMED',
      `${macOffset - reader.offset} unexpected bytes before the MAC`,
    );
  }
  const frame: HeartbeatFrame = {
    kind,
    role,
    incarnation: buf.toString('hex', OFFSET_INCARNATION, OFFSET_INCARNATION + INCARNATION_BYTES),
    nonce: buf.toString('hex', OFFSET_NONCE, OFFSET_NONCE + NONCE_BYTES),
    seq: readSafeUint64(buf, OFFSET_SEQ, 'seq'),
    sentAtMs: readTimestamp(buf, OFFSET_SENT_AT, 'sentAtMs'),
    echoSentAtMs: readTimestamp(buf, OFFSET_ECHO_SENT_AT, 'echoSentAtMs'),
    echoHeldMs: readTimestamp(buf, OFFSET_ECHO_HELD, 'echoHeldMs'),
    clusterName,
    nodeId,
    receiverId,
    groups,
    ...(hears === undefined ? {} : { hears }),
  };
  return { frame, keyIndex };
}

/** Index of the key whose MAC over buf[0, macOffset) is the frame's, or -1. */
function signingKeyIndex(buf: Buffer, macOffset: number, expect: DecodeExpectations): number {
  const signed = buf.subarray(0, macOffset);
  const mac = buf.subarray(macOffset);
  const matches = (key: HmacKey) => timingSafeEqual(frameMac(key, signed), mac);
  if (matches(expect.key)) return 0;
  const accepted = (expect.acceptKeys ?? []).findIndex(matches);
  return accepted < 0 ? -1 : accepted + 1;
}

/**
 * The version byte of a frame that starts with the magic (0 if it is too short to have
 * one), whether or not this node speaks it: for telling an operator which build a refused
 * peer runs.
 */
export function frameVersion(bytes: Uint8Array): number {
  return bytes[OFFSET_VERSION] ?? 0;
}

/** Bounds-checked cursor over the variable part; running into the MAC means truncated. */
class Reader {
  constructor(
    private readonly buf: Buffer,
    public offset: number,
    private readonly end: number,
  ) {}

  private need(count: number, what: string): void {
    if (this.offset + count > this.end) {
      throw new HeartbeatDecodeError(
        'TRUNCATED',
        `${what} needs ${count} bytes at offset ${this.offset}; the MAC starts at ${this.end}`,
      );
    }
  }

  name(what: string): string {
    this.need(1, `${what} length`);
    const length = this.buf.readUInt8(this.offset);
    if (length === 0) throw new HeartbeatDecodeError('MALFORMED', `${what} is empty`);
    this.need(1 + length, what);
    const start = this.offset + 1;
    const end = start + length;
    this.offset = end;
    // Names are nearly always ASCII, where latin1 decoding is identical and much cheaper.
    let ascii = true;
    for (let i = start; i < end && ascii; i++) ascii = (this.buf[i] ?? 0) < 0x80;
    if (ascii) return this.buf.toString('latin1', start, end);
    try {
      return utf8.decode(this.buf.subarray(start, end));
    } catch {
      throw new HeartbeatDecodeError('MALFORMED', `${what} is not valid UTF-8`);
    }
  }

  state(cache: GroupsCache | undefined): StateSection {
    const start = this.offset;
    // The state section runs up to the MAC, so identical bytes mean identical state.
    if (cache?.bytes?.equals(this.buf.subarray(start, this.end))) {
      this.offset = this.end;
      return cache;
    }
    const groups = this.parseGroups();
    const hears = this.parseHears();
    if (cache !== undefined && this.offset === this.end) {
      cache.bytes = Buffer.from(this.buf.subarray(start, this.end));
      cache.groups = groups;
      cache.hears = hears;
    }
    return { groups, hears };
  }

  private parseMaster(group: string): string | null | undefined {
    this.need(1, `group "${group}" master tag`);
    const tag = this.buf.readUInt8(this.offset);
    this.offset += 1;
    if (tag === MASTER_TAG.absent) return undefined;
    if (tag === MASTER_TAG.none) return null;
    if (tag === MASTER_TAG.node) return this.name(`group "${group}" master`);
    throw new HeartbeatDecodeError('MALFORMED', `group "${group}": unknown master tag ${tag}`);
  }

  private parseHears(): readonly string[] | undefined {
    this.need(1, 'hears tag');
    const tag = this.buf.readUInt8(this.offset);
    this.offset += 1;
    if (tag === HEARS_TAG.absent) return undefined;
    if (tag !== HEARS_TAG.present) {
      throw new HeartbeatDecodeError('MALFORMED', `unknown hears tag ${tag}`);
    }
    this.need(2, 'hears count');
    const count = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    const hears: string[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < count; i++) {
      const id = this.name(`hears entry ${i}`);
      if (seen.has(id)) throw new HeartbeatDecodeError('MALFORMED', `hears names "${id}" twice`);
      seen.add(id);
      hears.push(id);
    }
    return Object.freeze(hears);
  }

  private parseGroups(): Readonly<Record<string, WireGroupState>> {
    this.need(2, 'group count');
    const count = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    const groups: Record<string, WireGroupState> = {};
    for (let i = 0; i < count; i++) {
      const name = this.name(`group ${i} name`);
      this.need(1 + 1 + 8, `group "${name}"`);
      const state = STATE_BY_CODE.get(this.buf.readUInt8(this.offset));
      if (state === undefined) {
        throw new HeartbeatDecodeError(
          'MALFORMED',
          `group "${name}": unknown state code ${this.buf.readUInt8(this.offset)}`,
        );
      }
      const priority = this.buf.readUInt8(this.offset + 1);
      const epoch = readSafeUint64(this.buf, this.offset + 2, `group "${name}" epoch`);
      this.offset += 10;
      const master = this.parseMaster(name);
      if (Object.hasOwn(groups, name)) {
        throw new HeartbeatDecodeError('MALFORMED', `group "${name}" appears twice`);
      }
      const group: WireGroupState =
        master === undefined ? { priority, state, epoch } : { priority, state, epoch, master };
      if (name === '__proto__') {
        // Assignment would set the prototype; a group may still be called that.
        Object.defineProperty(groups, name, { value: group, enumerable: true });
      } else {
        groups[name] = group;
      }
    }
    return Object.freeze(groups);
  }
}

function readSafeUint64(buf: Buffer, offset: number, what: string): number {
  const high = buf.readUInt32BE(offset);
  if (high > UINT64_SAFE_HIGH_MAX) {
    throw new HeartbeatDecodeError('MALFORMED', `${what} exceeds 2^53-1`);
  }
  return high * 0x1_0000_0000 + buf.readUInt32BE(offset + 4);
}

function readTimestamp(buf: Buffer, offset: number, what: string): number {
  const value = buf.readDoubleBE(offset);
  if (!Number.isFinite(value) || value < 0) {
    throw new HeartbeatDecodeError('MALFORMED', `${what} is not a finite, non-negative number`);
  }
  return value;
}

function writeUint64(out: Buffer, offset: number, value: number): number {
  out.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  return out.writeUInt32BE(value % 0x1_0000_0000, offset + 4);
}

function writeName(out: Buffer, offset: number, name: string): number {
  const length = out.write(name, offset + 1, 'utf8');
  out.writeUInt8(length, offset);
  return offset + 1 + length;
}

function nameBytes(name: string, what: string): number {
  const length = Buffer.byteLength(name, 'utf8');
  if (length === 0 || length > MAX_NAME_BYTES || LONE_SURROGATE.test(name)) {
    throw new HeartbeatEncodeError(
      'INVALID_FIELD',
      `${what} must be 1-${MAX_NAME_BYTES} bytes of well-formed UTF-8 (got ${length} bytes)`,
    );
  }
  return length;
}

function checkHex(value: string, what: string): void {
  if (!HEX_128.test(value)) {
    throw new HeartbeatEncodeError('INVALID_FIELD', `${what} must be 32 lowercase hex digits`);
  }
}

function checkSafeUint(value: number, what: string): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new HeartbeatEncodeError('INVALID_FIELD', `${what} ${value} is not an integer 0-2^53-1`);
  }
}

function checkTimestamp(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new HeartbeatEncodeError('INVALID_FIELD', `${what} must be finite and >= 0`);
  }
}
