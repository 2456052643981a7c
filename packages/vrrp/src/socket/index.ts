// The raw IP socket under the VRRP transport, on its own export path (`@vipd/vrrp/socket`)
// for tools that send VRRP by hand, such as the lab's injector: the typed face on raw-socket
// for protocol 112 and the setsockopt numbers it needs. The daemon opens its sockets with
// the main export's openVrrpSocket and never needs these.
export { RawIpSocket } from './raw-ip-socket.js';
export type { RawIpSocketOptions } from './raw-ip-socket.js';
export {
  deviceName,
  ipMembership,
  ipv6Membership,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IP_MULTICAST_TTL,
  IPV6_ADD_MEMBERSHIP,
  IPV6_HDRINCL,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from './socket-options.js';
