// The `bullish_breakout` screener: scores a ticker's last bar on volume against its average, MACD, RSI
// and the 52-week high.
import { z } from 'zod';
import { TradeflowError } from '../core/errors.ts';
import { parseIsoDate } from '../core/time.ts';
import { Macd } from '../indicators/macd.ts';
import { Rsi } from '../indicators/rsi.ts';
import type { DailyBars, MetricValue, ScreenerStrategy, ScreenResult } from './types.ts';

/** Parameters of `bullish_breakout`; `docs/screener.md` documents each one. */
export const bullishBreakoutSchema = z
  .object({
    volume_period: z.number().int().min(1).max(1000).default(20),
    min_volume_multiple: z.number().finite().positive().default(1.5),
    macd_fast: z.number().int().min(1).max(1000).default(12),
    macd_slow: z.number().int().min(2).max(1000).default(26),
    macd_signal: z.number().int().min(1).max(1000).default(9),
    require_macd_positive: z.boolean().default(false),
    rsi_period: z.number().int().min(1).max(1000).default(14),
    max_rsi: z.number().min(0).max(100).default(70),
    allow_overbought: z.boolean().default(false),
    require_52w_high: z.boolean().default(false),
    high_lookback_days: z.number().int().min(2).max(5000).default(252),
    high_tolerance_pct: z.number().min(0).max(50).default(3),
    min_score: z.number().min(0).max(100).default(60),
    as_of: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')
      // Date.parse rolls 2014-02-30 over to March 2: the date must read back as written.
      .refine((d) => parseIsoDate(d) !== undefined, 'must be a real calendar date (2014-02-30 is not)')
      .optional(),
  })
  .strict()
  .refine((c) => c.macd_fast < c.macd_slow, { path: ['macd_fast'], message: 'must be less than macd_slow' });

/** Validated `bullish_breakout` parameters. */
export type BullishBreakoutConfig = z.output<typeof bullishBreakoutSchema>;

/** The most each part contributes to the score; they add up to 100. */
const WEIGHTS = { volume: 30, macdCross: 25, macdPositive: 10, rsi: 20, high: 15 } as const;
/** How far below the 52-week high the high part of the score reaches zero. */
const HIGH_SCORE_RANGE = 0.25;

const clamp01 = (x: number) => (x < 0 ? 0 : x > 1 ? 1 : x);
const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
const round = (x: number, digits: number) => Number(x.toFixed(digits));

