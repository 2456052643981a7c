// The real-server role's errors: codes of vipd's one catalog (../errors.ts), narrowed to the
// REALSERVER_* ones so the role cannot throw another subsystem's code by mistake.

import { VipdError, type ErrorCode } from '../errors.js';

export type RealServerErrorCode = Extract<ErrorCode, `REALSERVER_${string}`>;

export class RealServerError extends VipdError {
  declare readonly code: RealServerErrorCode;

  constructor(code: RealServerErrorCode, message?: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'RealServerError';
  }
}
