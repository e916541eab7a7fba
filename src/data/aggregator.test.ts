import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { dayKeyFromDate, toIsoUtc } from '../core/time.ts';
import { BarFlags } from '../model/bar.ts';
import type { Bar } from '../model/bar.ts';
import type { Interval } from '../model/interval.ts';
import { Aggregator } from './aggregator.ts';
import { createCalendar } from './calendar.ts';
import type { TradingCalendar } from './calendar.ts';
import { BarSeries, BarSeriesView } from './session-data.ts';

const us = createCalendar('us_equities');
const NY = 'America/New_York';

/** Reads a `timestamp,open,high,low,close,volume` UTC file whose bars are stamped at their open. */
function readUtcMinuteCsv(name: string): Bar[] {
  const text = readFileSync(new URL(`../../data/intraday/${name}`, import.meta.url), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [ts, o, h, l, c, v] = line.split(',') as [string, string, string, string, string, string];
      const tsOpen = Date.parse(`${ts.replace(' ', 'T')}Z`);
      return { tsClose: tsOpen + 60_000, open: +o, high: +h, low: +l, close: +c, volume: +v };
    });
}

const dbb = readUtcMinuteCsv('DBB_1min.csv');

interface Published {
  readonly bar: Bar;
  readonly flags: number;
  /** The engine step at which the bar was published. */
  readonly stepMs: number;
}

/**
 * Drives aggregators like the engine does: steps at every base bar and at every bucket deadline; in a step,
 * base bars first, then closeUntil(step).
 */
function drive(bars: readonly Bar[], intervals: readonly Interval[], calendar: TradingCalendar, includeOutsideSession = false): Map<Interval, Published[]> {
  const base = new BarSeries('X', '1m', { capacity: bars.length + 1 });
  const aggs = intervals.map((iv) => new Aggregator({ source: base, target: new BarSeries('X', iv), calendar, includeOutsideSession }));
  const out = new Map<Interval, Published[]>(intervals.map((iv) => [iv, []]));
  const views = aggs.map((a) => new BarSeriesView(a.target.descriptor));
  const collect = (step: number) => {
    aggs.forEach((a, j) => {
      const list = out.get(a.target.interval) ?? [];
      const view = views[j] as BarSeriesView;
      for (let i = list.length; i < view.length; i++) list.push({ bar: view.bar(i) as Bar, flags: view.flags(i), stepMs: step });
    });
  };
  let i = 0;
  for (;;) {
    const nextBar = i < bars.length ? (bars[i] as Bar).tsClose : Number.POSITIVE_INFINITY;
    const step = Math.min(nextBar, ...aggs.map((a) => a.nextDeadline()));
    if (step === Number.POSITIVE_INFINITY) break;
    if (step === nextBar) {
      const b = bars[i] as Bar;
      base.append(b.tsClose, b.open, b.high, b.low, b.close, b.volume);
      for (const a of aggs) a.onBaseBar(i);
      i++;
    }
    for (const a of aggs) a.closeUntil(step);
    collect(step);
  }
  return out;
}

/**
 * The reference: a plain group-by on New York wall time computed with luxon, independent of the aggregator's
 * arithmetic on instants. Buckets start at 09:30 and step by `minutes`, cut at the day's close; `minutes`
 * 0 means the whole session.
 */