/** Returns the index of the last bar on or before `asOf` (a UTC date), or of the last bar; -1 when none is. */
export function lastIndexAsOf(bars: DailyBars, asOf: string | undefined): number {
  if (asOf === undefined) return bars.length - 1;
  const cutoff = Date.parse(`${asOf}T00:00:00Z`) + 86_400_000;
  let lo = 0;
  let hi = bars.length; // first index whose bar closes on or after the next day
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((bars.time[mid] as number) < cutoff) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** Returns the number of bars `bullish_breakout` needs with these parameters. */
export function barsNeeded(c: BullishBreakoutConfig): number {
  return Math.max(c.macd_slow + c.macd_signal - 1, c.rsi_period + 1, c.volume_period + 1);
}

interface Check {
  readonly ok: boolean;
  readonly required: boolean;
  readonly text: string;
}

function reason(c: Check): string {
  return `${c.ok ? 'pass' : c.required ? 'fail' : 'note'}: ${c.text}`;
}

/**
 * Evaluates the last bar (or the last bar on or before `as_of`): volume against its average, MACD against
 * its signal line and zero, RSI against `max_rsi`, and the close against the 52-week high.
 */
function evaluate(bars: DailyBars, c: BullishBreakoutConfig): ScreenResult {
  const end = lastIndexAsOf(bars, c.as_of);
  const needed = barsNeeded(c);
  if (end + 1 < needed) {
    const upTo = c.as_of === undefined ? '' : ` up to ${c.as_of}`;
    throw new TradeflowError(
      'TF_ERR_TICKER_DATA',
      `${bars.ticker}: ${end + 1} daily bars${upTo}; bullish_breakout needs at least ${needed} with these periods`,
    );
  }
  const macd = new Macd({ fast: c.macd_fast, slow: c.macd_slow, signal: c.macd_signal });
  const rsi = new Rsi(c.rsi_period);
  for (let i = 0; i <= end; i++) {
    const close = bars.close[i] as number;
    macd.update(close);
    rsi.update(close);
  }
  const close = bars.close[end] as number;
  const volume = bars.volume[end] as number;
  let volumeSum = 0;
  for (let i = end - c.volume_period; i < end; i++) volumeSum += bars.volume[i] as number;
  const avgVolume = volumeSum / c.volume_period;
  const volumeMultiple = avgVolume > 0 ? volume / avgVolume : volume > 0 ? Infinity : 0;
  let high52 = -Infinity;
  for (let i = Math.max(0, end - c.high_lookback_days + 1); i <= end; i++) {
    high52 = Math.max(high52, bars.high[i] as number);
  }
  const fromHigh = close / high52 - 1;
  const atHigh = close >= high52 * (1 - c.high_tolerance_pct / 100);
  const m = macd.macd;
  const sig = macd.signal;
  const r = rsi.value;
  const overbought = r > c.max_rsi;

  const score = round(
    WEIGHTS.volume * clamp01(volumeMultiple / c.min_volume_multiple) +
      (m > sig ? WEIGHTS.macdCross : 0) +
      (m > 0 ? WEIGHTS.macdPositive : 0) +
      (overbought ? (c.allow_overbought ? WEIGHTS.rsi / 2 : 0) : r >= 50 ? WEIGHTS.rsi : WEIGHTS.rsi / 2) +
      WEIGHTS.high * clamp01(1 + fromHigh / HIGH_SCORE_RANGE),
    1,
  );
  const f2 = (x: number) => x.toFixed(2);
  const checks: Check[] = [
    {
      ok: volumeMultiple >= c.min_volume_multiple,
      required: true,
      text: `volume ${f2(volumeMultiple)}x its ${c.volume_period}-day average (at least ${c.min_volume_multiple}x)`,
    },
    {
      ok: m > sig,
      required: true,
      text: `MACD ${m.toPrecision(4)} ${m > sig ? 'above' : 'not above'} its signal ${sig.toPrecision(4)}`,
    },
    {
      ok: m > 0,
      required: c.require_macd_positive,
      text: `MACD ${m > 0 ? 'above' : 'not above'} zero`,
    },
    {
      ok: !overbought,
      required: !c.allow_overbought,
      text: `RSI(${c.rsi_period}) ${f2(r)} ${overbought ? 'above' : 'at or below'} ${c.max_rsi}${overbought && c.allow_overbought ? ' (overbought allowed)' : ''}`,
    },
    {
      ok: atHigh,
      required: c.require_52w_high,
      text: `close ${f2(close)} is ${f2(-fromHigh * 100)}% below the ${c.high_lookback_days}-day high ${f2(high52)} (within ${c.high_tolerance_pct}% counts as at the high)`,
    },
    { ok: score >= c.min_score, required: true, text: `score ${score} (at least ${c.min_score})` },
  ];
  const passed = checks.every((k) => k.ok || !k.required);
  const classification = passed
    ? 'bullish_breakout'
    : overbought && !c.allow_overbought
      ? 'overbought'
      : m < sig && m < 0
        ? 'bearish'
        : score >= c.min_score
          ? 'watch'
          : 'neutral';
  const metrics: Record<string, MetricValue> = {
    date: new Date(bars.time[end] as number).toISOString().slice(0, 10),
    bars: end + 1,
    close,
    volume,
    avg_volume: finite(round(avgVolume, 2)),
    volume_multiple: finite(round(volumeMultiple, 4)),
    macd: finite(round(m, 6)),
    macd_signal: finite(round(sig, 6)),
    macd_histogram: finite(round(m - sig, 6)),
    rsi: finite(round(r, 4)),
    high_52w: high52,
    pct_from_52w_high: finite(round(fromHigh * 100, 4)),
    at_52w_high: atHigh,
  };
  return { passed, score, classification, reasons: checks.map(reason), metrics };
}

/** The bundled screener: a volume surge with bullish MACD momentum that is not yet overbought. */
export const bullishBreakout: ScreenerStrategy<typeof bullishBreakoutSchema> = {
  name: 'bullish_breakout',
  description:
    'volume surge vs its average, MACD above its signal (optionally above zero), RSI not overbought, optionally at a 52-week high',
  configSchema: bullishBreakoutSchema,
  evaluate,
};
