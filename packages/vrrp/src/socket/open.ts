// openVrrpSocket: one socket per (interface, family). IPv4 sends and receives on one raw
// socket (its reads start with the IP header, so the TTL can be checked). IPv6 sends on a raw
// socket but receives whole frames from an AF_PACKET socket, because a raw IPv6 socket's
// recvfrom gives neither the header nor the hop limit RFC 5798 §7.1 requires to be 255.
import {
  ArpError,
  inNetns,
  ipv6NextHeaderFilter,
  openPacketSocket,
  type PacketSocket,
} from '@vipd/arp';
import { VRRP_MULTICAST_V4, VRRP_MULTICAST_V6, VRRP_PROTOCOL } from '../codec/types.js';
import { addressBytes } from './address-text.js';
import { checkOptions, type CheckedOptions } from './checked-options.js';
import { VrrpError, type VrrpErrorCode } from '../errors.js';
import { parseIpv4Packet, parseIpv6Frame } from './ip-header.js';
import { packetFilter, reporter, type PacketSink } from './packet-filter.js';
import { RawIpSocket } from './raw-ip-socket.js';
import {
  deviceName,
  ipMembership,
  ipv6Membership,
  IPPROTO_IP,
  IPPROTO_IPV6,
  IP_ADD_MEMBERSHIP,
  IP_HDRINCL,
  IP_MULTICAST_IF,
  IP_MULTICAST_LOOP,
  IPV6_ADD_MEMBERSHIP,
  IPV6_HDRINCL,
  IPV6_MULTICAST_IF,
  IPV6_MULTICAST_LOOP,
  SOL_SOCKET,
  SO_BINDTODEVICE,
} from './socket-options.js';
import { chooseSourceAddress } from './source-address.js';
import { VrrpTransport } from './transport.js';
import type { VrrpSocket, VrrpSocketOptions } from './types.js';

// Async although set-up is synchronous: every failure, typed, arrives as a rejection.
// eslint-disable-next-line @typescript-eslint/require-await
export async function openVrrpSocket(options: VrrpSocketOptions): Promise<VrrpSocket> {
  const checked = checkOptions(options);
  const report = reporter(options.onError);
  try {
    return inNetns(checked.netns, () =>
      checked.family === 4
        ? openIpv4(checked, options, report)
        : openIpv6(checked, options, report),
    );
  } catch (error) {
    throw error instanceof ArpError ? fromArpError(error) : error;
  }
}

type Report = (error: Error) => void;

function openIpv4(checked: CheckedOptions, options: VrrpSocketOptions, report: Report): VrrpSocket {
  let deliver: PacketSink = () => undefined; // nothing is read before set-up returns
  const sender = new RawIpSocket({
    family: 4,
    interfaceName: checked.interfaceName,
    onMessage: (bytes) => {
      deliver(parseIpv4Packet(bytes));
    },
    onError: report,
  });
  return closingOnFailure([sender], () => {
    bindToDevice(sender, checked);
    const sourceAddress = chooseSourceAddress(checked.interfaceName, 4, checked.sourceAddress);
    sender.setOption('IP_HDRINCL', IPPROTO_IP, IP_HDRINCL, 1);
    sender.setOption('IP_MULTICAST_LOOP', IPPROTO_IP, IP_MULTICAST_LOOP, 0);
    if (checked.unicastPeers === undefined) {
      sender.setOption('IP_MULTICAST_IF', IPPROTO_IP, IP_MULTICAST_IF, addressBytes(sourceAddress));
      sender.setOption(
        'IP_ADD_MEMBERSHIP',
        IPPROTO_IP,
        IP_ADD_MEMBERSHIP,
        ipMembership(VRRP_MULTICAST_V4, sourceAddress),
      );
    }
    deliver = packetFilter(filterOptions(checked, sourceAddress, options));
    return transport(checked, sourceAddress, sender, [], report);
  });
}

