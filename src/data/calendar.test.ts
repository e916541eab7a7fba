import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { dayKeyFromDate, isoDateOfDayKey, parseIsoDate, toIsoUtc, weekdayOfDayKey } from '../core/time.ts';
import { createCalendar } from './calendar.ts';
import type { CalendarSpec, TradingCalendar } from './calendar.ts';

const us = createCalendar('us_equities');
const utc = createCalendar('24h');
const berlin = createCalendar({ name: 'eu_index_future', timezone: 'Europe/Berlin', open: '09:00', close: '22:00' });

const iso = (ms: number | undefined) => (ms === undefined ? 'none' : toIsoUtc(ms));

/** Weekdays of `year` without a session: the holidays as the calendar sees them. */
function weekdayClosures(cal: TradingCalendar, year: number): string[] {
  const out: string[] = [];
  for (let k = dayKeyFromDate(year, 1, 1); k < dayKeyFromDate(year + 1, 1, 1); k++) {
    if (weekdayOfDayKey(k) <= 5 && !cal.isTradingDay(k)) out.push(isoDateOfDayKey(k));
  }
  return out;
}

/** Shortened sessions of `year` as "date local-open-close". */
function shortSessions(cal: TradingCalendar, year: number): string[] {
  const out: string[] = [];
  for (let k = dayKeyFromDate(year, 1, 1); k < dayKeyFromDate(year + 1, 1, 1); k++) {
    const s = cal.sessionOfDay(k);
    if (s?.shortened) out.push(`${isoDateOfDayKey(k)} ${iso(s.openMs).slice(11, 16)}-${iso(s.closeMs).slice(11, 16)}Z`);
  }
  return out;
}

