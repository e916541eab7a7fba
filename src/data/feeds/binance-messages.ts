// Binance spot's kline formats, read into feed bars: the combined-stream WebSocket message and the REST
// row, both stamped with the same close time; stream names and intervals.
import type { Interval } from '../../model/interval.ts';
import type { FeedBar } from './bar-feed.ts';

/** Binance's name of an interval (the same strings as ours for those tradeflow knows). */
export function binanceInterval(interval: Interval): string {
  return interval;
}

/** The kline stream of a symbol and interval, as a combined stream names it (`btcusdt@kline_1m`). */
export function klineStream(symbol: string, interval: Interval): string {
  return `${symbol.toLowerCase()}@kline_${binanceInterval(interval)}`;
}

/**
 * The close time tradeflow stamps a kline with. Binance's close time is the bar's last millisecond
 * (`T` = open + length - 1), so one is added: the REST row and the streamed kline of one bar then agree.
 */
export function klineCloseMs(binanceCloseTime: number): number {
  return binanceCloseTime + 1;
}

const num = (v: unknown): number => (typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** What one WebSocket message said. */
export type KlineMessage =
  /** A closed kline of a stream, as a bar of the Binance symbol (upper case). */
  | { readonly kind: 'closed'; readonly bar: FeedBar }
  /** A kline still forming (`x: false`), or a reply to a request: a sign of life, nothing to deliver. */
  | { readonly kind: 'ignored' }
  | { readonly kind: 'malformed'; readonly problem: string };

/** Reads a combined-stream message: `{"stream": "btcusdt@kline_1m", "data": {"e": "kline", "k": {...}}}`. */
export function parseKlineMessage(text: string, intervals: ReadonlyMap<string, Interval>): KlineMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { kind: 'malformed', problem: `not JSON (${(e as Error).message})` };
  }
  if (!isObject(raw)) return { kind: 'malformed', problem: 'not a JSON object' };
  // The answer to a SUBSCRIBE or UNSUBSCRIBE request: {"result": null, "id": 1}.
  if ('id' in raw && 'result' in raw && !('stream' in raw)) return { kind: 'ignored' };
  const data = raw['data'];
  if (typeof raw['stream'] !== 'string' || !isObject(data)) {
    return { kind: 'malformed', problem: 'not a combined-stream message (stream, data)' };
  }
  const k = data['k'];
  if (data['e'] !== 'kline' || !isObject(k)) return { kind: 'malformed', problem: `stream ${raw['stream']}: not a kline` };
  const interval = typeof k['i'] === 'string' ? intervals.get(k['i']) : undefined;
  if (interval === undefined) return { kind: 'malformed', problem: `stream ${raw['stream']}: unknown interval ${String(k['i'])}` };
  if (typeof k['s'] !== 'string' || k['s'] === '') return { kind: 'malformed', problem: `stream ${raw['stream']}: no symbol` };
  if (typeof k['x'] !== 'boolean') return { kind: 'malformed', problem: `stream ${raw['stream']}: x is not a boolean` };
  if (!k['x']) return { kind: 'ignored' };
  if (typeof k['T'] !== 'number' || !Number.isSafeInteger(k['T'])) {
    return { kind: 'malformed', problem: `stream ${raw['stream']}: T is not a time` };
  }
  const bar: FeedBar = {
    symbol: k['s'],
    interval,
    tsClose: klineCloseMs(k['T']),
    open: num(k['o']),
    high: num(k['h']),
    low: num(k['l']),
    close: num(k['c']),
    volume: num(k['v']),
  };
  for (const f of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (!Number.isFinite(bar[f])) return { kind: 'malformed', problem: `stream ${raw['stream']}: ${f} is not a number` };
  }
  return { kind: 'closed', bar };
}

/** A REST kline row read: its open time, Binance close time and the bar. */
export interface KlineRow {
  readonly openMs: number;
  /** Binance's close time (the bar's last millisecond): the row is closed once the clock is past it. */
  readonly closeTimeMs: number;
  readonly bar: FeedBar;
}

/**
 * Reads the body of `GET /api/v3/klines`: rows `[openTime, "o", "h", "l", "c", "v", closeTime, ...]`.
 * Returns the rows, or the problem with the first bad one.
 */
export function parseKlineRows(
  body: unknown,
  symbol: string,
  interval: Interval,
): { rows: KlineRow[] } | { problem: string } {
  if (!Array.isArray(body)) return { problem: 'the answer is not an array of klines' };
  const rows: KlineRow[] = [];
  for (const [i, r] of body.entries()) {
    if (!Array.isArray(r) || r.length < 7) return { problem: `kline ${i} is not an array of 7 or more fields` };
    const [openMs, o, h, l, c, v, closeTimeMs] = r as unknown[];
    if (typeof openMs !== 'number' || typeof closeTimeMs !== 'number') {
      return { problem: `kline ${i}: open and close times must be numbers` };
    }
    const bar: FeedBar = {
      symbol,
      interval,
      tsClose: klineCloseMs(closeTimeMs),
      open: num(o),
      high: num(h),
      low: num(l),
      close: num(c),
      volume: num(v),
    };
    if (![bar.open, bar.high, bar.low, bar.close, bar.volume].every(Number.isFinite)) {
      return { problem: `kline ${i}: a price or the volume is not a number` };
    }
    rows.push({ openMs, closeTimeMs, bar });
  }
  return { rows };
}
