// Every failure the VRRP transport reports: a stable `code` callers, metrics and tests rely on,
// and a message that names the interface. The package README lists every code (a test checks).

export const VRRP_ERROR_CODES = {
  VRRP_INVALID_OPTIONS:
    'a socket option is malformed: family, interface name, or an address of the wrong family',
  VRRP_INTERFACE_NOT_FOUND: 'no network interface has that name (in that namespace)',
  VRRP_NO_SOURCE_ADDRESS:
    'the interface has no address of the family, or the configured source address is not on it',
  VRRP_PRIVILEGE: 'opening a raw or packet socket needs CAP_NET_RAW',
  VRRP_SOCKET_OPEN: 'the kernel refused to open or set up the socket; the message names the step',
  VRRP_SEND: 'the kernel refused an advert for one destination; the others were still sent',
  VRRP_RECEIVE: 'reading from the socket failed, or it was lost; the message names the errno',
  VRRP_MALFORMED_PACKET: 'a received packet was too short for its IP header (never decoded)',
  VRRP_HANDLER_FAILED: 'onPacket or onDrop threw; the socket caught it and keeps receiving',
  VRRP_SOCKET_CLOSED: 'send() was called after close()',
} as const;

export type VrrpErrorCode = keyof typeof VRRP_ERROR_CODES;

export class VrrpError extends Error {
  override readonly name: string = 'VrrpError';
  readonly code: VrrpErrorCode;

  constructor(code: VrrpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
