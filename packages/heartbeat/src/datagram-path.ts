// The datagram path as the mesh sees it (README "Datagram path"): one UDP socket beside the
// listener, where each peer's datagrams go and which sources are accepted as whom, the
// receiver that judges what arrives, and the outlet the sender hands its copies to.

import type { HostPort } from './address.js';
import { GroupsCache } from './codec.js';
import { DatagramReceiver, type DatagramSource } from './datagram-receiver.js';
import {
  openDatagramSocket,
  probeDatagram,
  resolveDatagramRoutes,
  type DatagramRoute,
  type DatagramSocket,
} from './datagram-socket.js';
import type { Liveness } from './liveness.js';
import type { MeshContext } from './mesh-context.js';
import type { ResolvedPeer } from './options.js';
import type { PeerLink } from './peer-link.js';
import type { DatagramOutlet } from './sender.js';

export class DatagramPath implements DatagramOutlet {
  #socket: DatagramSocket | null = null;
  #routes = new Map<string, DatagramRoute>();
  /** The peers each accepted source address speaks for. */
  #sources = new Map<string, DatagramSource>();
  readonly #receiver: DatagramReceiver;

  constructor(
    private readonly ctx: MeshContext,
    links: () => ReadonlyMap<string, PeerLink>,
    liveness: Liveness,
  ) {
    this.#receiver = new DatagramReceiver(ctx, links, () => this.#sources, liveness);
  }

  /** Resolves the peers, then binds `listen.host` at `port`; LISTEN_FAILED if it cannot. */
  async open(listen: HostPort, port: number, peers: readonly ResolvedPeer[]): Promise<void> {
    await this.route(peers);
    this.#socket = await openDatagramSocket(listen, port, {
      message: (bytes, address, port) => {
        this.#receiver.message(bytes, address, port);
      },
      error: (error) => {
        this.ctx.options.logger.warn({ err: error.message }, 'heartbeat datagram socket error');
      },
    });
  }

  /** Where each peer's datagrams go and come from; again at every reload. */
  async route(peers: readonly ResolvedPeer[]): Promise<void> {
    const { routes, unresolved } = await resolveDatagramRoutes(peers);
    for (const { peerId, reason } of unresolved) {
      this.ctx.options.logger.warn(
        { peer: peerId, err: reason },
        'peer host does not resolve: no heartbeat datagrams to or from it',
      );
    }
    this.#routes = new Map(routes.map((route) => [route.peerId, route]));
    const sources = new Map<string, { peers: string[]; groups: GroupsCache }>();
    for (const route of routes) {
      for (const address of route.sources) {
        const source = sources.get(address) ?? { peers: [], groups: new GroupsCache() };
        source.peers.push(route.peerId);
        sources.set(address, source);
      }
    }
    this.#sources = sources;
  }

  send(link: PeerLink, frame: Buffer): void {
    const route = this.#routes.get(link.id);
    if (this.#socket === null || route === undefined) return;
    const { counters, options } = this.ctx;
    counters.datagramsSent++;
    this.#socket.send(frame, route.to, (error) => {
      if (error === null) return;
      counters.datagramSendErrors++;
      options.logger.debug({ peer: link.id, err: error.message }, 'heartbeat datagram not sent');
    });
  }

  /**
   * Sends `frame` once from a socket connected to the peer (probeDatagram): `refused` runs
   * if the peer's kernel answers that nothing listens at its heartbeat port, within `lingerMs`.
   */
  probe(link: PeerLink, frame: Buffer, lingerMs: number, refused: () => void): void {
    const route = this.#routes.get(link.id);
    if (this.#socket === null || route === undefined) return;
    const { counters, options } = this.ctx;
    counters.datagramsSent++;
    probeDatagram(options.listen.host, frame, route.to, lingerMs, () => {
      counters.datagramsRefused++;
      refused();
    });
  }

  async close(): Promise<void> {
    const socket = this.#socket;
    this.#socket = null;
    await socket?.close();
  }
}