const localOf = new Map<number, { local: DateTime; closeMin: number }>();
function groupBy(bars: readonly Bar[], minutes: number): Bar[] {
  const groups = new Map<number, { bar: { -readonly [K in keyof Bar]: Bar[K] } }>();
  for (const b of bars) {
    let entry = localOf.get(b.tsClose);
    if (!entry) {
      const local = DateTime.fromMillis(b.tsClose, { zone: NY });
      const session = us.session(local.year, local.month, local.day);
      const close = session && DateTime.fromMillis(session.closeMs, { zone: NY });
      entry = { local, closeMin: close ? close.hour * 60 + close.minute : -1 };
      localOf.set(b.tsClose, entry);
    }
    const { local, closeMin } = entry;
    if (closeMin < 0) continue;
    const m = local.hour * 60 + local.minute;
    if (m <= 570 || m > closeMin) continue;
    const endMin = minutes === 0 ? closeMin : Math.min(570 + Math.ceil((m - 570) / minutes) * minutes, closeMin);
    const end = DateTime.fromObject({ year: local.year, month: local.month, day: local.day, hour: Math.floor(endMin / 60), minute: endMin % 60 }, { zone: NY }).toMillis();
    const g = groups.get(end);
    if (!g) groups.set(end, { bar: { ...b, tsClose: end } });
    else {
      g.bar.high = Math.max(g.bar.high, b.high);
      g.bar.low = Math.min(g.bar.low, b.low);
      g.bar.close = b.close;
      g.bar.volume += b.volume;
    }
  }
  return [...groups.values()].map((g) => g.bar);
}

const ny = (y: number, mo: number, d: number, h: number, mi: number) => DateTime.fromObject({ year: y, month: mo, day: d, hour: h, minute: mi }, { zone: NY }).toMillis();
const bar = (tsClose: number, close: number, volume = 100): Bar => ({ tsClose, open: close, high: close + 1, low: close - 1, close, volume });

describe('Aggregator on real 1-minute data (DBB, a thin US ETF)', () => {
  const intervals: Interval[] = ['5m', '15m', '30m', '1h', '1d'];
  const result = drive(dbb, intervals, us);

  it.each([
    ['5m', 5],
    ['15m', 15],
    ['30m', 30],
    ['1h', 60],
    ['1d', 0],
  ] as const)('builds %s bars equal to a plain group-by on New York time', (iv, minutes) => {
    const got = (result.get(iv) ?? []).map((p) => p.bar);
    const want = groupBy(dbb, minutes);
    expect(got.length).toBeGreaterThan(minutes === 0 ? 400 : 1000);
    expect(got).toEqual(want);
  });

  it('publishes every bar exactly at its bucket end, flagged AGGREGATED', () => {
    for (const iv of intervals) {
      const list = result.get(iv) ?? [];
      expect(list.filter((p) => p.stepMs !== p.bar.tsClose)).toEqual([]);
      expect(list.every((p) => p.flags === BarFlags.AGGREGATED)).toBe(true);
    }
  });

  it('cuts the last 1h bucket at the close: 15:30-16:00, and 12:30-13:00 on an early close', () => {
    const local = (t: number) => DateTime.fromMillis(t, { zone: NY }).toFormat('HH:mm');
    const hours = (result.get('1h') ?? []).map((p) => p.bar.tsClose);
    expect([...new Set(hours.map(local))].sort()).toEqual(['10:30', '11:30', '12:30', '13:00', '13:30', '14:30', '15:30', '16:00']);
    const onDay = (y: number, mo: number, d: number) => hours.filter((t) => t > ny(y, mo, d, 0, 0) && t < ny(y, mo, d, 23, 59)).map(local);
    expect(onDay(2024, 11, 29)).toEqual(['10:30', '11:30', '12:30', '13:00']);
    // A winter and a summer day: the same local buckets, an hour apart in UTC.
    expect(onDay(2024, 2, 29).slice(-2)).toEqual(['15:30', '16:00']);
    expect(hours).toContain(Date.UTC(2024, 1, 29, 21, 0));
    expect(hours).toContain(Date.UTC(2024, 6, 1, 20, 0));
  });
});

