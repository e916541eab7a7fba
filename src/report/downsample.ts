// Thins a long series for a chart, keeping each bucket's extremes so that every spike and trough survives.
import type { EquityPoint } from '../model/run.ts';

/**
 * Returns the indices of at most `maxPoints` values that keep the shape of the series: the first and the
 * last value, and the minimum and the maximum of each of (maxPoints - 2) / 2 equal buckets, in order. A
 * chart of them shows every spike and every trough of the full series, so the deepest drawdown survives.
 */
export function downsampleIndices(values: ArrayLike<number>, maxPoints: number): number[] {
  const n = values.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const buckets = Math.max(1, Math.floor((maxPoints - 2) / 2));
  const out = [0];
  const inner = n - 2;
  for (let b = 0; b < buckets; b++) {
    const from = 1 + Math.floor((b * inner) / buckets);
    const to = 1 + Math.floor(((b + 1) * inner) / buckets);
    if (from >= to) continue;
    let lo = from;
    let hi = from;
    for (let i = from + 1; i < to; i++) {
      const v = values[i] ?? NaN;
      if (v < (values[lo] ?? NaN)) lo = i;
      if (v > (values[hi] ?? NaN)) hi = i;
    }
    if (lo === hi) out.push(lo);
    else out.push(Math.min(lo, hi), Math.max(lo, hi));
  }
  out.push(n - 1);
  return out;
}

/** A chart series: seconds since the epoch (what uPlot's time axis takes) and values. */
export interface ChartSeries {
  readonly t: number[];
  readonly v: number[];
}

function pick(
  ts: readonly number[],
  values: readonly number[],
  maxPoints: number,
  digits: number,
): ChartSeries {
  const idx = downsampleIndices(values, maxPoints);
  const scale = 10 ** digits;
  return {
    t: idx.map((i) => (ts[i] ?? NaN) / 1000),
    v: idx.map((i) => Math.round((values[i] ?? NaN) * scale) / scale),
  };
}

/** Returns the equity curve and its drawdown (in percent below the running peak), each at most `maxPoints` long. */
export function chartSeries(
  equity: readonly EquityPoint[],
  maxPoints: number,
): { equity: ChartSeries; drawdown: ChartSeries } {
  const ts = equity.map((p) => p.ts);
  const values = equity.map((p) => p.equity);
  let peak = -Infinity;
  const drawdown = values.map((v) => {
    peak = Math.max(peak, v);
    return peak > 0 ? (v / peak - 1) * 100 : 0;
  });
  // Drawdown is downsampled on its own: its extremes are not always at the equity curve's extremes.
  return { equity: pick(ts, values, maxPoints, 4), drawdown: pick(ts, drawdown, maxPoints, 4) };
}
