// The raw IP socket under the VRRP transport, on its own export path (`@vipd/vrrp/socket`)
// for tools that send VRRP by hand, such as the lab's injector: the typed face on raw-socket
// for protocol 112 and the setsockopt numbers such a sender sets (the kernel building the
// IPv4 header, so IP_MULTICAST_TTL is the TTL on the wire). The daemon opens its sockets with
// the main export's openVrrpSocket and needs none of this.
export { RawIpSocket } from './raw-ip-socket.js';
export type { RawIpSocketOptions } from './raw-ip-socket.js';
export {
  deviceName,
  IPPROTO_IP,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from './socket-options.js';
