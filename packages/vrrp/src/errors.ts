// Every failure the package reports, in one place: a stable `code` callers, metrics and tests
// rely on, and a message that names what was wrong (the field, the interface, the step). The
// README lists every code (a test checks). A bad packet from the wire is never an error: the
// codec returns it as a DecodeResult with a reason (codec/types.ts), the peer's fault, not ours.

export const VRRP_ERROR_CODES = {
  // Building adverts (encodeAdvert, matchInstance): our bug or a bad config, never the peer's.
  INVALID_VRID: 'a VRID is not an integer 1-255',
  INVALID_PRIORITY: 'a priority is not an integer 0-255',
  INVALID_INTERVAL: 'a max advert interval is not an integer 1-4095 centiseconds',
  INVALID_ADDRESS: 'an address is not IP text of the packet family',
  INVALID_ADDRESS_COUNT: 'an advert carries no address, or more than 255',
  INVALID_FAMILY: 'a packet family is neither 4 nor 6',

  // The transport (openVrrpSocket, RawIpSocket): the message names the interface.
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
  VRRP_SOCKET_CLOSED:
    'send() was called after close(), or the socket closed (close() or a poll error) before a queued send went out',

  // The virtual router: a bad config is refused up front; a malformed event is the caller's
  // bug (the codec refuses such packets before they get here), so it throws rather than be
  // guessed at; an illegal transition is a bug in the router, and throws before a node can
  // hold an address it should not.
  VRRP_CONFIG_INVALID: 'a virtual router config has a field out of range or of the wrong kind',
  VRRP_EVENT_INVALID:
    'an event handed to the virtual router has a field out of range (a non-finite time, a priority outside 0-255, an interval outside 1-4095 cs, an address of the wrong family)',
  VRRP_ILLEGAL_TRANSITION: 'the state machine tried a transition RFC 5798 §6.4 does not have',
  VRRP_REENTRANT: 'handle() was called from inside handle()',
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
