// Reported by build-info metrics, /v1/status and `vipd --version`.
export const VIPD_VERSION = '0.1.0';
