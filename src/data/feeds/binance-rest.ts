// Binance spot's public REST klines (`GET /api/v3/klines`, no API key): closed bars of a time range or
// the last n, paginated, with errors that name the symbol and the URL. Used by the feed and `download`.
import type { Clock } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { Interval } from '../../model/interval.ts';
import type { FeedBar } from './bar-feed.ts';
import { binanceInterval, type KlineRow, parseKlineRows } from './binance-messages.ts';

/** Binance answers at most this many klines per request. */
export const KLINES_PER_REQUEST = 1000;

/** Where the REST API is and what tells the time (a kline is closed once the clock is past its end). */
export interface BinanceRestOptions {
  /** Base URL, e.g. `https://api.binance.com`. */
  readonly restUrl: string;
  readonly clock: Clock;
  /** The HTTP client; default Node's global fetch. */
  readonly fetch?: typeof fetch;
}

interface KlineQuery {
  readonly startTime?: number;
  readonly endTime?: number;
  readonly limit: number;
}

const causeOf = (e: unknown): string => {
  const cause = e instanceof Error && e.cause instanceof Error ? `: ${e.cause.message}` : '';
  return `${e instanceof Error ? e.message : String(e)}${cause}`;
};

/** A client of Binance's klines endpoint. Symbols are sent upper case; bars carry the caller's symbol. */
export class BinanceRest {
  readonly restUrl: string;
  readonly #clock: Clock;
  readonly #fetch: typeof fetch;
  #requests = 0;

  constructor(options: BinanceRestOptions) {
    this.restUrl = options.restUrl.replace(/\/+$/, '');
    this.#clock = options.clock;
    this.#fetch = options.fetch ?? fetch;
  }

  /** How many requests this client has made (Binance weighs each; tests check that few are made). */
  get requests(): number {
    return this.#requests;
  }

  /** Resolves when Binance knows the symbol; rejects with TF_ERR_FEED_SYMBOL naming it and the URL if not. */
  async checkSymbol(symbol: string, interval: Interval = '1m'): Promise<void> {
    await this.#klines(symbol, interval, { limit: 1 });
  }

  /**
   * Returns the closed bars whose open time is in [fromOpenMs, toOpenMs] (to: up to now), oldest first.
   * A stream's last bar closes at `sinceMs`, the next one opens there: from `sinceMs` is what it missed.
   */
  async closedBars(symbol: string, interval: Interval, fromOpenMs: number, toOpenMs?: number): Promise<FeedBar[]> {
    const out: FeedBar[] = [];
    for await (const page of this.closedPages(symbol, interval, fromOpenMs, toOpenMs)) {
      for (const r of page) out.push(r.bar);
    }
    return out;
  }

  /**
   * Yields the closed klines whose open time is in [fromOpenMs, toOpenMs], one request's worth at a time
   * (a download writes each page as it comes instead of holding a year of minutes).
   */
  async *closedPages(
    symbol: string,
    interval: Interval,
    fromOpenMs: number,
    toOpenMs?: number,
  ): AsyncGenerator<KlineRow[]> {
    let start = fromOpenMs;
    for (;;) {
      const query = { startTime: start, limit: KLINES_PER_REQUEST };
      const rows = await this.#klines(symbol, interval, toOpenMs === undefined ? query : { ...query, endTime: toOpenMs });
      const nowMs = this.#clock.now();
      // The kline still forming is the last of an answer that reaches now: it ends the range.
      const closed = rows.filter((r) => r.bar.tsClose <= nowMs);
      if (closed.length > 0) yield closed;
      const last = rows.at(-1);
      if (last === undefined || closed.length < rows.length || rows.length < KLINES_PER_REQUEST) return;
      start = last.openMs + 1;
    }
  }

  /** Returns the last `count` closed bars before now, oldest first (fewer when the market is younger). */
  async lastClosedBars(symbol: string, interval: Interval, count: number): Promise<FeedBar[]> {
    const chunks: FeedBar[][] = [];
    let need = Math.max(0, Math.floor(count));
    let endTime: number | undefined;
    while (need > 0) {
      // One more than needed: the newest kline of the first answer is usually still forming.
      const limit = Math.min(KLINES_PER_REQUEST, need + 1);
      const rows = await this.#klines(symbol, interval, endTime === undefined ? { limit } : { endTime, limit });
      const nowMs = this.#clock.now();
      const closed = rows.filter((r) => r.bar.tsClose <= nowMs).map((r) => r.bar);
      const taken = closed.slice(Math.max(0, closed.length - need));
      chunks.unshift(taken);
      need -= taken.length;
      const first = rows[0];
      if (first === undefined || rows.length < limit) break;
      endTime = first.openMs - 1;
    }
    return chunks.flat();
  }

  async #klines(symbol: string, interval: Interval, q: KlineQuery): Promise<KlineRow[]> {
    const params = new URLSearchParams({ symbol: symbol.toUpperCase(), interval: binanceInterval(interval) });
    if (q.startTime !== undefined) params.set('startTime', String(q.startTime));
    if (q.endTime !== undefined) params.set('endTime', String(q.endTime));
    params.set('limit', String(q.limit));
    const url = `${this.restUrl}/api/v3/klines?${params.toString()}`;
    this.#requests++;
    let response: Response;
    try {
      response = await this.#fetch(url);
    } catch (e) {
      throw new TradeflowError('TF_ERR_FEED_UNREACHABLE', `cannot reach ${url} (${causeOf(e)})`, { cause: e });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (e) {
      throw new TradeflowError('TF_ERR_FEED_UNREACHABLE', `${url}: the answer broke off (${causeOf(e)})`, {
        cause: e,
      });
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (!response.ok) {
      const apiError = body as { code?: unknown; msg?: unknown } | undefined;
      if (response.status === 400 && apiError?.code === -1121) {
        throw new TradeflowError(
          'TF_ERR_FEED_SYMBOL',
          `unknown symbol "${symbol}": ${url} answered HTTP 400, code -1121 (${String(apiError.msg)})`,
        );
      }
      throw new TradeflowError(
        'TF_ERR_FEED_UNREACHABLE',
        `${url} answered HTTP ${response.status}: ${text.slice(0, 200).replace(/\s+/g, ' ')}`,
      );
    }
    const parsed = parseKlineRows(body, symbol, interval);
    if ('problem' in parsed) {
      throw new TradeflowError('TF_ERR_FEED_UNREACHABLE', `${url}: not klines (${parsed.problem})`);
    }
    return parsed.rows;
  }
}
