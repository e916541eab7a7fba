// A load window: bars outside [fromMs, untilMs) are left out, the rest are the bars a full load gives.
import { describe, expect, it } from 'vitest';
import { tempFiles } from '../../../test/helpers.ts';
import { SessionData } from '../session-data.ts';
import { utcStamper } from '../time-stamper.ts';
import { loadBarFile } from './load.ts';

const MIN = 60_000;
// Five 1m bars stamped at their open (ohlcv): they close at 00:01 ... 00:05 UTC.
const dir = tempFiles({
  'x.csv':
    'timestamp,open,high,low,close,volume\n' +
    [0, 1, 2, 3, 4].map((m) => `2024-01-02 00:0${m}:00,${10 + m},${11 + m},${9 + m},${10.5 + m},100`).join('\n') +
    '\n',
});
const T0 = Date.UTC(2024, 0, 2);

function load(window?: { fromMs?: number; untilMs?: number }) {
  const data = new SessionData();
  const report = loadBarFile(
    { file: `${dir}/x.csv`, symbol: 'X', stamper: utcStamper(), ...(window ? { window } : {}) },
    data,
  );
  const series = data.get('X', '1m')!;
  const rows = Array.from({ length: series.written }, (_, i) => [series.timeAt(i), series.openAt(i)]);
  return { report, rows };
}

describe('loadBarFile with a window', () => {
  it('keeps the bars that close before untilMs (a live session history)', () => {
    const { report, rows } = load({ untilMs: T0 + 3 * MIN });
    expect(rows).toEqual([
      [T0 + MIN, 10],
      [T0 + 2 * MIN, 11],
    ]);
    expect([report.rows, report.interval, report.firstTs, report.lastTs]).toEqual([2, '1m', T0 + MIN, T0 + 2 * MIN]);
  });

  it('keeps the bars that close at or after fromMs (what a replay plays)', () => {
    expect(load({ fromMs: T0 + 3 * MIN }).rows).toEqual([
      [T0 + 3 * MIN, 12],
      [T0 + 4 * MIN, 13],
      [T0 + 5 * MIN, 14],
    ]);
  });

  it('splits a file in two with nothing lost or twice, and writes no bar when the window holds none', () => {
    const at = T0 + 4 * MIN;
    expect([...load({ untilMs: at }).rows, ...load({ fromMs: at }).rows]).toEqual(load().rows);
    const none = load({ fromMs: T0 + 6 * MIN });
    expect([none.rows, none.report.rows, none.report.interval]).toEqual([[], 0, '1m']);
  });
});
