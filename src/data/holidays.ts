// The NYSE calendar's rules: full closures and shortened sessions of any year, computed by rule.
import { dayKeyFromDate, weekdayOfDayKey } from '../core/time.ts';

/**
 * NYSE closures and shortened sessions computed by rule, for any year. The rules are the ones in force
 * since 1971 (Monday holidays), plus the dated exceptions since 1994; earlier years get the modern rules,
 * which the exchange did not always follow (Saturday trading, Lincoln's birthday, election day, ...).
 * Source: the NYSE closings history as compiled by pandas_market_calendars, checked against NYSE notices.
 *
 * Full closures:
 * - New Year's Day, Jan 1; a Sunday moves to Monday; a Saturday is not observed (Dec 31 trades);
 * - Martin Luther King Jr. Day, 3rd Monday of January, from 1998;
 * - Washington's Birthday, 3rd Monday of February;
 * - Good Friday;
 * - Memorial Day, last Monday of May;
 * - Juneteenth, Jun 19, from 2022; Saturday -> Friday, Sunday -> Monday;
 * - Independence Day, Jul 4; Saturday -> Friday, Sunday -> Monday;
 * - Labor Day, 1st Monday of September;
 * - Thanksgiving, 4th Thursday of November;
 * - Christmas, Dec 25; Saturday -> Friday, Sunday -> Monday;
 * - one-off closures: see NYSE_SPECIAL_CLOSURES.
 *
 * 13:00 early closes (from 1993 for Thanksgiving, 1995 for the others):
 * - the day after Thanksgiving;
 * - Dec 24 when it is Monday to Thursday (on a Friday it is either the Christmas holiday or a weekend eve);
 * - Jul 3 when it is Monday, Tuesday or Thursday; Jul 3 on a Wednesday from 2013 only: before 2013 the
 *   half day of a Thursday Independence Day was Friday Jul 5 instead (1996, 2002, 2008);
 * - one-off shortened sessions: see NYSE_SPECIAL_SESSIONS.
 * Moments of silence that delayed the open by two or three minutes are not modelled.
 */

/** One-off full-day NYSE closures since 1994 (funerals of presidents, 9/11, hurricane Sandy). */
export const NYSE_SPECIAL_CLOSURES: readonly string[] = [
  '1994-04-27', // Nixon funeral
  '2001-09-11', '2001-09-12', '2001-09-13', '2001-09-14', // September 11
  '2004-06-11', // Reagan funeral
  '2007-01-02', // Ford day of mourning
  '2012-10-29', '2012-10-30', // Hurricane Sandy
  '2018-12-05', // George H. W. Bush day of mourning
  '2025-01-09', // Carter day of mourning
];

/** One-off shortened NYSE sessions since 1995: date -> local [open, close] as 'HH:MM'. */
export const NYSE_SPECIAL_SESSIONS: Readonly<Record<string, readonly [string, string]>> = {
  '1996-01-08': ['11:00', '14:00'], // snowstorm
  '1997-10-27': ['09:30', '15:30'], // circuit breaker
  '1997-12-26': ['09:30', '13:00'],
  '2003-12-26': ['09:30', '13:00'],
  '2005-06-01': ['09:30', '15:56'], // systems communication problem
};

/** Minutes after local midnight of the NYSE regular open, close and early close. */
export const NYSE_HOURS = { open: 9 * 60 + 30, close: 16 * 60, earlyClose: 13 * 60 } as const;

/** Returns the day key of the n-th (1-based) given weekday (1=Mon..7=Sun) of a month, or the last one for n = -1. */
export function nthWeekday(year: number, month: number, weekday: number, n: number): number {
  if (n > 0) {
    const first = dayKeyFromDate(year, month, 1);
    const shift = (weekday - weekdayOfDayKey(first) + 7) % 7;
    return first + shift + (n - 1) * 7;
  }
  const last = dayKeyFromDate(year, month + 1, 1) - 1;
  return last - ((weekdayOfDayKey(last) - weekday + 7) % 7);
}

