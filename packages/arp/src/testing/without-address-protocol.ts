// The real netlink socket, made to act like a kernel older than Linux 5.18, for the tests of
// what the address manager does when its mark does not stick.
import type { RouteRequests } from '../address-manager.js';
import { IFA_PROTO, IFADDRMSG_BYTES, RTM_NEWADDR } from '../netlink/address.js';
import { decodeAttributes, encodeAttributes } from '../netlink/message.js';

/**
 * A netlink socket that acts like a kernel older than Linux 5.18 on top of the real one:
 * such a kernel accepts RTM_NEWADDR with IFA_PROTO, ignores the attribute, and never reports
 * a protocol back. Dropping it from the request gives the kernel's answers exactly that.
 */
export function withoutAddressProtocol(socket: RouteRequests): RouteRequests {
  return {
    request: (type, flags, body, what) => {
      if (type !== RTM_NEWADDR) return socket.request(type, flags, body, what);
      const attributes = decodeAttributes(body.subarray(IFADDRMSG_BYTES));
      attributes.delete(IFA_PROTO);
      const kept = [...attributes].map(([attribute, value]) => ({ type: attribute, value }));
      return socket.request(
        type,
        flags,
        Buffer.concat([body.subarray(0, IFADDRMSG_BYTES), encodeAttributes(kept)]),
        what,
      );
    },
    close: () => {
      socket.close();
    },
  };
}
