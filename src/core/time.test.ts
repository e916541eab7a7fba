import { DateTime, IANAZone } from 'luxon';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isTradeflowError } from './errors.ts';
import {
  DAY_MS,
  TimeZone,
  dateFromDayKey,
  dayKeyFromDate,
  isoDateOfDayKey,
  localDateKey,
  localToUtcMs,
  parseIsoDate,
  timeZone,
  toIsoUtc,
  utcToLocalParts,
  weekdayOfDayKey,
} from './time.ts';

const iso = (ms: number) => toIsoUtc(ms);

/** A small deterministic PRNG so that random sweeps are repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1_664_525 + 1_013_904_223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('day keys', () => {
  it('round-trip every day from 1899 to 2101 and agree with Date', () => {
    const from = dayKeyFromDate(1899, 1, 1);
    const to = dayKeyFromDate(2101, 12, 31);
    expect(from).toBe(Date.UTC(1899, 0, 1) / DAY_MS);
    const d = { year: 0, month: 0, day: 0 };
    const wrong: number[] = [];
    for (let k = from; k <= to; k++) {
      const js = new Date(k * DAY_MS);
      dateFromDayKey(k, d);
      const ok =
        d.year === js.getUTCFullYear() &&
        d.month === js.getUTCMonth() + 1 &&
        d.day === js.getUTCDate() &&
        dayKeyFromDate(d.year, d.month, d.day) === k &&
        weekdayOfDayKey(k) === (js.getUTCDay() || 7);
      if (!ok) wrong.push(k);
    }
    expect(wrong).toEqual([]);
  });

  it('handles years below 100, where Date.UTC would add 1900', () => {
    expect(isoDateOfDayKey(dayKeyFromDate(50, 3, 1))).toBe('0050-03-01');
    expect(dayKeyFromDate(1970, 1, 1)).toBe(0);
    expect(weekdayOfDayKey(dayKeyFromDate(2024, 1, 1))).toBe(1);
    expect(weekdayOfDayKey(dayKeyFromDate(2024, 1, 7))).toBe(7);
  });

  it('parses ISO dates and rejects impossible ones', () => {
    expect(parseIsoDate('2024-02-29')).toBe(dayKeyFromDate(2024, 2, 29));
    expect(parseIsoDate('2023-02-29')).toBeUndefined();
    expect(parseIsoDate('2024-13-01')).toBeUndefined();
    expect(parseIsoDate('2024-1-01')).toBeUndefined();
  });
});

describe('localToUtcMs', () => {
  it('converts regular times in winter and summer', () => {
    expect(iso(localToUtcMs('America/New_York', 2024, 1, 2, 9, 30, 0))).toBe('2024-01-02T14:30:00.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 7, 1, 9, 30, 0))).toBe('2024-07-01T13:30:00.000Z');
    expect(iso(localToUtcMs('Europe/Berlin', 2006, 1, 2, 9, 0, 0))).toBe('2006-01-02T08:00:00.000Z');
    expect(iso(localToUtcMs('Europe/Berlin', 2006, 7, 3, 22, 0, 0))).toBe('2006-07-03T20:00:00.000Z');
    expect(iso(localToUtcMs('Asia/Kolkata', 2024, 1, 1, 0, 0, 0))).toBe('2023-12-31T18:30:00.000Z');
    expect(iso(localToUtcMs('UTC', 2024, 1, 1, 0, 0, 0))).toBe('2024-01-01T00:00:00.000Z');
  });

  it('moves a time in the spring-forward gap forward by the gap', () => {
    // US 2024-03-10: 02:00 EST -> 03:00 EDT; 02:30 does not exist and becomes 03:30 EDT.
    expect(iso(localToUtcMs('America/New_York', 2024, 3, 10, 2, 30, 0))).toBe('2024-03-10T07:30:00.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 3, 10, 2, 0, 0))).toBe('2024-03-10T07:00:00.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 3, 10, 1, 59, 59))).toBe('2024-03-10T06:59:59.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 3, 10, 3, 0, 0))).toBe('2024-03-10T07:00:00.000Z');
    // EU 2024-03-31: 02:00 CET -> 03:00 CEST.
    expect(iso(localToUtcMs('Europe/Berlin', 2024, 3, 31, 2, 30, 0))).toBe('2024-03-31T01:30:00.000Z');
  });

  it('takes the earlier instant for an ambiguous time after a fall-back', () => {
    // US 2024-11-03: 02:00 EDT -> 01:00 EST; 01:30 happens twice.
    expect(iso(localToUtcMs('America/New_York', 2024, 11, 3, 1, 30, 0))).toBe('2024-11-03T05:30:00.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 11, 3, 0, 59, 0))).toBe('2024-11-03T04:59:00.000Z');
    expect(iso(localToUtcMs('America/New_York', 2024, 11, 3, 2, 0, 0))).toBe('2024-11-03T07:00:00.000Z');
    // EU 2024-10-27: 03:00 CEST -> 02:00 CET.
    expect(iso(localToUtcMs('Europe/Berlin', 2024, 10, 27, 2, 30, 0))).toBe('2024-10-27T00:30:00.000Z');
    expect(iso(localToUtcMs('Europe/Berlin', 2024, 10, 27, 3, 0, 0))).toBe('2024-10-27T02:00:00.000Z');
  });

  it('matches luxon minute by minute across transitions, except that overlaps take the earlier instant', () => {
    // luxon moves gap times forward too, but resolves some overlaps to the later (standard-time) instant.
    for (const [tz, y, mo, d] of [
      ['America/New_York', 2024, 3, 10],
      ['America/New_York', 2024, 11, 3],
      ['Europe/Berlin', 2024, 3, 31],
      ['Europe/Berlin', 2024, 10, 27],
      ['Australia/Lord_Howe', 2024, 4, 7],
      ['Australia/Lord_Howe', 2024, 10, 6],
    ] as const) {
      const z = new TimeZone(tz);
      let earlier = 0;
      for (let m = -24 * 60; m < 48 * 60; m += 1) {
        const wall = Date.UTC(y, mo - 1, d, 0, m, 0);
        const w = new Date(wall);
        const fields = {
          year: w.getUTCFullYear(),
          month: w.getUTCMonth() + 1,
          day: w.getUTCDate(),
          hour: w.getUTCHours(),
          minute: w.getUTCMinutes(),
        };
        const theirs = DateTime.fromObject(fields, { zone: tz }).toMillis();
        const ours = z.wallToUtc(wall);
        if (ours === theirs) continue;
        earlier++;
        // Both instants must show the same wall time, ours first.
        const shown = DateTime.fromMillis(ours, { zone: tz });
        expect(ours, `${tz} ${w.toISOString()}`).toBeLessThan(theirs);
        expect([shown.day, shown.hour, shown.minute]).toEqual([fields.day, fields.hour, fields.minute]);
      }
      // Only the repeated wall hour (half hour on Lord Howe) of a fall-back can differ.
      expect(earlier).toBeLessThanOrEqual(60);
    }
  });

  it('inverts utcToLocalParts except in overlaps, where it returns the earlier instant', () => {
    const next = rng(7);
    for (const tz of [
      'America/New_York',
      'Europe/Berlin',
      'America/Sao_Paulo',
      'Australia/Lord_Howe',
      'Asia/Kolkata',
    ]) {
      const z = new TimeZone(tz);
      let overlaps = 0;
      for (let i = 0; i < 3000; i++) {
        const u =
          Math.floor(Date.UTC(1975, 0, 1) + (next() * (Date.UTC(2035, 0, 1) - Date.UTC(1975, 0, 1))) / 1000) *
          1000;
        const p = z.parts(u, {
          year: 0,
          month: 0,
          day: 0,
          hour: 0,
          minute: 0,
          second: 0,
          millisecond: 0,
          weekday: 0,
          offsetMs: 0,
        });
        const back = z.localToUtc(p.year, p.month, p.day, p.hour, p.minute, p.second);
        if (back !== u) {
          overlaps++;
          expect(back).toBeLessThan(u);
          expect(z.offsetMs(back)).toBeGreaterThan(z.offsetMs(u));
        }
      }
      expect(overlaps).toBeLessThan(10);
    }
  });

  it('rejects an unknown zone with TF_ERR_CALENDAR', () => {
    expect(() => localToUtcMs('Mars/Olympus', 2024, 1, 1)).toThrow(/Mars\/Olympus/);
    try {
      timeZone('Nowhere');
    } catch (e) {
      expect(isTradeflowError(e, 'TF_ERR_CALENDAR')).toBe(true);
    }
    expect.assertions(2);
  });
});

describe('utcToLocalParts and localDateKey', () => {
  it('agree with luxon for random instants in several zones', () => {
    const next = rng(42);
    const out = utcToLocalParts('UTC', 0);
    for (const tz of [
      'America/New_York',
      'Europe/Berlin',
      'Asia/Kolkata',
      'Australia/Lord_Howe',
      'Pacific/Apia',
      'America/Sao_Paulo',
      'UTC',
    ]) {
      for (let i = 0; i < 2000; i++) {
        const ms = Math.floor(Date.UTC(1970, 0, 1) + next() * (Date.UTC(2040, 0, 1) - Date.UTC(1970, 0, 1)));
        const p = utcToLocalParts(tz, ms, out);
        const l = DateTime.fromMillis(ms, { zone: tz });
        expect([
          p.year,
          p.month,
          p.day,
          p.hour,
          p.minute,
          p.second,
          p.millisecond,
          p.weekday,
          p.offsetMs / 60_000,
        ]).toEqual([l.year, l.month, l.day, l.hour, l.minute, l.second, l.millisecond, l.weekday, l.offset]);
        expect(localDateKey(tz, ms)).toBe(dayKeyFromDate(l.year, l.month, l.day));
      }
    }
  });

  it('agrees with luxon second by second across a fall-back transition (sequential, warm cache)', () => {
    const start = Date.UTC(2024, 10, 3, 4, 0, 0);
    const out = utcToLocalParts('America/New_York', start);
    for (let ms = start; ms < start + 4 * 3_600_000; ms += 1000) {
      const l = DateTime.fromMillis(ms, { zone: 'America/New_York' });
      utcToLocalParts('America/New_York', ms, out);
      expect(out.hour * 3600 + out.minute * 60 + out.second + out.offsetMs / 1000).toBe(
        l.hour * 3600 + l.minute * 60 + l.second + l.offset * 60,
      );
    }
  });

  it('splits local days at local midnight', () => {
    const ny = 'America/New_York';
    expect(isoDateOfDayKey(localDateKey(ny, Date.UTC(2024, 0, 2, 4, 59, 59)))).toBe('2024-01-01');
    expect(isoDateOfDayKey(localDateKey(ny, Date.UTC(2024, 0, 2, 5, 0, 0)))).toBe('2024-01-02');
    expect(isoDateOfDayKey(localDateKey(ny, Date.UTC(2024, 6, 2, 3, 59, 59)))).toBe('2024-07-01');
    expect(isoDateOfDayKey(localDateKey(ny, Date.UTC(2024, 6, 2, 4, 0, 0)))).toBe('2024-07-02');
  });

  it('formats instants as ISO UTC', () => {
    expect(toIsoUtc(Date.UTC(2024, 0, 2, 14, 30))).toBe('2024-01-02T14:30:00.000Z');
  });
});

describe('offset cache', () => {
  afterEach(() => vi.restoreAllMocks());

  it('asks Intl at most a few times per UTC day for sequential minute bars', () => {
    const spy = vi.spyOn(IANAZone.prototype, 'offset');
    const z = new TimeZone('America/New_York');
    const start = Date.UTC(2023, 0, 1);
    const minutes = 366 * 24 * 60;
    for (let i = 0; i < minutes; i++) {
      const ms = start + i * 60_000;
      z.dayKey(ms);
      z.wallToUtc(ms);
    }
    // About one call per day plus two binary searches of ~17 calls for the two transitions.
    expect(spy.mock.calls.length).toBeLessThan(2 * 366 + 2 * 20);
    expect(spy.mock.calls.length).toBeGreaterThan(366);
  });
});