describe('us_equities holidays', () => {
  it('match the published NYSE schedules', () => {
    expect(weekdayClosures(us, 2006)).toEqual([
      '2006-01-02', '2006-01-16', '2006-02-20', '2006-04-14', '2006-05-29', '2006-07-04', '2006-09-04', '2006-11-23', '2006-12-25',
    ]);
    expect(weekdayClosures(us, 2012)).toEqual([
      '2012-01-02', '2012-01-16', '2012-02-20', '2012-04-06', '2012-05-28', '2012-07-04', '2012-09-03', '2012-10-29', '2012-10-30',
      '2012-11-22', '2012-12-25',
    ]);
    expect(weekdayClosures(us, 2014)).toEqual([
      '2014-01-01', '2014-01-20', '2014-02-17', '2014-04-18', '2014-05-26', '2014-07-04', '2014-09-01', '2014-11-27', '2014-12-25',
    ]);
    expect(weekdayClosures(us, 2024)).toEqual([
      '2024-01-01', '2024-01-15', '2024-02-19', '2024-03-29', '2024-05-27', '2024-06-19', '2024-07-04', '2024-09-02', '2024-11-28',
      '2024-12-25',
    ]);
    expect(weekdayClosures(us, 2025)).toEqual([
      '2025-01-01', '2025-01-09', '2025-01-20', '2025-02-17', '2025-04-18', '2025-05-26', '2025-06-19', '2025-07-04', '2025-09-01',
      '2025-11-27', '2025-12-25',
    ]);
  });

  it('observe weekend holidays on the nearest weekday, except a Saturday New Year', () => {
    // 2022-01-01 was a Saturday: Dec 31, 2021 traded. Juneteenth 2022 was a Sunday; 2027's is a Saturday.
    expect(us.isTradingDay(2021, 12, 31)).toBe(true);
    expect(us.isTradingDay(2021, 12, 24)).toBe(false);
    expect(us.isTradingDay(2022, 6, 20)).toBe(false);
    expect(us.isTradingDay(2027, 6, 18)).toBe(false);
    expect(us.isTradingDay(2010, 7, 5)).toBe(false);
    expect(us.isTradingDay(2015, 7, 3)).toBe(false);
    expect(us.isTradingDay(2021, 6, 18)).toBe(true); // before Juneteenth became an NYSE holiday
    expect(us.isTradingDay(1997, 1, 20)).toBe(true); // before MLK day became one
    expect(us.isTradingDay(1998, 1, 19)).toBe(false);
    expect(us.isTradingDay(2001, 9, 13)).toBe(false);
    expect(us.isTradingDay(2001, 9, 17)).toBe(true);
    expect(us.isTradingDay(2024, 1, 6)).toBe(false); // Saturday
  });

  it('shorten the day after Thanksgiving, Christmas Eve and the eve of Independence Day to 13:00', () => {
    expect(shortSessions(us, 2006)).toEqual(['2006-07-03 13:30-17:00Z', '2006-11-24 14:30-18:00Z']);
    expect(shortSessions(us, 2012)).toEqual(['2012-07-03 13:30-17:00Z', '2012-11-23 14:30-18:00Z', '2012-12-24 14:30-18:00Z']);
    expect(shortSessions(us, 2014)).toEqual(['2014-07-03 13:30-17:00Z', '2014-11-28 14:30-18:00Z', '2014-12-24 14:30-18:00Z']);
    expect(shortSessions(us, 2024)).toEqual(['2024-07-03 13:30-17:00Z', '2024-11-29 14:30-18:00Z', '2024-12-24 14:30-18:00Z']);
    // Before 2013 a Thursday Independence Day shortened the Friday after, not the Wednesday before.
    expect(shortSessions(us, 2002)).toEqual(['2002-07-05 13:30-17:00Z', '2002-11-29 14:30-18:00Z', '2002-12-24 14:30-18:00Z']);
    expect(shortSessions(us, 2013)).toEqual(['2013-07-03 13:30-17:00Z', '2013-11-29 14:30-18:00Z', '2013-12-24 14:30-18:00Z']);
    // 2021: Jul 3 Saturday, Dec 24 the Christmas holiday: only Black Friday is short.
    expect(shortSessions(us, 2021)).toEqual(['2021-11-26 14:30-18:00Z']);
    // One-off: the 1997 circuit-breaker close and the day after Christmas.
    expect(shortSessions(us, 1997)).toEqual([
      '1997-07-03 13:30-17:00Z', '1997-10-27 14:30-20:30Z', '1997-11-28 14:30-18:00Z', '1997-12-24 14:30-18:00Z', '1997-12-26 14:30-18:00Z',
    ]);
  });

  it('has every date of the real daily files as a trading day, and no trading day they lack', () => {
    for (const file of ['orcl-1995-2014', 'nvda-1999-2014', 'yhoo-1996-2014']) {
      const text = readFileSync(new URL(`../../data/daily/${file}.txt`, import.meta.url), 'utf8');
      const keys = text.trim().split('\n').slice(1).map((line) => parseIsoDate(line.slice(0, 10)) ?? NaN);
      const present = new Set(keys);
      const notTrading = keys.filter((k) => !us.isTradingDay(k)).map(isoDateOfDayKey);
      const lacking: string[] = [];
      for (let k = keys[0] ?? 0; k <= (keys.at(-1) ?? 0); k++) if (us.isTradingDay(k) && !present.has(k)) lacking.push(isoDateOfDayKey(k));
      expect({ file, notTrading, lacking }).toEqual({ file, notTrading: [], lacking: [] });
    }
  });
});

