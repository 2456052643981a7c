// A hand-driven peer for attacking and abusing a real mesh: it speaks the wire protocol
// through the package's own codec, but every frame, key, nonce and sequence number is the
// test's choice, and it can replay, garble, flood or stop reading.

import { randomBytes } from 'node:crypto';
import { WebSocket, type ClientOptions } from 'ws';
import {
  decodeHeartbeat,
  encodeHeartbeat,
  HEARTBEAT_PATH,
  type HeartbeatFrame,
  type WireGroupState,
} from '../../src/index.js';
import { TEST_CLUSTER, TEST_KEY } from './cluster.js';

export interface RawPeerOptions {
  readonly nodeId: string;
  /** The node our frames are signed for (the mesh we connect to); default 'a'. */
  readonly receiverId?: string;
  /** Our side of the connection as our frames say; default 'dialer' (we connect). */
  readonly role?: HeartbeatFrame['role'];
  readonly key?: Uint8Array;
  readonly clusterName?: string;
  readonly scheme?: 'ws' | 'wss';
  readonly client?: ClientOptions;
}

export class RawPeer {
  readonly nonce = randomBytes(16).toString('hex');
  incarnation = randomBytes(16).toString('hex');
  seq = 0;
  /** Frames from the mesh that decoded under our key. */
  readonly frames: HeartbeatFrame[] = [];
  /** Resolves with the close code once the connection is gone. */
  readonly closed: Promise<number>;
  private readonly waiters: (() => void)[] = [];

  private constructor(
    readonly ws: WebSocket,
    private readonly options: RawPeerOptions,
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code) => {
        resolve(code);
      });
    });
    ws.on('error', () => undefined);
    ws.on('message', (data: Buffer) => {
      try {
        this.frames.push(decodeHeartbeat(data, { key: this.key }));
      } catch {
        // Not ours (wrong key on purpose): nothing to record.
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static async connect(port: number, options: RawPeerOptions): Promise<RawPeer> {
    const ws = new WebSocket(
      `${options.scheme ?? 'ws'}://127.0.0.1:${port}${HEARTBEAT_PATH}`,
      options.client,
    );
    const peer = new RawPeer(ws, options);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return peer;
  }

  get key(): Uint8Array {
    return this.options.key ?? TEST_KEY;
  }

  /**
   * The mesh's hello on this connection (its nonce is what our heartbeats must echo). The
   * mesh sends it only in answer to our valid hello.
   */
  async meshHello(timeoutMs = 2000): Promise<HeartbeatFrame> {
    return this.nextFrame((frame) => frame.kind === 'hello', timeoutMs);
  }

  async nextFrame(
    matches: (frame: HeartbeatFrame) => boolean,
    timeoutMs = 2000,
  ): Promise<HeartbeatFrame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.frames.find(matches);
      if (found !== undefined) return found;
      if (Date.now() > deadline) throw new Error('no matching frame from the mesh');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 20);
      });
    }
  }

  frame(kind: HeartbeatFrame['kind'], patch: Partial<HeartbeatFrame> = {}): Uint8Array {
    return encodeHeartbeat(
      {
        kind,
        role: this.options.role ?? 'dialer',
        incarnation: this.incarnation,
        nonce: this.nonce,
        seq: ++this.seq,
        sentAtMs: performance.timeOrigin + performance.now(),
        echoSentAtMs: 0,
        echoHeldMs: 0,
        clusterName: this.options.clusterName ?? TEST_CLUSTER,
        nodeId: this.options.nodeId,
        receiverId: this.options.receiverId ?? 'a',
        groups: {},
        ...patch,
      },
      this.key,
    );
  }

  send(bytes: Uint8Array | string): void {
    this.ws.send(bytes);
  }

  sendHello(): void {
    this.send(this.frame('hello'));
  }

  /** A heartbeat for this connection: it echoes the mesh's nonce. */
  heartbeat(
    meshNonce: string,
    patch: Partial<HeartbeatFrame> = {},
    groups: Readonly<Record<string, WireGroupState>> = {},
  ): Uint8Array {
    return this.frame('heartbeat', { nonce: meshNonce, groups, ...patch });
  }

  /** Run the handshake as an honest peer; returns the mesh's nonce for this connection. */
  async authenticate(): Promise<string> {
    this.sendHello();
    const hello = await this.meshHello();
    this.send(this.heartbeat(hello.nonce));
    // The mesh answers our hello with a heartbeat echoing our nonce.
    await this.nextFrame((frame) => frame.kind === 'heartbeat' && frame.nonce === this.nonce);
    return hello.nonce;
  }

  terminate(): void {
    this.ws.terminate();
  }
}
