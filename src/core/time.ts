// Time zones and calendar dates: local wall time to UTC and back, cached so that a call per bar stays cheap.
import { IANAZone } from 'luxon';
import { TradeflowError } from './errors.ts';

/**
 * Time-zone conversion that stays cheap when called per bar. Offsets come from the IANA database
 * (through luxon and Intl) once per UTC day and are then cached; the last constant-offset stretch is
 * kept in plain fields, so a call that falls in it costs two comparisons.
 *
 * Local wall times that do not map to exactly one instant are resolved like Temporal's
 * `disambiguation: 'compatible'`:
 * - a nonexistent time (in the spring-forward gap) moves forward by the length of the gap:
 *   02:30 on a US spring-forward day becomes 03:30 daylight time (07:30 UTC);
 * - an ambiguous time (repeated after a fall-back) is the earlier instant, the one still on daylight time:
 *   01:30 on a US fall-back day is 01:30 EDT (05:30 UTC), not EST.
 *
 * Assumption: a zone changes its offset at most once per UTC day and at most once in any two days
 * (true of every rule in use since 1970).
 *
 * A "day key" is a local calendar date as the number of days since 1970-01-01.
 */

/** Milliseconds in a day. */
export const DAY_MS = 86_400_000;

/** A local date and time, month 1-12, weekday 1 (Monday) to 7 (Sunday). */
export interface LocalParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
  /** Offset of local time from UTC at that instant. */
  offsetMs: number;
}

/** Returns the day key (days since 1970-01-01) of a civil date; month 1-12. */
export function dayKeyFromDate(year: number, month: number, day: number): number {
  // Howard Hinnant's days_from_civil: exact for any proleptic Gregorian year, unlike Date.UTC for years < 100.
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Writes year, month and day of a day key into `out` (and returns it). */
export function dateFromDayKey<T extends { year: number; month: number; day: number }>(
  key: number,
  out: T,
): T {
  const z = key + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out.month = month;
  out.day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  return out;
}

/** Returns the ISO weekday of a day key: 1 (Monday) to 7 (Sunday). */
export function weekdayOfDayKey(key: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((key + 3) % 7) + 7) % 7) + 1;
}