describe('Aggregator publication and gaps', () => {
  const day = (h: number, mi: number) => ny(2024, 3, 1, h, mi);

  it('publishes a bucket only when it is closed', () => {
    const base = new BarSeries('X', '1m');
    const target = new BarSeries('X', '5m');
    const agg = new Aggregator({ source: base, target, calendar: us });
    expect(agg.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    for (const m of [31, 32, 33, 34]) {
      base.append(day(9, m), 10 + m, 20 + m, m, 10 + m, 1);
      expect(agg.onBaseBar(base.length - 1)).toBe(0);
    }
    expect(target.length).toBe(0);
    expect(agg.nextDeadline()).toBe(day(9, 35));
    expect(agg.closeUntil(day(9, 35) - 1)).toBe(false);
    base.append(day(9, 35), 50, 60, 5, 55, 2);
    expect(agg.onBaseBar(4)).toBe(1);
    const v = new BarSeriesView(target.descriptor);
    expect(v.bar(0)).toEqual({ tsClose: day(9, 35), open: 41, high: 60, low: 5, close: 55, volume: 6 });
    expect(agg.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
  });

  it('reads nothing from a row that is written but not yet published', () => {
    const base = new BarSeries('X', '1m');
    const agg = new Aggregator({ source: base, target: new BarSeries('X', '5m'), calendar: us });
    base.write(day(9, 31), 1, 1, 1, 1, 1);
    expect(agg.onBaseBar(0)).toBe(0);
    expect(agg.nextDeadline()).toBe(Number.POSITIVE_INFINITY);
    base.publishNext();
    expect(agg.onBaseBar(0)).toBe(0);
    expect(agg.nextDeadline()).toBe(day(9, 35));
    expect(agg.lateBars).toBe(0);
  });

  it('closes a bucket whose end has no bar at the deadline, and leaves empty buckets out', () => {
    const got = drive([bar(day(9, 31), 1), bar(day(9, 32), 2), bar(day(9, 41), 3), bar(day(9, 44), 4)], ['5m'], us).get('5m') ?? [];
    expect(got.map((p) => [toIsoUtc(p.bar.tsClose), p.bar.open, p.bar.close, toIsoUtc(p.stepMs)])).toEqual([
      ['2024-03-01T14:35:00.000Z', 1, 2, '2024-03-01T14:35:00.000Z'],
      ['2024-03-01T14:45:00.000Z', 3, 4, '2024-03-01T14:45:00.000Z'],
    ]);
  });

  it('closes a bucket on a later bar when nobody called closeUntil, and drops a bar that comes after its bucket closed', () => {
    const base = new BarSeries('X', '1m');
    const target = new BarSeries('X', '5m');
    const agg = new Aggregator({ source: base, target, calendar: us });
    base.append(day(9, 31), 1, 1, 1, 1, 1);
    agg.onBaseBar(0);
    base.append(day(9, 40), 2, 2, 2, 2, 1); // closes (9:30, 9:35] and itself closes (9:35, 9:40]
    expect(agg.onBaseBar(1)).toBe(2);
    expect(target.length).toBe(2);
    base.append(day(9, 42), 3, 3, 3, 3, 1);
    agg.onBaseBar(2);
    expect(agg.closeUntil(day(9, 45))).toBe(true);
    base.append(day(9, 45), 4, 4, 4, 4, 1); // late: its bucket already went out
    expect(agg.onBaseBar(3)).toBe(0);
    expect(agg.lateBars).toBe(1);
    expect(target.length).toBe(3);
  });

  it('ignores bars outside the session by default, and buckets them separately when asked', () => {
    const bars = [bar(day(9, 0), 1), bar(day(9, 29), 2), bar(day(9, 30), 3), bar(day(9, 31), 4), bar(day(16, 0), 5), bar(day(16, 1), 6), bar(day(17, 0), 7)];
    const plain = drive(bars, ['30m', '1d'], us);
    expect((plain.get('30m') ?? []).map((p) => [toIsoUtc(p.bar.tsClose), p.bar.open, p.bar.close])).toEqual([
      ['2024-03-01T15:00:00.000Z', 4, 4],
      ['2024-03-01T21:00:00.000Z', 5, 5],
    ]);
    expect((plain.get('1d') ?? []).map((p) => [p.bar.open, p.bar.close, p.bar.volume])).toEqual([[4, 5, 200]]);
    const all = drive(bars, ['30m', '1d'], us, true);
    const O = BarFlags.AGGREGATED | BarFlags.OUTSIDE_SESSION;
    expect((all.get('30m') ?? []).map((p) => [toIsoUtc(p.bar.tsClose), p.bar.open, p.bar.close, p.flags])).toEqual([
      ['2024-03-01T14:00:00.000Z', 1, 1, O],
      ['2024-03-01T14:30:00.000Z', 2, 3, O], // (09:00, 09:30]: cut at the open, which is outside
      ['2024-03-01T15:00:00.000Z', 4, 4, BarFlags.AGGREGATED],
      ['2024-03-01T21:00:00.000Z', 5, 5, BarFlags.AGGREGATED],
      ['2024-03-01T21:30:00.000Z', 6, 6, O],
      ['2024-03-01T22:00:00.000Z', 7, 7, O],
    ]);
    // Pre-market joins its day; post-market bars belong to the next session (Monday), not yet closed here.
    const daily = (all.get('1d') ?? []).map((p) => [toIsoUtc(p.bar.tsClose), p.bar.open, p.bar.close, p.bar.volume]);
    expect(daily).toEqual([
      ['2024-03-01T21:00:00.000Z', 1, 5, 500],
      ['2024-03-04T21:00:00.000Z', 6, 7, 200],
    ]);
  });

  it('rolls UTC days on the 24h calendar and stamps them at midnight', () => {
    const utc = createCalendar('24h');
    const t0 = Date.UTC(2024, 0, 1, 23, 59);
    const got = drive([bar(t0, 1), bar(t0 + 60_000, 2), bar(t0 + 120_000, 3)], ['1d', '1h'], utc);
    expect((got.get('1d') ?? []).map((p) => [toIsoUtc(p.bar.tsClose), p.bar.open, p.bar.close])).toEqual([
      ['2024-01-02T00:00:00.000Z', 1, 2],
      ['2024-01-03T00:00:00.000Z', 3, 3],
    ]);
    expect((got.get('1h') ?? []).map((p) => toIsoUtc(p.bar.tsClose))).toEqual(['2024-01-02T00:00:00.000Z', '2024-01-02T01:00:00.000Z']);
  });

  it('aligns hours to a Berlin 09:00 open across the change to summer time', () => {
    const berlin = createCalendar({ timezone: 'Europe/Berlin', open: '09:00', close: '22:00' });
    const fri = Date.UTC(2024, 2, 29, 8, 1); // 09:01 CET
    const mon = Date.UTC(2024, 3, 1, 7, 1); // 09:01 CEST
    const got = drive([bar(fri, 1), bar(mon, 2)], ['1h'], berlin).get('1h') ?? [];
    expect(got.map((p) => toIsoUtc(p.bar.tsClose))).toEqual(['2024-03-29T09:00:00.000Z', '2024-04-01T08:00:00.000Z']);
  });

  it('rejects targets that cannot be built from the base', () => {
    const cases: [BarSeries, BarSeries][] = [
      [new BarSeries('X', '5m'), new BarSeries('X', '1m')],
      [new BarSeries('X', '1m'), new BarSeries('X', '1m')],
      [new BarSeries('X', '1m'), new BarSeries('Y', '5m')],
      [new BarSeries('X', '1d'), new BarSeries('X', '1d')],
    ];
    for (const [source, target] of cases) {
      expect(() => new Aggregator({ source, target, calendar: us })).toThrow(/cannot aggregate/);
      try {
        new Aggregator({ source, target, calendar: us });
      } catch (e) {
        expect(isTradeflowError(e, 'TF_ERR_SUBSCRIPTION')).toBe(true);
      }
    }
    expect(dayKeyFromDate(2024, 3, 1)).toBe(us.dayKey(day(12, 0)));
  });
});
