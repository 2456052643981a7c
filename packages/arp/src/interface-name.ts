// The one rule for a Linux interface name, used by everything that names an interface (VIPs,
// the packet socket, vipd's config and real-server role), so a name one of them accepts is
// never refused by another.
//
// The kernel (net/core/dev.c dev_valid_name) takes 1-15 bytes (IFNAMSIZ - 1) with no "/", ":"
// or whitespace, and refuses "." and "..", which would be path components under
// /proc/sys/net/ipv4/conf/.

const INTERFACE_NAME = /^[^\s/:]{1,15}$/;

export function isInterfaceName(text: string): boolean {
  return INTERFACE_NAME.test(text) && text !== '.' && text !== '..';
}

/** What isInterfaceName accepts, for messages. */
export const INTERFACE_NAME_RULE = '1-15 characters, no "/", ":" or spaces, not "." or ".."';
