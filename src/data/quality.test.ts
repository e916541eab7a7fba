import { readFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { Interval } from '../model/interval.ts';
import { createCalendar } from './calendar.ts';
import { QualityTracker, expectedBars, qualityPercent } from './quality.ts';

const us = createCalendar('us_equities');
const NY = 'America/New_York';
const Y2024 = [Date.UTC(2024, 0, 1), Date.UTC(2025, 0, 1)] as const;

/** Close times of a UTC minute file whose bars are stamped at their open. */
function closeTimes(name: string): number[] {
  const text = readFileSync(new URL(`../../data/intraday/${name}`, import.meta.url), 'utf8');
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => Date.parse(`${line.slice(0, 19).replace(' ', 'T')}Z`) + 60_000);
}

const session = (y: number, mo: number, d: number) => {
  const s = us.session(y, mo, d);
  if (!s) throw new Error(`no session on ${y}-${mo}-${d}`);
  return s;
};

describe('expectedBars', () => {
  it('counts the slots of NYSE 2024: 252 sessions, three of them closing at 13:00', () => {
    // Full day: 390 minutes = 78 x 5m = 26 x 15m = 13 x 30m = 7 x 1h (the last one 30 minutes).
    // Early close: 210 minutes = 42 x 5m = 14 x 15m = 7 x 30m = 4 x 1h.
    const want: Record<Interval, number> = {
      '1m': 249 * 390 + 3 * 210,
      '5m': 249 * 78 + 3 * 42,
      '15m': 249 * 26 + 3 * 14,
      '30m': 249 * 13 + 3 * 7,
      '1h': 249 * 7 + 3 * 4,
      '1d': 252,
    };
    for (const [iv, n] of Object.entries(want)) expect([iv, expectedBars(us, iv as Interval, ...Y2024)]).toEqual([iv, n]);
  });

  it('counts only slots that have ended', () => {
    const s = session(2024, 3, 1);
    expect(expectedBars(us, '5m', s.openMs, s.openMs + 12 * 60_000)).toBe(2);
    expect(expectedBars(us, '5m', s.openMs, s.openMs + 10 * 60_000)).toBe(2);
    expect(expectedBars(us, '5m', s.openMs, s.openMs + 10 * 60_000 - 1)).toBe(1);
    expect(expectedBars(us, '1h', s.openMs, s.closeMs - 1)).toBe(6);
    expect(expectedBars(us, '1h', s.openMs, s.closeMs)).toBe(7);
    expect(expectedBars(us, '1d', s.openMs, s.closeMs - 1)).toBe(0);
    expect(expectedBars(us, '1d', s.openMs, s.closeMs)).toBe(1);
    // From inside a slot: only slots ending after `from` count.
    expect(expectedBars(us, '5m', s.openMs + 7 * 60_000, s.openMs + 20 * 60_000)).toBe(3);
  });
});