/** Returns a day key as `YYYY-MM-DD`. */
export function isoDateOfDayKey(key: number): string {
  const d = dateFromDayKey(key, { year: 0, month: 0, day: 0 });
  return `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

/** Parses `YYYY-MM-DD` into a day key, or returns undefined when it is not a real date. */
export function parseIsoDate(s: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const key = dayKeyFromDate(y, mo, d);
  const back = dateFromDayKey(key, { year: 0, month: 0, day: 0 });
  return back.year === y && back.month === mo && back.day === d ? key : undefined;
}

/** Returns epoch ms of a wall-clock reading as if it were UTC ("wall ms"); month 1-12. */
export function wallMs(
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
  ms = 0,
): number {
  return dayKeyFromDate(year, month, day) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000 + ms;
}

/** Returns an instant as an ISO 8601 UTC string (`2024-01-02T14:30:00.000Z`). */
export function toIsoUtc(ms: number): string {
  return new Date(ms).toISOString();
}

/** One IANA time zone with cached offsets. Get instances from `timeZone(name)`. */
export class TimeZone {
  readonly name: string;
  readonly #iana: IANAZone;
  /** Offset at the start of each UTC day seen, by UTC day number. */
  readonly #dayStartOffset = new Map<number, number>();
  /** Instant of the offset change inside a UTC day (NaN for none), by UTC day number. */
  readonly #transitionAt = new Map<number, number>();
  // The last constant-offset stretch [segStart, segEnd) seen by offsetMs.
  #segStart = 0;
  #segEnd = 0;
  #segOffset = 0;
  // The last stretch of wall times [wallStart, wallEnd) that map to exactly one instant with wallOffset.
  #wallStart = 0;
  #wallEnd = 0;
  #wallOffset = 0;

  constructor(name: string) {
    if (!IANAZone.isValidZone(name)) {
      throw new TradeflowError(
        'TF_ERR_CALENDAR',
        `timezone: unknown IANA time zone "${name}" (for example "America/New_York", "Europe/Berlin", "UTC")`,
      );
    }
    this.name = name;
    this.#iana = IANAZone.create(name);
  }

  /** Returns the offset of local time from UTC at instant `ms` (local = ms + offset). */
  offsetMs(ms: number): number {
    if (ms >= this.#segStart && ms < this.#segEnd) return this.#segOffset;
    return this.#slowOffset(ms);
  }

  /** Returns the local day key of instant `ms`. */
  dayKey(ms: number): number {
    return Math.floor((ms + this.offsetMs(ms)) / DAY_MS);
  }

  /** Returns the instant of a local wall time given as wall ms (see `wallMs`); gaps and overlaps as documented above. */
  wallToUtc(wall: number): number {
    if (wall >= this.#wallStart && wall < this.#wallEnd) return wall - this.#wallOffset;
    return this.#slowWallToUtc(wall);
  }

  /** Returns the instant of a local date and time (month 1-12). */
  localToUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
    return this.wallToUtc(wallMs(year, month, day, hour, minute, second));
  }

  /** Fills `out` with the local date and time of instant `ms` and returns it. */
  parts(ms: number, out: LocalParts): LocalParts {
    const offset = this.offsetMs(ms);
    const wall = ms + offset;
    const key = Math.floor(wall / DAY_MS);
    dateFromDayKey(key, out);
    let rest = wall - key * DAY_MS;
    out.hour = Math.floor(rest / 3_600_000);
    rest -= out.hour * 3_600_000;
    out.minute = Math.floor(rest / 60_000);
    rest -= out.minute * 60_000;
    out.second = Math.floor(rest / 1000);
    out.millisecond = rest - out.second * 1000;
    out.weekday = weekdayOfDayKey(key);
    out.offsetMs = offset;
    return out;
  }

  #rawOffset(ms: number): number {
    return Math.round(this.#iana.offset(ms) * 60_000);
  }

  #offsetAtDayStart(day: number): number {
    let o = this.#dayStartOffset.get(day);
    if (o === undefined) {
      o = this.#rawOffset(day * DAY_MS);
      this.#dayStartOffset.set(day, o);
    }
    return o;
  }

  /** Returns the instant the offset changes inside UTC day `day`, or NaN when it does not. */
  #transitionIn(day: number): number {
    let at = this.#transitionAt.get(day);
    if (at === undefined) {
      const before = this.#offsetAtDayStart(day);
      at =
        this.#offsetAtDayStart(day + 1) === before
          ? NaN
          : this.#findTransition(day * DAY_MS, (day + 1) * DAY_MS, before);
      this.#transitionAt.set(day, at);
    }
    return at;
  }

  /** Returns the first whole second in (lo, hi] whose offset differs from `before`. */
  #findTransition(lo: number, hi: number, before: number): number {
    // Intl resolves offsets to the second, so a search down to one second is exact.
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.#rawOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  #slowOffset(ms: number): number {
    const day = Math.floor(ms / DAY_MS);
    const at = this.#transitionIn(day);
    let start = day * DAY_MS;
    let end = start + DAY_MS;
    let offset = this.#offsetAtDayStart(day);
    if (!Number.isNaN(at)) {
      if (ms < at) end = at;
      else {
        start = at;
        offset = this.#offsetAtDayStart(day + 1);
      }
    }
    // Grow the cached stretch when the new one continues it, so sequential data rarely leaves it.
    if (start === this.#segEnd && offset === this.#segOffset) this.#segEnd = end;
    else if (end === this.#segStart && offset === this.#segOffset) this.#segStart = start;
    else {
      this.#segStart = start;
      this.#segEnd = end;
      this.#segOffset = offset;
    }
    return offset;
  }

  #slowWallToUtc(wall: number): number {
    // Every instant whose wall time is `wall` lies within 14 h of it, so one day either side brackets it.
    const before = this.offsetMs(wall - DAY_MS);
    const after = this.offsetMs(wall + DAY_MS);
    if (before === after) return this.#cacheWall(wall - before, before);
    const uBefore = wall - before;
    const uAfter = wall - after;
    const okBefore = this.offsetMs(uBefore) === before;
    const okAfter = this.offsetMs(uAfter) === after;
    if (okBefore && okAfter) return Math.min(uBefore, uAfter); // overlap: the earlier instant
    if (okBefore) return this.#cacheWall(uBefore, before);
    if (okAfter) return this.#cacheWall(uAfter, after);
    return uBefore; // gap: keep the offset in force before it, which lands after it by the gap's length
  }

  /** Remembers the wall stretch around instant `u` that maps one-to-one with `offset`, and returns `u`. */
  #cacheWall(u: number, offset: number): number {
    this.offsetMs(u);
    const segStart = this.#segStart;
    const segEnd = this.#segEnd;
    // Wall times just after a fall-back also belong to the stretch before it; those take the earlier instant.
    const prevOffset = this.offsetMs(segStart - 1);
    this.#wallStart = segStart + Math.max(offset, prevOffset);
    this.#wallEnd = segEnd + offset;
    this.#wallOffset = offset;
    return u;
  }
}

const zones = new Map<string, TimeZone>();
let lastName = '';
let lastZone: TimeZone | undefined;

/** Returns the shared cached TimeZone for an IANA name; throws TF_ERR_CALENDAR for an unknown one. */
export function timeZone(name: string): TimeZone {
  if (name === lastName && lastZone) return lastZone;
  let z = zones.get(name);
  if (!z) {
    z = new TimeZone(name);
    zones.set(name, z);
  }
  lastName = name;
  lastZone = z;
  return z;
}

/** Returns true when `name` is a known IANA time zone. */
export function isValidTimeZone(name: string): boolean {
  return IANAZone.isValidZone(name);
}

/** Returns epoch ms UTC of a local date and time in `tz` (month 1-12); gaps move forward, overlaps take the earlier instant. */
export function localToUtcMs(
  tz: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
): number {
  return timeZone(tz).wallToUtc(wallMs(year, month, day, hour, minute, second));
}

/** Returns the local date and time of `ms` in `tz`; pass `out` to reuse an object on hot paths. */
export function utcToLocalParts(tz: string, ms: number, out?: LocalParts): LocalParts {
  return timeZone(tz).parts(
    ms,
    out ?? {
      year: 0,
      month: 0,
      day: 0,
      hour: 0,
      minute: 0,
      second: 0,
      millisecond: 0,
      weekday: 0,
      offsetMs: 0,
    },
  );
}

/** Returns the local date of `ms` in `tz` as a day key (days since 1970-01-01). */
export function localDateKey(tz: string, ms: number): number {
  return timeZone(tz).dayKey(ms);
}
