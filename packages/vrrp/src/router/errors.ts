// The virtual router's failures, each with a stable `code`. A bad config is refused up front;
// a malformed event is the caller's bug (the codec refuses such packets before they get
// here), so it throws rather than be guessed at; an illegal transition is a bug in this
// module, and throws before a node can hold an address it should not.

export const ROUTER_ERROR_CODES = {
  VRRP_CONFIG_INVALID: 'a virtual router config has a field out of range or of the wrong kind',
  VRRP_EVENT_INVALID:
    'an event handed to the virtual router has a field out of range (a non-finite time, a priority outside 0-255, an interval outside 1-4095 cs, an address of the wrong family)',
  VRRP_ILLEGAL_TRANSITION: 'the state machine tried a transition RFC 5798 §6.4 does not have',
  VRRP_REENTRANT: 'handle() was called from inside handle()',
} as const;

export type RouterErrorCode = keyof typeof ROUTER_ERROR_CODES;

export class VirtualRouterError extends Error {
  constructor(
    readonly code: RouterErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'VirtualRouterError';
  }
}
