// The JSON protocol of the WebSocket feed: the bar messages a server sends, its final `{"end": ...}`
// message, and the subscribe message a client sends on each connection.
import { z } from 'zod';
import { formatIssuePath } from '../../core/zod-errors.ts';
import { INTERVALS } from '../../model/interval.ts';
import type { FeedBar, FeedSubscription } from './bar-feed.ts';

/**
 * One bar message: `{ "symbol": "ORCL", "time": "2024-01-02T14:31:00Z" | 1704205860000, "open": ...,
 * "high": ..., "low": ..., "close": ..., "volume": ... }`, the time being the bar's close. A message may
 * also carry an array of such bars.
 */
const BarMessageSchema = z
  .object({
    symbol: z.string().min(1),
    interval: z.enum(INTERVALS).default('1m'),
    time: z.union([z.number().finite(), z.iso.datetime({ offset: true })]),
    open: z.number().finite(),
    high: z.number().finite(),
    low: z.number().finite(),
    close: z.number().finite(),
    volume: z.number().finite().default(0),
  })
  .strict();

const BarListSchema = z.array(BarMessageSchema);

/**
 * The message a server sends after its last bar when its feed is complete (a recording played to its
 * end): `{"end": "reason"}`. A connection closed without it is taken as lost, and reconnected.
 */
const EndMessageSchema = z.object({ end: z.string() }).strict();

/** Parses one feed message into bars or the end of the feed, or explains what is wrong with it. */
export function parseBarMessage(text: string): { bars: FeedBar[] } | { end: string } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
  const end = EndMessageSchema.safeParse(raw);
  if (end.success) return { end: end.data.end };
  // Parse a list and a single bar separately, so that errors name the bad fields.
  const r = Array.isArray(raw) ? BarListSchema.safeParse(raw) : BarMessageSchema.safeParse(raw);
  if (!r.success) {
    return { problem: r.error.issues.map((i) => `${formatIssuePath(i.path)}: ${i.message}`).join('; ') };
  }
  const list = Array.isArray(r.data) ? r.data : [r.data];
  return {
    bars: list.map((b) => ({
      symbol: b.symbol,
      interval: b.interval,
      tsClose: typeof b.time === 'number' ? b.time : Date.parse(b.time),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
    })),
  };
}

/**
 * The message a client sends when it connects, and again for each stream added: the streams it wants and
 * the close time of the last bar it holds of each (`since`, absent for none), so that a server can
 * backfill the bars after it. A server that ignores it and sends every bar still works: bars the client
 * holds already are rejected as duplicates.
 */
export function subscribeMessage(subscriptions: readonly FeedSubscription[]): string {
  return JSON.stringify({
    subscribe: subscriptions.map((s) => ({
      symbol: s.symbol,
      interval: s.interval,
      ...(s.sinceMs === undefined ? {} : { since: s.sinceMs }),
    })),
  });
}


/** The final message of a complete feed (what `tradeflow feed serve` sends after its last bar). */
export function endMessage(reason: string): string {
  return JSON.stringify({ end: reason });
}
