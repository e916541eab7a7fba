// A live bar feed over WebSocket: JSON bar messages parsed and checked, handed on as feed bars.
import WebSocket from 'ws';
import { z } from 'zod';
import { formatIssuePath } from '../../core/zod-errors.ts';
import { INTERVALS, type Interval } from '../../model/interval.ts';
import type { BarFeed, FeedBar, FeedHandlers, FeedSubscription, RejectKind } from './bar-feed.ts';
import { feedBarProblem, StreamBook } from './stream-book.ts';

/** Says why a bar was rejected, naming it. */
export function describeReject(kind: RejectKind, bar: FeedBar): string {
  const what = `bar ${bar.symbol} ${bar.interval} at ${Number.isFinite(bar.tsClose) && Math.abs(bar.tsClose) <= 8.64e15 ? new Date(bar.tsClose).toISOString() : String(bar.tsClose)}`;
  switch (kind) {
    case 'duplicate':
      return `${what} was delivered already`;
    case 'out-of-order':
      return `${what} is older than a bar delivered already`;
    case 'unknown-stream':
      return `${what} is of a stream not subscribed to`;
    case 'malformed':
      return `${what} is malformed`;
  }
}

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

/** Parses one feed message into bars, or explains what is wrong with it. */
export function parseBarMessage(text: string): { bars: FeedBar[] } | { problem: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return { problem: `not JSON (${(e as Error).message})` };
  }
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

/** A live feed over a WebSocket: each text message carries one bar or an array of bars. */
export class WebSocketFeed implements BarFeed {
  readonly name: string;
  #ws: WebSocket | undefined;
  #stopped = false;
  #book = new StreamBook();

  constructor(url: string) {
    this.name = url;
  }

  history(): Promise<FeedBar[]> {
    return Promise.resolve([]);
  }

  subscribe(subscription: FeedSubscription): void {
    this.#book.add(subscription);
    if (this.#ws?.readyState === WebSocket.OPEN) this.#ws.send(subscribeMessage([subscription]));
  }

  unsubscribe(symbol: string, interval: Interval): void {
    this.#book.remove(symbol, interval);
  }

  start(subscriptions: readonly FeedSubscription[], h: FeedHandlers): void {
    this.#book = new StreamBook(subscriptions);
    const ws = new WebSocket(this.name);
    this.#ws = ws;
    let count = 0;
    ws.on('open', () => {
      ws.send(subscribeMessage(this.#book.subscriptions()));
      h.onConnection({ kind: 'connected', url: this.name });
    });
    ws.on('message', (data, isBinary) => {
      count++;
      if (isBinary) return h.onReject('malformed', `message ${count}: binary data; send JSON text`);
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : new TextDecoder().decode(data);
      const parsed = parseBarMessage(text);
      if ('problem' in parsed) return h.onReject('malformed', `message ${count}: ${parsed.problem}`);
      for (const bar of parsed.bars) {
        // A bar with broken values never enters the book: the good bar of the same time may follow.
        const problem = feedBarProblem(bar);
        if (problem !== undefined) {
          h.onReject('malformed', `message ${count}: bar ${bar.symbol} ${problem}`);
          continue;
        }
        const reject = this.#book.take(bar);
        if (reject === undefined) h.onBar(bar);
        else h.onReject(reject, `message ${count}: ${describeReject(reject, bar)}`);
      }
    });
    ws.on('error', (e) => {
      if (!this.#stopped) h.onEnd({ outcome: 'failed', reason: `feed ${this.name} failed: ${e.message}` });
      this.#stopped = true;
    });
    ws.on('close', (code) => {
      if (!this.#stopped) h.onEnd({ outcome: 'completed', reason: `feed ${this.name} closed (code ${code})` });
      this.#stopped = true;
    });
  }

  stop(): void {
    this.#stopped = true;
    this.#ws?.close();
  }
}
