// Trading calendars: which local dates trade, and when each session opens and closes.
import { TradeflowError } from '../core/errors.ts';
import { DAY_MS, dateFromDayKey, dayKeyFromDate, isValidTimeZone, parseIsoDate, timeZone, weekdayOfDayKey } from '../core/time.ts';
import type { TimeZone } from '../core/time.ts';
import { NYSE_HOURS, nyseHolidays, nyseShortSessions } from './holidays.ts';
import type { ShortSession } from './holidays.ts';
import type { TimeStamper } from './time-stamper.ts';

/**
 * Trading calendars: which local dates trade, and when each session opens and closes (epoch ms UTC).
 *
 * Instants belong to a session like bar stamps do: end-inclusive, `openMs < ms <= closeMs`. The same rule
 * gives `dayKey(ms)`, the local date of the instant just before `ms`, so that a bar stamped at 24:00
 * belongs to the day it closes. Sessions are computed once per date and cached.
 */

/** One trading session: its local date (a day key, see core/time) and its open and close instants. */
export interface Session {
  readonly dayKey: number;
  readonly openMs: number;
  readonly closeMs: number;
  /** True for a shortened session (early close or late open). */
  readonly shortened: boolean;
}

/** A session defined by hours, for markets without a built-in calendar. */
export interface CustomSessionSpec {
  readonly name?: string | undefined;
  /** IANA time zone of the open and close times, e.g. "Europe/Berlin". */
  readonly timezone: string;
  /** Local open, "HH:MM". */
  readonly open: string;
  /** Local close, "HH:MM" after open; "24:00" for the end of the day. */
  readonly close: string;
  /** ISO weekdays that trade, 1 = Monday .. 7 = Sunday; Monday to Friday by default. */
  readonly weekdays?: readonly number[] | undefined;
  /** Local dates without a session, "YYYY-MM-DD". */
  readonly holidays?: readonly string[] | undefined;
}

/** The built-in calendar names. */
export const CALENDAR_NAMES = ['us_equities', '24h'] as const;

/** What `createCalendar` accepts: a built-in name or a custom session. */
export type CalendarSpec = (typeof CALENDAR_NAMES)[number] | CustomSessionSpec;

/** How a calendar decides each date: the regular hours and the exceptions. */
interface DayRules {
  readonly openMinutes: number;
  readonly closeMinutes: number;
  /** Bit `1 << weekday` set for trading weekdays. */
  readonly weekdayMask: number;
  isHoliday(key: number): boolean;
  shortSession(key: number): ShortSession | undefined;
}

/** A trading calendar in one time zone. Build one with `createCalendar`. */
export class TradingCalendar {
  readonly name: string;
  readonly timezone: string;
  readonly zone: TimeZone;
  readonly #rules: DayRules;
  readonly #sessions = new Map<number, Session | null>();
  #last: Session | undefined;
  #stamper: TimeStamper | undefined;

  constructor(name: string, tz: string, rules: DayRules) {
    this.name = name;
    this.timezone = tz;
    this.zone = timeZone(tz);
    this.#rules = rules;
  }

  /** Returns the session on a local date given as a day key, or undefined when it does not trade. */
  sessionOfDay(key: number): Session | undefined {
    let s = this.#sessions.get(key);
    if (s === undefined) {
      s = this.#compute(key);
      this.#sessions.set(key, s);
    }
    return s ?? undefined;
  }

  /** Returns true when the local date (a day key, or year, month 1-12, day) has a session. */
  isTradingDay(keyOrYear: number, month?: number, day?: number): boolean {
    const key = month === undefined || day === undefined ? keyOrYear : dayKeyFromDate(keyOrYear, month, day);
    return this.sessionOfDay(key) !== undefined;
  }

  /** Returns the session on a local date (month 1-12), or undefined. */
  session(year: number, month: number, day: number): Session | undefined {
    return this.sessionOfDay(dayKeyFromDate(year, month, day));
  }

