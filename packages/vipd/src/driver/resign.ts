// The one constant of the graceful hand-over that code outside the driver needs (the stop
// budget that `vipd check` prints and the systemd unit is checked against), kept apart so
// that reading it loads nothing else of the driver.

/** resign() waits this much beyond down_multiplier x interval for the backup's takeover. */
export const RESIGN_GRACE_MS = 50;
