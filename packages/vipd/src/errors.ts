// Every error vipd reports, in one place: a stable code (tests, scripts and alerts match on
// it), the HTTP status the REST API answers with, and a default message. docs/errors.md
// documents each code; a test fails if one is missing there.

export interface ErrorSpec {
  readonly httpStatus: number;
  readonly message: string;
}

export const ERROR_CATALOG = {
  // Configuration
  CONFIG_UNREADABLE: { httpStatus: 500, message: 'the configuration file cannot be read' },
  CONFIG_INVALID: { httpStatus: 400, message: 'the configuration is invalid' },
  CONFIG_RELOAD_UNSUPPORTED: {
    httpStatus: 409,
    message: 'this change needs a restart, not a reload',
  },
  KEY_TOO_SHORT: {
    httpStatus: 400,
    message: 'a cluster key or API token has fewer bytes than vipd requires',
  },
  KEY_FILE_EXPOSED: {
    httpStatus: 400,
    message: 'a key or token file can be read or written by other users',
  },
  SCRIPT_UNSAFE: {
    httpStatus: 400,
    message: "a notify or tracker script can be changed by users other than root and vipd's",
  },
  VIP_UNUSABLE: {
    httpStatus: 400,
    message: 'a VIP is a network, broadcast, multicast, loopback or otherwise special address',
  },
  VIP_IS_NODE_ADDRESS: {
    httpStatus: 400,
    message: "a VIP is a node's own address (a heartbeat address, or one already on this host)",
  },
  API_EXPOSED: {
    httpStatus: 400,
    message: 'the API listens beyond loopback, where its reads need no token',
  },

  // `vipd check` on this host and across a cluster's files
  INTERFACE_MISSING: { httpStatus: 400, message: 'a configured interface does not exist here' },
  LISTEN_ADDRESS_MISSING: {
    httpStatus: 400,
    message: "node.listen's address is not an address of this host",
  },
  CLUSTER_MISMATCH: { httpStatus: 400, message: "the cluster's node files disagree" },

  // REST API: request problems
  INVALID_REQUEST: { httpStatus: 400, message: 'the request does not match its schema' },
  UNAUTHORIZED: { httpStatus: 401, message: 'a valid bearer token is required' },
  API_READ_ONLY: {
    httpStatus: 403,
    message: 'no API token is configured, so mutating calls are disabled',
  },
  NOT_FOUND: { httpStatus: 404, message: 'no such route' },
  BODY_TOO_LARGE: { httpStatus: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { httpStatus: 415, message: 'send the body as application/json' },
  REQUEST_TIMEOUT: {
    httpStatus: 408,
    message: 'the request did not arrive in time; the connection is closed',
  },
  HEADERS_TOO_LARGE: { httpStatus: 431, message: 'the request headers are too large' },
  HOST_NOT_ALLOWED: {
    httpStatus: 421,
    message: 'the Host header names neither an IP address, localhost nor an api.allowed_hosts name',
  },
  TOO_MANY_STREAMS: {
    httpStatus: 503,
    message: 'as many event streams are open as the node serves at once',
  },

  // REST API: the election refused an operator command (codes match @vipd/election RefusalCode)
  UNKNOWN_GROUP: { httpStatus: 404, message: 'no group with that name on this node' },
  GROUP_IN_FAULT: { httpStatus: 409, message: 'the group is in FAULT on this node' },
  NODE_IN_MAINTENANCE: { httpStatus: 409, message: 'this node is in maintenance' },
  NO_QUORUM: { httpStatus: 409, message: 'this node does not hear a majority of the cluster' },
  NODE_RESIGNED: { httpStatus: 409, message: 'this node is shutting down' },
  NOT_MASTER: { httpStatus: 409, message: 'this node is not master of the group' },
  NO_CANDIDATE: {
    httpStatus: 409,
    message: 'no other live node could take the group over, so it was not released',
  },
  TAKEOVER_TIMEOUT: {
    httpStatus: 504,
    message: 'the takeover was accepted but the VIPs were not announced in time',
  },
  RELEASE_TIMEOUT: {
    httpStatus: 504,
    message: 'the release was accepted but no other node took the VIPs over in time',
  },
  NOT_READY: { httpStatus: 503, message: 'the daemon is starting or stopping' },
  INTERNAL: { httpStatus: 500, message: 'internal error' },

  // Daemon
  MISSING_CAPABILITY: {
    httpStatus: 500,
    message: 'vipd needs CAP_NET_ADMIN and CAP_NET_RAW to manage addresses',
  },
  LISTEN_FAILED: { httpStatus: 500, message: 'cannot listen on the configured address' },
  ADDRESS_ADD_FAILED: { httpStatus: 500, message: 'a VIP could not be added' },
  ADDRESS_REMOVE_FAILED: { httpStatus: 500, message: 'a VIP could not be removed' },
  ADDRESS_MARK_UNSUPPORTED: {
    httpStatus: 500,
    message: 'the kernel cannot mark the addresses vipd adds (IFA_PROTO needs Linux 5.18+)',
  },
  SERVICE_NOTIFY_FAILED: {
    httpStatus: 500,
    message: 'systemd could not be told about readiness, a reload or a stop',
  },
  NODE_STATE_UNREADABLE: {
    httpStatus: 500,
    message: 'the node state file cannot be read, so the node starts in maintenance',
  },

  // Real-server role (`realserver:`, `vipd realserver apply|check|remove`)
  REALSERVER_CONFIG_INVALID: {
    httpStatus: 400,
    message: 'the realserver section of the configuration is invalid',
  },
  REALSERVER_COMMAND_FAILED: {
    httpStatus: 500,
    message: 'the kernel refused a real-server change, or a system command failed',
  },
  REALSERVER_STATE_INVALID: {
    httpStatus: 500,
    message: 'the real-server state file cannot be understood',
  },
  REALSERVER_SYSCTL_FILE_FOREIGN: {
    httpStatus: 409,
    message: 'the sysctl file exists and was not written by vipd',
  },

  // `vipd import-keepalived`: the keepalived.conf being converted
  KEEPALIVED_UNREADABLE: {
    httpStatus: 400,
    message: 'a keepalived configuration file cannot be read',
  },
  KEEPALIVED_SYNTAX: {
    httpStatus: 400,
    message: 'the keepalived configuration cannot be parsed (braces or quotes do not balance)',
  },
  KEEPALIVED_INCLUDE_FAILED: {
    httpStatus: 400,
    message: 'a keepalived include names no file, or includes itself',
  },

  // vipctl
  API_UNREACHABLE: { httpStatus: 503, message: 'cannot reach the vipd API' },
  TOKEN_MISSING: {
    httpStatus: 401,
    message: 'no API token: pass --token-file or set VIPD_API_TOKEN',
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

export const ERROR_CODES = Object.keys(ERROR_CATALOG) as ErrorCode[];

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CATALOG, value);
}

/** An error with a stable code; `message` says what exactly is wrong. */
export class VipdError extends Error {
  readonly code: ErrorCode;
  readonly httpStatus: number;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? ERROR_CATALOG[code].message, options);
    this.name = 'VipdError';
    this.code = code;
    this.httpStatus = ERROR_CATALOG[code].httpStatus;
  }

  /** The REST API's error body. */
  toBody(): { code: ErrorCode; message: string } {
    return { code: this.code, message: this.message };
  }
}
