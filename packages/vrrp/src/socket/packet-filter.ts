// What happens to each packet read: adverts from ourselves and, in unicast mode, from
// strangers are dropped with their reason; the rest go to the caller. Nothing a callback
// throws escapes into the socket's event-loop callback, where it would take the node down.
import { VrrpError } from '../errors.js';
import type { ParsedPacket } from './ip-header.js';
import type { ReceivedPacket, VrrpSocketOptions } from './types.js';

export interface PacketFilterOptions {
  readonly interfaceName: string;
  readonly sourceAddress: string;
  readonly unicastPeers: ReadonlySet<string> | undefined;
  readonly callbacks: Pick<VrrpSocketOptions, 'onPacket' | 'onDrop' | 'onError'>;
}

export type PacketSink = (parsed: ParsedPacket | undefined) => void;

export function packetFilter(options: PacketFilterOptions): PacketSink {
  const { interfaceName, sourceAddress, unicastPeers, callbacks } = options;
  const report = reporter(callbacks.onError);
  return (parsed) => {
    if (parsed === undefined) {
      report(
        new VrrpError(
          'VRRP_MALFORMED_PACKET',
          `a packet on ${interfaceName} was too short for its IP header`,
        ),
      );
      return;
    }
    const packet: ReceivedPacket = { ...parsed, interfaceName };
    try {
      // A looped-back multicast advert, or another node claiming our address: never ours to act on.
      if (packet.sourceAddress === sourceAddress) callbacks.onDrop?.('own-advert', packet);
      else if (unicastPeers !== undefined && !unicastPeers.has(packet.sourceAddress)) {
        callbacks.onDrop?.('unknown-source', packet);
      } else callbacks.onPacket(packet);
    } catch (error) {
      report(
        new VrrpError(
          'VRRP_HANDLER_FAILED',
          `VRRP packet handler on ${interfaceName} threw: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        ),
      );
    }
  };
}

/** onError, itself guarded: a failing error handler has nowhere left to report to. */
export function reporter(onError: (error: Error) => void): (error: Error) => void {
  return (error) => {
    try {
      onError(error);
    } catch {
      // Swallowed on purpose: throwing here would crash the node from inside libuv.
    }
  };
}