describe('QualityTracker', () => {
  it('gives 100 for a complete synthetic day, at every minute of it', () => {
    const s = session(2024, 3, 1);
    const q = new QualityTracker(us, '1m');
    const seen: number[] = [];
    for (let t = s.openMs + 60_000; t <= s.closeMs; t += 60_000) {
      q.onBar(t);
      seen.push(q.quality(t));
    }
    expect(seen.length).toBe(390);
    expect(seen.every((x) => x === 100)).toBe(true);
    // The next morning, before its first bar has closed, nothing more is expected.
    expect(q.quality(session(2024, 3, 4).openMs + 30_000)).toBe(100);
  });

  it('counts a missing bar, bars outside sessions not at all, and two bars in one slot once', () => {
    const s = session(2024, 3, 1);
    const q1 = new QualityTracker(us, '1m');
    const q5 = new QualityTracker(us, '5m');
    q1.onBar(s.openMs - 60_000); // pre-market
    for (let t = s.openMs + 60_000; t <= s.closeMs; t += 60_000) {
      if (t === s.openMs + 120 * 60_000) continue;
      q1.onBar(t);
      q5.onBar(t);
    }
    q1.onBar(s.closeMs + 60_000); // post-market
    expect(q1.present).toBe(389);
    expect(q1.quality(s.closeMs)).toBeCloseTo((100 * 389) / 390, 10);
    expect(q5.present).toBe(78);
    expect(q5.quality(s.closeMs)).toBe(100);
    // On the next session with no bars, quality falls by that session's share.
    const next = session(2024, 3, 4);
    expect(q5.quality(next.closeMs)).toBe(50);
  });

  it('does not count the slot still open at `now` as present before it is expected', () => {
    const s = session(2024, 3, 1);
    const q = new QualityTracker(us, '1d');
    q.onBar(s.openMs + 60_000);
    expect(q.presentAt(s.openMs + 60_000)).toBe(0);
    expect(q.quality(s.openMs + 60_000)).toBe(100);
    expect(q.quality(s.closeMs)).toBe(100);
    expect(q.quality(session(2024, 3, 5).closeMs)).toBeCloseTo(100 / 3, 10);
  });

  it('matches expectedBars at any time, also when asked about an earlier time', () => {
    const s = session(2024, 6, 3);
    const q = new QualityTracker(us, '15m', { fromMs: s.openMs });
    let t = s.openMs;
    let step = 1;
    for (let i = 0; i < 400; i++) {
      t += step * 3_600_000 + 7 * 60_000;
      step = (step * 7 + 3) % 11;
      expect(q.expected(t)).toBe(expectedBars(us, '15m', s.openMs, t));
    }
    const earlier = s.openMs + 40 * 86_400_000;
    expect(q.expected(earlier)).toBe(expectedBars(us, '15m', s.openMs, earlier));
    expect(qualityPercent(0, 0)).toBe(100);
  });

  describe('on real thin ETFs', () => {
    /** Present and expected bars counted the slow way: New York wall time from luxon, minute by minute. */
    function reference(times: readonly number[]): { present: number; expected: number } {
      let present = 0;
      for (const t of times) {
        const local = DateTime.fromMillis(t, { zone: NY });
        const s = us.session(local.year, local.month, local.day);
        const m = local.hour * 60 + local.minute;
        const close = s && DateTime.fromMillis(s.closeMs, { zone: NY });
        if (close && m > 570 && m <= close.hour * 60 + close.minute) present++;
      }
      const from = session(2023, 7, 10).openMs;
      const to = times.at(-1) ?? 0;
      let expected = 0;
      for (const s of us.sessionsBetween(from, to)) expected += Math.floor((Math.min(s.closeMs, to) - s.openMs) / 60_000);
      return { present, expected };
    }

    const run = (name: string) => {
      const times = closeTimes(name);
      const q1 = new QualityTracker(us, '1m');
      const qd = new QualityTracker(us, '1d');
      for (const t of times) {
        q1.onBar(t);
        qd.onBar(t);
      }
      const now = times.at(-1) ?? 0;
      return { q1, qd, now, ref: reference(times) };
    };
    const dbb = run('DBB_1min.csv');
    const fxy = run('FXY_1min.csv');

    it('finds DBB far from complete and FXY better, with counts equal to a slow reference', () => {
      for (const r of [dbb, fxy]) {
        expect(r.q1.present).toBe(r.ref.present);
        expect(r.q1.expected(r.now)).toBe(r.ref.expected);
        expect(r.q1.quality(r.now)).toBeCloseTo((100 * r.ref.present) / r.ref.expected, 10);
      }
      expect(dbb.q1.quality(dbb.now)).toBeLessThan(25);
      expect(fxy.q1.quality(fxy.now)).toBeGreaterThan(dbb.q1.quality(dbb.now) + 10);
      expect(fxy.q1.quality(fxy.now)).toBeLessThan(50);
    });

    it('finds a bar in every session of both, so their daily quality is 100', () => {
      expect(dbb.qd.quality(dbb.now)).toBe(100);
      expect(fxy.qd.quality(fxy.now)).toBe(100);
      expect(dbb.qd.expected(dbb.now)).toBe(500); // the last session had not closed at the last bar
    });
  });
});