  /** Returns the close of the session on a local date; for a date without one, the regular close time of that date. */
  sessionCloseUtc(year: number, month: number, day: number): number {
    const key = dayKeyFromDate(year, month, day);
    const s = this.sessionOfDay(key);
    return s ? s.closeMs : this.zone.wallToUtc(key * DAY_MS + this.#rules.closeMinutes * 60_000);
  }

  /** Returns the session with `openMs < ms <= closeMs`, or undefined. */
  sessionAt(ms: number): Session | undefined {
    const last = this.#last;
    if (last !== undefined && ms > last.openMs && ms <= last.closeMs) return last;
    const key = this.zone.dayKey(ms - 1);
    for (let k = key; k >= key - 1; k--) {
      const s = this.sessionOfDay(k);
      if (s !== undefined && ms > s.openMs && ms <= s.closeMs) {
        this.#last = s;
        return s;
      }
    }
    return undefined;
  }

  /** Returns true when `ms` lies inside a session (`openMs < ms <= closeMs`). */
  isInSession(ms: number): boolean {
    return this.sessionAt(ms) !== undefined;
  }

  /** Returns the first session that has not closed before `ms` (the one containing it, or the next), within a year. */
  nextSession(ms: number): Session | undefined {
    const key = this.zone.dayKey(ms - 1);
    for (let k = key - 1; k <= key + 370; k++) {
      const s = this.sessionOfDay(k);
      if (s !== undefined && s.closeMs >= ms) return s;
    }
    return undefined;
  }

  /** Returns the local date of `ms` as a day key, end-inclusive (local midnight belongs to the day before). */
  dayKey(ms: number): number {
    return this.zone.dayKey(ms - 1);
  }

  /** Returns the sessions that overlap (fromMs, toMs], in order. */
  sessionsBetween(fromMs: number, toMs: number): Session[] {
    const out: Session[] = [];
    const last = this.dayKey(toMs);
    for (let k = this.dayKey(fromMs) - 1; k <= last; k++) {
      const s = this.sessionOfDay(k);
      if (s !== undefined && s.closeMs > fromMs && s.openMs < toMs) out.push(s);
    }
    return out;
  }

  /** Returns a stamper for files of this exchange; `fileTimeZone` when the file's clock is another zone. */
  stamper(fileTimeZone?: string): TimeStamper {
    if (fileTimeZone !== undefined && fileTimeZone !== this.timezone) {
      // The file's clock differs from the exchange's (e.g. UTC files of a New York listing): read times
      // in the file's zone, stamp daily bars at this calendar's close.
      const zone = timeZone(fileTimeZone);
      return {
        localToUtc: (y, mo, d, h, mi, s) => zone.localToUtc(y, mo, d, h, mi, s),
        sessionCloseUtc: (y, mo, d) => this.sessionCloseUtc(y, mo, d),
      };
    }
    this.#stamper ??= {
      localToUtc: (y, mo, d, h, mi, s) => this.zone.localToUtc(y, mo, d, h, mi, s),
      sessionCloseUtc: (y, mo, d) => this.sessionCloseUtc(y, mo, d),
    };
    return this.#stamper;
  }

  #compute(key: number): Session | null {
    const r = this.#rules;
    if ((r.weekdayMask & (1 << weekdayOfDayKey(key))) === 0 || r.isHoliday(key)) return null;
    const short = r.shortSession(key);
    const midnight = key * DAY_MS;
    return {
      dayKey: key,
      openMs: this.zone.wallToUtc(midnight + (short?.openMinutes ?? r.openMinutes) * 60_000),
      closeMs: this.zone.wallToUtc(midnight + (short?.closeMinutes ?? r.closeMinutes) * 60_000),
      shortened: short !== undefined,
    };
  }
}

const MON_FRI = 0b0111110;

function nyseRules(): DayRules {
  const years = new Map<number, { holidays: Set<number>; short: Map<number, ShortSession> }>();
  const date = { year: 0, month: 0, day: 0 };
  const year = (key: number) => {
    const y = dateFromDayKey(key, date).year;
    let entry = years.get(y);
    if (!entry) {
      entry = { holidays: new Set(nyseHolidays(y)), short: nyseShortSessions(y) };
      years.set(y, entry);
    }
    return entry;
  };
  return {
    openMinutes: NYSE_HOURS.open,
    closeMinutes: NYSE_HOURS.close,
    weekdayMask: MON_FRI,
    isHoliday: (key) => year(key).holidays.has(key),
    shortSession: (key) => year(key).short.get(key),
  };
}

