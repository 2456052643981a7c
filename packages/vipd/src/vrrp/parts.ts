// What the daemon's VRRP side drives, as ports: the codec, the per-interface socket and the
// state machine of one virtual router, all from @vipd/vrrp. The daemon passes the real ones;
// tests pass the same codec and router with an in-memory link in place of raw sockets.

import {
  VirtualRouter,
  decodeAdvert,
  encodeAdvert,
  matchInstance,
  openVrrpSocket,
  type Advert,
  type AdvertFields,
  type DecodeResult,
  type PacketAddressing,
  type PacketContext,
  type VirtualRouterAction,
  type VirtualRouterConfig,
  type VirtualRouterEvent,
  type VirtualRouterStatus,
  type VrrpSocket,
  type VrrpSocketOptions,
} from '@vipd/vrrp';

/** One virtual router: RFC 5798 §6 events in, actions out (@vipd/vrrp's VirtualRouter). */
export interface VirtualRouterPort {
  handle(event: VirtualRouterEvent): VirtualRouterAction[];
  status(): VirtualRouterStatus;
}

export interface VrrpParts {
  readonly openSocket: (options: VrrpSocketOptions) => Promise<VrrpSocket>;
  readonly createRouter: (config: VirtualRouterConfig) => VirtualRouterPort;
  readonly encodeAdvert: (fields: AdvertFields, addressing: PacketAddressing) => Buffer;
  readonly decodeAdvert: (payload: Buffer, context: PacketContext) => DecodeResult;
  readonly matchInstance: (
    advert: Advert,
    instance: { readonly vrid: number; readonly addresses: readonly string[] },
  ) => DecodeResult;
}

/** The real ones: raw sockets on the host's interfaces. */
export const HOST_VRRP_PARTS: VrrpParts = {
  openSocket: openVrrpSocket,
  createRouter: (config) => new VirtualRouter(config),
  encodeAdvert,
  decodeAdvert,
  matchInstance,
};