/** Returns the day key of (Western, Gregorian) Easter Sunday. */
export function easterSunday(year: number): number {
  // Anonymous Gregorian algorithm (Meeus/Jones/Butcher).
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return dayKeyFromDate(year, month, day);
}

/** Saturday -> Friday, Sunday -> Monday. */
function nearestWeekday(key: number): number {
  const wd = weekdayOfDayKey(key);
  return wd === 6 ? key - 1 : wd === 7 ? key + 1 : key;
}

/** Returns the NYSE full-day closures of `year` that fall on weekdays, as sorted day keys. */
export function nyseHolidays(year: number): number[] {
  const days: number[] = [];
  const newYear = dayKeyFromDate(year, 1, 1);
  const nyWd = weekdayOfDayKey(newYear);
  if (nyWd !== 6) days.push(nyWd === 7 ? newYear + 1 : newYear);
  if (year >= 1998) days.push(nthWeekday(year, 1, 1, 3));
  days.push(nthWeekday(year, 2, 1, 3));
  days.push(easterSunday(year) - 2);
  days.push(nthWeekday(year, 5, 1, -1));
  if (year >= 2022) days.push(nearestWeekday(dayKeyFromDate(year, 6, 19)));
  days.push(nearestWeekday(dayKeyFromDate(year, 7, 4)));
  days.push(nthWeekday(year, 9, 1, 1));
  days.push(nthWeekday(year, 11, 4, 4));
  days.push(nearestWeekday(dayKeyFromDate(year, 12, 25)));
  const prefix = `${String(year).padStart(4, '0')}-`;
  for (const iso of NYSE_SPECIAL_CLOSURES) {
    if (iso.startsWith(prefix)) days.push(dayKeyFromDate(year, Number(iso.slice(5, 7)), Number(iso.slice(8, 10))));
  }
  return [...new Set(days)].sort((a, b) => a - b);
}

/** A shortened session: local open and close in minutes after midnight. */
export interface ShortSession {
  readonly openMinutes: number;
  readonly closeMinutes: number;
}

function hhmm(s: string): number {
  return Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5));
}

/** Returns the NYSE shortened sessions of `year` by day key (days that are holidays are left out). */
export function nyseShortSessions(year: number): Map<number, ShortSession> {
  const out = new Map<number, ShortSession>();
  const holidays = new Set(nyseHolidays(year));
  const early: ShortSession = { openMinutes: NYSE_HOURS.open, closeMinutes: NYSE_HOURS.earlyClose };
  const add = (key: number, s: ShortSession) => {
    const wd = weekdayOfDayKey(key);
    if (wd <= 5 && !holidays.has(key)) out.set(key, s);
  };
  if (year >= 1993) add(nthWeekday(year, 11, 4, 4) + 1, early);
  if (year >= 1995) {
    const dec24 = dayKeyFromDate(year, 12, 24);
    if (weekdayOfDayKey(dec24) <= 4) add(dec24, early);
    const jul3 = dayKeyFromDate(year, 7, 3);
    const wd = weekdayOfDayKey(jul3);
    if (wd === 1 || wd === 2 || wd === 4 || (wd === 3 && year >= 2013)) add(jul3, early);
    const jul5 = jul3 + 2;
    if (weekdayOfDayKey(jul5) === 5 && year < 2013) add(jul5, early);
  }
  const prefix = `${String(year).padStart(4, '0')}-`;
  for (const [iso, [open, close]] of Object.entries(NYSE_SPECIAL_SESSIONS)) {
    if (!iso.startsWith(prefix)) continue;
    add(dayKeyFromDate(year, Number(iso.slice(5, 7)), Number(iso.slice(8, 10))), { openMinutes: hhmm(open), closeMinutes: hhmm(close) });
  }
  return out;
}
