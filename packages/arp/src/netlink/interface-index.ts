// An interface's index by name, asked of the kernel (RTM_GETLINK): what every address request
// names the interface by. Both the address manager and the plain address table need it.

import { ArpError } from '../errors.js';
import { RTM_GETLINK, decodeLink, encodeLinkRequest } from './link.js';
import { NetlinkRequestError, type RouteSocket } from './route-socket.js';

/** The index of interface `name`; ArpError INTERFACE_NOT_FOUND when there is none. */
export function lookUpInterfaceIndex(socket: Pick<RouteSocket, 'request'>, name: string): number {
  let replies;
  try {
    replies = socket.request(
      RTM_GETLINK,
      0,
      encodeLinkRequest(name),
      `looking up interface ${name}`,
    );
  } catch (error) {
    if (error instanceof NetlinkRequestError && error.errno === 'ENODEV') {
      throw new ArpError('INTERFACE_NOT_FOUND', `no interface "${name}"`);
    }
    throw error;
  }
  const link = replies.map((reply) => decodeLink(reply.body)).find((l) => l?.name === name);
  if (link === undefined) throw new ArpError('INTERFACE_NOT_FOUND', `no interface "${name}"`);
  return link.interfaceIndex;
}
