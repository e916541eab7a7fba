// Bar intervals: the ones tradeflow knows, their lengths, and which can be aggregated into which.
import { TradeflowError } from '../core/errors.ts';

/** Bar intervals tradeflow knows. Intraday intervals are fixed lengths; `1d` is one trading session. */
export const INTERVALS = ['1m', '5m', '15m', '30m', '1h', '1d'] as const;

/** A bar interval such as `1m` or `1d`. */
export type Interval = (typeof INTERVALS)[number];

const INTERVAL_MS: Readonly<Record<Interval, number>> = {
  '1m': 60_000,
  '5m': 300_000,
  '15m': 900_000,
  '30m': 1_800_000,
  '1h': 3_600_000,
  '1d': 86_400_000,
};

/** Returns the nominal length of an interval in milliseconds (a session for `1d`, nominally a day). */
export function intervalMs(interval: Interval): number {
  return INTERVAL_MS[interval];
}

/** Returns true for a known interval name. */
export function isInterval(s: string): s is Interval {
  return (INTERVALS as readonly string[]).includes(s);
}

/** Parses an interval name, naming the known ones when it is not. */
export function parseInterval(s: string, where = 'interval'): Interval {
  if (isInterval(s)) return s;
  throw new TradeflowError(
    'TF_ERR_CONFIG_INVALID',
    `${where}: unknown interval "${s}"; use one of ${INTERVALS.join(', ')}`,
  );
}

/** Returns true when bars of `base` can be rolled up into bars of `target`. */
export function canAggregate(base: Interval, target: Interval): boolean {
  if (base === target) return true;
  if (target === '1d') return base !== '1d';
  if (base === '1d') return false;
  return INTERVAL_MS[target] > INTERVAL_MS[base] && INTERVAL_MS[target] % INTERVAL_MS[base] === 0;
}