const KNOWN = `use one of ${CALENDAR_NAMES.join(', ')}, or a custom session { timezone, open: "HH:MM", close: "HH:MM", weekdays?, holidays? }`;
const CUSTOM_KEYS = ['name', 'timezone', 'open', 'close', 'weekdays', 'holidays'];

function fail(path: string, message: string): never {
  throw new TradeflowError('TF_ERR_CALENDAR', `${path}: ${message}; ${KNOWN}`);
}

function parseHhmm(value: unknown, path: string, allow24: boolean): number {
  const m = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : NaN;
  if (!m || Number(m[2]) > 59 || minutes > (allow24 ? 1440 : 1439)) {
    fail(path, `expected a local time "HH:MM"${allow24 ? ' (up to "24:00")' : ''}, got ${JSON.stringify(value)}`);
  }
  return minutes;
}

function customRules(spec: CustomSessionSpec, path: string): DayRules {
  const raw = spec as unknown as Record<string, unknown>;
  for (const k of Object.keys(raw)) if (!CUSTOM_KEYS.includes(k) && raw[k] !== undefined) fail(`${path}.${k}`, `unknown field (known: ${CUSTOM_KEYS.join(', ')})`);
  if (typeof raw.timezone !== 'string' || !isValidTimeZone(raw.timezone)) {
    fail(`${path}.timezone`, `expected an IANA time zone such as "America/New_York", got ${JSON.stringify(raw.timezone)}`);
  }
  if (raw.name !== undefined && typeof raw.name !== 'string') fail(`${path}.name`, 'expected a string');
  const openMinutes = parseHhmm(raw.open, `${path}.open`, false);
  const closeMinutes = parseHhmm(raw.close, `${path}.close`, true);
  if (closeMinutes <= openMinutes) fail(`${path}.close`, `must be later than open (${String(raw.open)}); sessions over midnight are not supported`);
  let weekdayMask = MON_FRI;
  if (raw.weekdays !== undefined) {
    if (!Array.isArray(raw.weekdays) || raw.weekdays.length === 0) fail(`${path}.weekdays`, 'expected a non-empty list of weekdays 1 (Monday) to 7 (Sunday)');
    weekdayMask = 0;
    (raw.weekdays as unknown[]).forEach((w, i) => {
      if (typeof w !== 'number' || !Number.isInteger(w) || w < 1 || w > 7) fail(`${path}.weekdays[${i}]`, `expected 1 (Monday) to 7 (Sunday), got ${JSON.stringify(w)}`);
      weekdayMask |= 1 << w;
    });
  }
  const holidays = new Set<number>();
  if (raw.holidays !== undefined) {
    if (!Array.isArray(raw.holidays)) fail(`${path}.holidays`, 'expected a list of dates "YYYY-MM-DD"');
    (raw.holidays as unknown[]).forEach((h, i) => {
      const key = typeof h === 'string' ? parseIsoDate(h) : undefined;
      if (key === undefined) fail(`${path}.holidays[${i}]`, `expected a date "YYYY-MM-DD", got ${JSON.stringify(h)}`);
      holidays.add(key);
    });
  }
  return { openMinutes, closeMinutes, weekdayMask, isHoliday: (key) => holidays.has(key), shortSession: () => undefined };
}

/**
 * Builds a calendar: `'us_equities'` (NYSE 09:30-16:00 America/New_York with NYSE holidays and 13:00 early
 * closes, see holidays.ts), `'24h'` (every day 00:00-24:00 UTC) or a custom session. `path` names the spec
 * in error messages.
 */
export function createCalendar(spec: CalendarSpec, path = 'calendar'): TradingCalendar {
  if (typeof spec === 'string') {
    switch (spec) {
      case 'us_equities':
        return new TradingCalendar('us_equities', 'America/New_York', nyseRules());
      case '24h':
        return new TradingCalendar('24h', 'UTC', {
          openMinutes: 0,
          closeMinutes: 1440,
          weekdayMask: 0b11111110,
          isHoliday: () => false,
          shortSession: () => undefined,
        });
      default:
        return fail(path, `unknown calendar ${JSON.stringify(spec)}`);
    }
  }
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) fail(path, `expected a calendar name or a session object, got ${JSON.stringify(spec)}`);
  const rules = customRules(spec, path);
  return new TradingCalendar(spec.name ?? `${spec.timezone} ${spec.open}-${spec.close}`, spec.timezone, rules);
}
