/** Stable codes for everything the lab can refuse or fail at, so callers can branch on them. */
export type LabErrorCode =
  | 'LAB_NOT_PRIVILEGED'
  | 'LAB_COMMAND_FAILED'
  | 'LAB_TIMEOUT'
  | 'LAB_PROCESS_EXITED'
  | 'LAB_BAD_ARGUMENT'
  | 'LAB_DAEMON_MISSING';

export class LabError extends Error {
  readonly code: LabErrorCode;

  constructor(code: LabErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LabError';
    this.code = code;
  }
}
