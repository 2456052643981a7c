// Errors of the real-server role, each with a stable code that scripts and tests match on.

export const REALSERVER_ERRORS = {
  REALSERVER_CONFIG_INVALID: 'the realserver section of the configuration is invalid',
  REALSERVER_COMMAND_FAILED: 'a system command failed',
  REALSERVER_STATE_INVALID: 'the real-server state file cannot be understood',
  REALSERVER_SYSCTL_FILE_FOREIGN: 'the sysctl file exists and was not written by vipd',
} as const;

export type RealServerErrorCode = keyof typeof REALSERVER_ERRORS;

export class RealServerError extends Error {
  readonly code: RealServerErrorCode;

  constructor(code: RealServerErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? REALSERVER_ERRORS[code], options);
    this.name = 'RealServerError';
    this.code = code;
  }
}
