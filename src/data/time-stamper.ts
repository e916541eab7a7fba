/**
 * Turns the local date and time written in a data file into epoch ms UTC. Loaders receive one from the
 * session (built from the source's time zone and trading calendar) so that they never guess a zone.
 */
export interface TimeStamper {
  /** Returns epoch ms UTC of a wall-clock time in the source's time zone (month 1-12). */
  localToUtc(year: number, month: number, day: number, hour: number, minute: number, second: number): number;
  /** Returns epoch ms UTC of the session close on a local date: daily bars are stamped with it. */
  sessionCloseUtc(year: number, month: number, day: number): number;
}

/** A stamper for data already in UTC whose daily bars close at `closeHourUtc` (tests and UTC feeds). */
export function utcStamper(closeHourUtc = 21): TimeStamper {
  return {
    localToUtc: (y, mo, d, h, mi, s) => Date.UTC(y, mo - 1, d, h, mi, s),
    sessionCloseUtc: (y, mo, d) => Date.UTC(y, mo - 1, d, closeHourUtc, 0, 0),
  };
}
