// Tells a bar file's interval from the spacing of its rows, when the session does not name it.
import { TradeflowError } from '../../core/errors.ts';
import type { Interval } from '../../model/interval.ts';
import { INTERVALS, intervalMs } from '../../model/interval.ts';

/**
 * Returns the most common positive gap in ms between consecutive bars of the same local day, or 0 when no
 * day has two bars. Gaps across days (nights, weekends) say nothing about the bar length, and thin
 * markets skip minutes, so the most common gap is the bar length even when most bars are missing.
 */
export function commonGapMs(ts: Float64Array, day: Int32Array, count: number): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < count; i++) {
    if (day[i] !== day[i - 1]) continue;
    const gap = (ts[i] as number) - (ts[i - 1] as number);
    if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [gap, n] of counts) {
    // Ties go to the smaller gap so that the answer does not depend on the order rows were seen.
    if (n > bestCount || (n === bestCount && gap < best)) {
      best = gap;
      bestCount = n;
    }
  }
  return best;
}

/** Names the interval of intraday bars from their spacing; throws TF_ERR_DATA_FILE when it matches none. */
export function detectInterval(ts: Float64Array, day: Int32Array, count: number, displayPath: string): Interval {
  const gap = commonGapMs(ts, day, count);
  const match = INTERVALS.find((i) => i !== '1d' && intervalMs(i) === gap);
  if (match !== undefined) return match;
  const seen =
    gap === 0
      ? 'no day has two bars'
      : `bars are most often ${gap / 1000} s apart, which is none of ${INTERVALS.filter((i) => i !== '1d').join(', ')}`;
  throw new TradeflowError(
    'TF_ERR_DATA_FILE',
    `${displayPath}: cannot tell the bar interval: ${seen}; set the interval of this data source`,
  );
}