function openIpv6(checked: CheckedOptions, options: VrrpSocketOptions, report: Report): VrrpSocket {
  // raw-socket reads whatever this socket queues (it cannot shut down its read side): those
  // copies carry no hop limit and are dropped unread, so the queue never fills.
  const sender = new RawIpSocket({
    family: 6,
    interfaceName: checked.interfaceName,
    onMessage: () => undefined,
    onError: report,
  });
  return closingOnFailure([sender], () => {
    bindToDevice(sender, checked);
    const sourceAddress = chooseSourceAddress(checked.interfaceName, 6, checked.sourceAddress);
    const deliver = packetFilter(filterOptions(checked, sourceAddress, options));
    const receiver: PacketSocket = openPacketSocket(checked.interfaceName, {
      filter: ipv6NextHeaderFilter(VRRP_PROTOCOL),
      onFrame: (frame) => {
        // Unicast frames for another host's MAC (a veth or hub passes them): not ours.
        if (frame.direction !== 'otherhost') deliver(parseIpv6Frame(frame.bytes));
      },
      onError: (error) => {
        report(
          new VrrpError(
            'VRRP_RECEIVE',
            `VRRP receive on ${checked.interfaceName}: ${error.message}`,
            { cause: error },
          ),
        );
      },
    });
    return closingOnFailure([receiver], () => {
      const index = Buffer.alloc(4);
      index.writeInt32LE(receiver.interfaceIndex);
      sender.setOption('IPV6_HDRINCL', IPPROTO_IPV6, IPV6_HDRINCL, 1);
      sender.setOption('IPV6_MULTICAST_LOOP', IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0);
      sender.setOption('IPV6_MULTICAST_IF', IPPROTO_IPV6, IPV6_MULTICAST_IF, index);
      if (checked.unicastPeers === undefined) {
        // The join is what makes the NIC accept 33:33:00:00:00:12 for the packet socket to see.
        sender.setOption(
          'IPV6_ADD_MEMBERSHIP',
          IPPROTO_IPV6,
          IPV6_ADD_MEMBERSHIP,
          ipv6Membership(VRRP_MULTICAST_V6, receiver.interfaceIndex),
        );
      }
      return transport(checked, sourceAddress, sender, [receiver], report);
    });
  });
}

function bindToDevice(sender: RawIpSocket, checked: CheckedOptions): void {
  // Receive only this interface's adverts and send only out of it, whatever the routes say.
  sender.setOption(
    'SO_BINDTODEVICE',
    SOL_SOCKET,
    SO_BINDTODEVICE,
    deviceName(checked.interfaceName),
  );
}

function filterOptions(checked: CheckedOptions, sourceAddress: string, options: VrrpSocketOptions) {
  if (checked.unicastPeers?.has(sourceAddress) === true) {
    throw new VrrpError(
      'VRRP_INVALID_OPTIONS',
      `unicast peer ${sourceAddress} on ${checked.interfaceName} is this node's own source address`,
    );
  }
  return {
    interfaceName: checked.interfaceName,
    sourceAddress,
    unicastPeers: checked.unicastPeers,
    callbacks: options,
  };
}

function transport(
  checked: CheckedOptions,
  sourceAddress: string,
  sender: RawIpSocket,
  others: readonly { close(): void }[],
  report: Report,
): VrrpTransport {
  const multicast = checked.family === 4 ? VRRP_MULTICAST_V4 : VRRP_MULTICAST_V6;
  return new VrrpTransport({
    family: checked.family,
    interfaceName: checked.interfaceName,
    sourceAddress,
    destinations: checked.unicastPeers === undefined ? [multicast] : [...checked.unicastPeers],
    sender,
    others,
    report,
  });
}

/** Runs the rest of a set-up; on failure closes what was already opened and rethrows. */
function closingOnFailure<T>(opened: readonly { close(): void }[], setUp: () => T): T {
  try {
    return setUp();
  } catch (error) {
    for (const socket of opened) socket.close();
    throw error;
  }
}

const ARP_TO_VRRP: Partial<Record<ArpError['code'], VrrpErrorCode>> = {
  MISSING_CAP_NET_RAW: 'VRRP_PRIVILEGE',
  MISSING_CAP_SYS_ADMIN: 'VRRP_PRIVILEGE',
  INTERFACE_NOT_FOUND: 'VRRP_INTERFACE_NOT_FOUND',
  NETNS_NOT_FOUND: 'VRRP_INVALID_OPTIONS',
};

/** The packet socket and namespace helpers come from @vipd/arp; callers see one error type. */
function fromArpError(error: ArpError): VrrpError {
  return new VrrpError(ARP_TO_VRRP[error.code] ?? 'VRRP_SOCKET_OPEN', error.message, {
    cause: error,
  });
}