describe('sessions and time zones', () => {
  it('follow US daylight saving time', () => {
    expect(iso(us.session(2024, 3, 8)?.closeMs)).toBe('2024-03-08T21:00:00.000Z');
    expect(iso(us.session(2024, 3, 11)?.openMs)).toBe('2024-03-11T13:30:00.000Z');
    expect(iso(us.session(2024, 11, 1)?.closeMs)).toBe('2024-11-01T20:00:00.000Z');
    expect(iso(us.session(2024, 11, 4)?.openMs)).toBe('2024-11-04T14:30:00.000Z');
  });

  it('follow European summer time, which starts weeks after the US one', () => {
    expect(iso(berlin.session(2024, 3, 28)?.openMs)).toBe('2024-03-28T08:00:00.000Z');
    expect(iso(berlin.session(2024, 4, 2)?.openMs)).toBe('2024-04-02T07:00:00.000Z');
    expect(iso(berlin.session(2024, 10, 25)?.closeMs)).toBe('2024-10-25T20:00:00.000Z');
    expect(iso(berlin.session(2024, 10, 28)?.closeMs)).toBe('2024-10-28T21:00:00.000Z');
    const allDay = createCalendar({ timezone: 'Europe/Berlin', open: '00:00', close: '24:00', weekdays: [1, 2, 3, 4, 5, 6, 7] });
    const len = (y: number, m: number, d: number) => {
      const s = allDay.session(y, m, d);
      return s ? (s.closeMs - s.openMs) / 3_600_000 : 0;
    };
    expect([len(2024, 3, 30), len(2024, 3, 31), len(2024, 10, 27)]).toEqual([24, 23, 25]);
  });

  it('treat sessions as end-inclusive: (open, close]', () => {
    const s = us.session(2024, 1, 2);
    expect(s).toBeDefined();
    if (!s) return;
    expect(us.sessionAt(s.openMs)).toBeUndefined();
    expect(us.sessionAt(s.openMs + 1)).toBe(s);
    expect(us.sessionAt(s.closeMs)).toBe(s);
    expect(us.sessionAt(s.closeMs + 1)).toBeUndefined();
    expect(us.isInSession(Date.UTC(2024, 0, 2, 16, 0))).toBe(true);
    expect(us.isInSession(Date.UTC(2024, 0, 2, 22, 0))).toBe(false);
    expect(us.isInSession(Date.UTC(2024, 0, 6, 16, 0))).toBe(false); // Saturday
    // On the 24h calendar midnight closes the day before.
    const midnight = Date.UTC(2024, 0, 2);
    expect(isoDateOfDayKey(utc.sessionAt(midnight)?.dayKey ?? 0)).toBe('2024-01-01');
    expect(isoDateOfDayKey(utc.dayKey(midnight))).toBe('2024-01-01');
    expect(isoDateOfDayKey(utc.dayKey(midnight + 1))).toBe('2024-01-02');
    expect(isoDateOfDayKey(us.dayKey(Date.UTC(2024, 0, 2, 4, 59)))).toBe('2024-01-01');
    expect(isoDateOfDayKey(us.dayKey(Date.UTC(2024, 0, 2, 21, 0)))).toBe('2024-01-02');
  });

  it('stamp odd dates with the regular close and shortened days with their early close', () => {
    expect(iso(us.sessionCloseUtc(2024, 12, 25))).toBe('2024-12-25T21:00:00.000Z');
    expect(iso(us.sessionCloseUtc(2024, 7, 6))).toBe('2024-07-06T20:00:00.000Z');
    expect(iso(us.sessionCloseUtc(2024, 11, 29))).toBe('2024-11-29T18:00:00.000Z');
    const st = us.stamper();
    expect(iso(st.sessionCloseUtc(2024, 7, 3))).toBe('2024-07-03T17:00:00.000Z');
    expect(iso(st.localToUtc(2024, 7, 3, 9, 31, 0))).toBe('2024-07-03T13:31:00.000Z');
    expect(iso(utc.stamper().sessionCloseUtc(2024, 7, 3))).toBe('2024-07-04T00:00:00.000Z');
  });

  it('list the sessions overlapping a period and find the next one', () => {
    const list = us.sessionsBetween(Date.UTC(2024, 6, 1), Date.UTC(2024, 6, 8)).map((s) => `${isoDateOfDayKey(s.dayKey)}${s.shortened ? '*' : ''}`);
    expect(list).toEqual(['2024-07-01', '2024-07-02', '2024-07-03*', '2024-07-05']);
    // Bounds: a session closing exactly at `from` does not overlap; one open at `to` neither.
    const jul2 = us.session(2024, 7, 2);
    if (!jul2) throw new Error('no session');
    expect(us.sessionsBetween(jul2.closeMs, jul2.closeMs + 3_600_000)).toEqual([]);
    expect(us.sessionsBetween(jul2.openMs - 3_600_000, jul2.openMs)).toEqual([]);
    expect(us.sessionsBetween(jul2.openMs, jul2.openMs + 1)).toEqual([jul2]);
    expect(isoDateOfDayKey(us.nextSession(Date.UTC(2024, 6, 3, 22))?.dayKey ?? 0)).toBe('2024-07-05');
    expect(us.nextSession(jul2.closeMs)).toBe(jul2);
    expect(isoDateOfDayKey(us.nextSession(jul2.closeMs + 1)?.dayKey ?? 0)).toBe('2024-07-03');
  });

  it('covers every bar of the 2006 European index future with its custom 09:00-22:00 Berlin session', () => {
    const text = readFileSync(new URL('../../data/intraday/2006-01-02-volume-min-001.txt', import.meta.url), 'utf8');
    const st = berlin.stamper();
    const outside: string[] = [];
    const days = new Set<number>();
    for (const line of text.trim().split('\n').slice(1)) {
      const [y, mo, d] = line.slice(0, 10).split('-').map(Number) as [number, number, number];
      const [h, mi] = line.slice(11, 16).split(':').map(Number) as [number, number];
      const ms = st.localToUtc(y, mo, d, h, mi, 0);
      const s = berlin.sessionAt(ms);
      if (!s) outside.push(line.slice(0, 19));
      else days.add(s.dayKey);
    }
    expect(outside).toEqual([]);
    expect(days.size).toBe(41);
  });
});

