// Exit statuses of vipd and vipctl, documented in packages/vipd/README.md.

export const EXIT = {
  OK: 0,
  /** Anything else: a listener could not bind, an unexpected error. */
  FAILURE: 1,
  /** Bad command line (unknown option, missing argument). */
  USAGE: 2,
  /** The configuration file is invalid (every problem was printed). */
  CONFIG_INVALID: 3,
  /** Missing CAP_NET_ADMIN / CAP_NET_RAW. */
  MISSING_CAPABILITY: 4,
  /** The kernel cannot mark vipd's addresses (IFA_PROTO, Linux 5.18+): a restart will not help. */
  KERNEL_UNSUPPORTED: 9,
  // vipctl
  /** The node refused: fault, maintenance, no quorum, not master (HTTP 409). */
  REFUSED: 5,
  /** No token, wrong token, or the node has none configured (HTTP 401/403). */
  UNAUTHORIZED: 6,
  /** No such group (HTTP 404). */
  NOT_FOUND: 7,
  /** The API did not answer, or answered 503/504 (starting, stopping, timeout). */
  UNAVAILABLE: 8,
  /** vipctl status: a group is in FAULT or has no master, or (--cluster) the nodes disagree. */
  UNHEALTHY: 10,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The status of a `vipd run` that could not start, from its error's code. */
export function startFailureExit(code: string): ExitCode {
  return code === 'ADDRESS_MARK_UNSUPPORTED' ? EXIT.KERNEL_UNSUPPORTED : EXIT.FAILURE;
}

/** Statuses of `vipd run` that a restart cannot fix: the unit's RestartPreventExitStatus. */
export const NO_RESTART_EXITS: readonly ExitCode[] = [
  EXIT.CONFIG_INVALID,
  EXIT.MISSING_CAPABILITY,
  EXIT.KERNEL_UNSUPPORTED,
];
