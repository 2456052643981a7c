// RFC 5798 §6.1 timers. All of them follow the *master's* advertised interval: a backup
// learns Master_Adver_Interval from the adverts it accepts (§6.4.2), so a pair with different
// configured intervals still agrees on when the master is late.

export const PRIORITY_OWNER = 255;
/** RFC 5798 §5.2.4: the master is giving the role up; backups take over after Skew_Time. */
export const PRIORITY_STOP = 0;
export const MIN_ADVERT_INTERVAL_CS = 1;
/** The 12-bit Max Adver Int field. */
export const MAX_ADVERT_INTERVAL_CS = 4095;

const MS_PER_CS = 10;

export function centisecondsToMs(cs: number): number {
  return cs * MS_PER_CS;
}

/** Skew_Time = ((256 - Priority) * Master_Adver_Interval) / 256, in ms (may be fractional). */
export function skewTimeMs(priority: number, masterAdvertIntervalCs: number): number {
  return ((256 - priority) * centisecondsToMs(masterAdvertIntervalCs)) / 256;
}

/** Master_Down_Interval = (3 * Master_Adver_Interval) + Skew_Time, in ms. */
export function masterDownIntervalMs(priority: number, masterAdvertIntervalCs: number): number {
  return (
    3 * centisecondsToMs(masterAdvertIntervalCs) + skewTimeMs(priority, masterAdvertIntervalCs)
  );
}