describe('custom calendars and specs', () => {
  it('honour weekdays and holidays', () => {
    const cal = createCalendar({ timezone: 'Asia/Tokyo', open: '09:00', close: '15:00', weekdays: [1, 2, 3], holidays: ['2024-01-01'] });
    expect([1, 2, 3, 4, 5, 6, 7].map((d) => cal.isTradingDay(2024, 1, d))).toEqual([false, true, true, false, false, false, false]);
    expect(iso(cal.session(2024, 1, 2)?.openMs)).toBe('2024-01-02T00:00:00.000Z');
    expect(cal.name).toBe('Asia/Tokyo 09:00-15:00');
    expect(berlin.name).toBe('eu_index_future');
    expect(berlin.timezone).toBe('Europe/Berlin');
  });

  it.each<[string, unknown, RegExp]>([
    ['unknown name', 'nyse', /calendar: unknown calendar "nyse"/],
    ['bad open', { timezone: 'UTC', open: '9:30', close: '16:00' }, /calendar\.open: expected a local time "HH:MM"/],
    ['close before open', { timezone: 'UTC', open: '16:00', close: '09:30' }, /calendar\.close: must be later than open/],
    ['close past 24:00', { timezone: 'UTC', open: '00:00', close: '24:01' }, /calendar\.close: expected/],
    ['bad zone', { timezone: 'New York', open: '09:30', close: '16:00' }, /calendar\.timezone: expected an IANA time zone/],
    ['bad weekday', { timezone: 'UTC', open: '09:30', close: '16:00', weekdays: [1, 8] }, /calendar\.weekdays\[1\]: expected 1 \(Monday\)/],
    ['bad holiday', { timezone: 'UTC', open: '09:30', close: '16:00', holidays: ['2024-02-30'] }, /calendar\.holidays\[0\]: expected a date/],
    ['unknown field', { tz: 'UTC', timezone: 'UTC', open: '09:30', close: '16:00' }, /calendar\.tz: unknown field/],
    ['not an object', 42, /calendar: expected a calendar name or a session object/],
  ])('rejects a spec with %s, naming the field and the known calendars', (_what, spec, message) => {
    let caught: unknown;
    try {
      createCalendar(spec as CalendarSpec);
    } catch (e) {
      caught = e;
    }
    expect(isTradeflowError(caught, 'TF_ERR_CALENDAR')).toBe(true);
    expect((caught as Error).message).toMatch(message);
    expect((caught as Error).message).toContain('us_equities, 24h');
  });
});
