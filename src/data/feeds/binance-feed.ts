// The Binance spot feed: closed klines from the public combined WebSocket stream, each stream backfilled
// over REST from its last bar before live bars flow and after every reconnect, so no bar is missed or twice.
import { type Clock, WallClock } from '../../core/clock.ts';
import { isTradeflowError } from '../../core/errors.ts';
import { INTERVALS, type Interval } from '../../model/interval.ts';
import type { BarFeed, FeedBar, FeedHandlers, FeedSubscription } from './bar-feed.ts';
import { binanceInterval, klineStream, parseKlineMessage } from './binance-messages.ts';
import { BinanceRest } from './binance-rest.ts';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_RECONNECT, type ReconnectPolicy } from './reconnect.ts';
import { ReconnectingSocket } from './reconnecting-socket.ts';
import { describeReject, feedBarProblem, StreamBook } from './stream-book.ts';

/** Where Binance is and how to keep the connection; the factory fills these from `live.feed`. */
export interface BinanceFeedOptions {
  /** WebSocket base URL, e.g. `wss://stream.binance.com:9443`. */
  readonly wsUrl: string;
  /** REST base URL, e.g. `https://api.binance.com`. */
  readonly restUrl: string;
  readonly reconnect?: ReconnectPolicy;
  /** A connection silent this long (no message, ping or pong) is taken as lost; default 30 s. */
  readonly heartbeatMs?: number;
  /** Seeds the backoff's jitter; default 1. */
  readonly seed?: number;
  /** Tells which klines are closed (a REST row ending after now is not); default the wall clock. */
  readonly clock?: Clock;
  /** The HTTP client; default Node's global fetch. */
  readonly fetch?: typeof fetch;
}

const keyOf = (symbol: string, interval: Interval): string => `${symbol.toUpperCase()}|${interval}`;

/** Binance's interval names, back to ours. */
const INTERVAL_OF: ReadonlyMap<string, Interval> = new Map(INTERVALS.map((i) => [binanceInterval(i), i]));

/** A live feed of Binance spot klines (public data, no API key). */
export class BinanceFeed implements BarFeed {
  readonly name: string;
  readonly #o: BinanceFeedOptions;
  readonly #rest: BinanceRest;
  #book = new StreamBook();
  /** Binance's (upper case) symbol to the symbol the run subscribed with. */
  readonly #symbols = new Map<string, string>();
  readonly #checked = new Set<string>();
  /** Streams being backfilled, with the live bars that arrived meanwhile (merged after the backfill). */
  readonly #held = new Map<string, FeedBar[]>();
  #socket: ReconnectingSocket | undefined;
  #handlers: FeedHandlers | undefined;
  /** Bumped on each connection: a backfill started for an older one delivers nothing. */
  #epoch = 0;
  #requestId = 0;
  /** Messages received, to name them in rejects. */
  #count = 0;

  constructor(options: BinanceFeedOptions) {
    this.#o = options;
    this.name = options.wsUrl;
    this.#rest = new BinanceRest({
      restUrl: options.restUrl,
      clock: options.clock ?? new WallClock(),
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    });
  }

  /** How many REST requests the feed has made (checks, backfills, history). */
  get restRequests(): number {
    return this.#rest.requests;
  }

  history(symbol: string, interval: Interval, count: number): Promise<FeedBar[]> {
    return this.#rest.lastClosedBars(symbol, interval, count);
  }

  start(subscriptions: readonly FeedSubscription[], h: FeedHandlers): void {
    this.#book = new StreamBook(subscriptions);
    for (const s of subscriptions) this.#symbols.set(s.symbol.toUpperCase(), s.symbol);
    this.#handlers = h;
    const socket = new ReconnectingSocket({
      name: this.name,
      url: () => this.#streamUrl(),
      reconnect: this.#o.reconnect ?? DEFAULT_RECONNECT,
      heartbeatMs: this.#o.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      seed: this.#o.seed ?? 1,
      // Symbols are checked over REST before the first subscription: a clear error beats a silent stream.
      prepare: () => this.#checkSymbols(),
      isFatal: (e) => isTradeflowError(e, 'TF_ERR_FEED_SYMBOL'),
      onOpen: () => {
        this.#epoch++;
        this.#held.clear();
        for (const s of this.#book.subscriptions()) this.#backfill(s);
      },
      onText: (text) => this.#onText(text),
      onConnection: (event) => h.onConnection(event),
      onEnd: (end) => h.onEnd(end),
    });
    this.#socket = socket;
    socket.start();
  }

  subscribe(subscription: FeedSubscription): void {
    this.#book.add(subscription);
    this.#symbols.set(subscription.symbol.toUpperCase(), subscription.symbol);
    const socket = this.#socket;
    if (socket === undefined || !socket.open) return; // the next connection's URL names the stream
    const epoch = this.#epoch;
    this.#checkSymbols().then(
      () => {
        if (epoch !== this.#epoch || socket.ended || !this.#book.has(subscription.symbol, subscription.interval)) return;
        // Held from before the request, so that no live bar slips past the backfill.
        this.#backfill(subscription);
        this.#request('SUBSCRIBE', subscription);
      },
      (e: unknown) => {
        if (socket.ended) return;
        const reason = e instanceof Error ? e.message : String(e);
        if (!isTradeflowError(e, 'TF_ERR_FEED_SYMBOL')) {
          // REST is down: the next connection names the stream in its URL and checks it again first.
          socket.drop(`check of ${subscription.symbol} failed: ${reason}`);
          return;
        }
        // An unknown symbol joining costs that stream only; the run's other streams go on.
        this.#book.remove(subscription.symbol, subscription.interval);
        this.#handlers?.onReject('unknown-stream', `${subscription.symbol} ${subscription.interval}: ${reason}`);
      },
    );
  }

  unsubscribe(symbol: string, interval: Interval): void {
    this.#book.remove(symbol, interval);
    this.#held.delete(keyOf(symbol, interval));
    if (this.#socket?.open === true) this.#request('UNSUBSCRIBE', { symbol, interval });
  }

  stop(): void {
    this.#socket?.stop();
  }

  #streamUrl(): string {
    const streams = this.#book.subscriptions().map((s) => klineStream(s.symbol, s.interval));
    return `${this.#o.wsUrl.replace(/\/+$/, '')}/stream?streams=${streams.join('/')}`;
  }

  #request(method: 'SUBSCRIBE' | 'UNSUBSCRIBE', s: { symbol: string; interval: Interval }): void {
    const message = { method, params: [klineStream(s.symbol, s.interval)], id: ++this.#requestId };
    this.#socket?.send(JSON.stringify(message));
  }

  async #checkSymbols(): Promise<void> {
    for (const s of this.#book.subscriptions()) {
      const symbol = s.symbol.toUpperCase();
      if (this.#checked.has(symbol)) continue;
      await this.#rest.checkSymbol(s.symbol, s.interval);
      this.#checked.add(symbol);
    }
  }

  /** Fetches what a stream missed since its last bar; its live bars are held until that is delivered. */
  #backfill(s: FeedSubscription): void {
    const since = s.sinceMs;
    if (since === undefined) return; // from the next live bar: nothing to catch up
    const key = keyOf(s.symbol, s.interval);
    const epoch = this.#epoch;
    this.#held.set(key, []);
    this.#rest.closedBars(s.symbol, s.interval, since).then(
      (bars) => {
        const socket = this.#socket;
        const h = this.#handlers;
        if (epoch !== this.#epoch || socket === undefined || socket.ended || h === undefined) return;
        const held = this.#held.get(key) ?? [];
        this.#held.delete(key);
        if (!this.#book.has(s.symbol, s.interval)) return;
        // Bars the book turns away here are the overlap between backfill and stream, not feed faults.
        const deliver = (list: readonly FeedBar[]): number | undefined => {
          let n = 0;
          for (const bar of list) {
            if (this.#book.take(bar) !== undefined) continue;
            n++;
            h.onBar(bar);
            if (socket.ended) return undefined;
          }
          return n;
        };
        const backfilled = deliver(bars);
        if (backfilled === undefined) return;
        h.onConnection({ kind: 'backfilled', symbol: s.symbol, interval: s.interval, bars: backfilled });
        if (!socket.ended) deliver(held);
      },
      (e: unknown) => {
        const socket = this.#socket;
        if (epoch !== this.#epoch || socket === undefined || socket.ended) return;
        const reason = `backfill of ${s.symbol} ${s.interval} failed: ${e instanceof Error ? e.message : String(e)}`;
        if (isTradeflowError(e, 'TF_ERR_FEED_SYMBOL')) socket.fail(reason);
        else socket.drop(reason);
      },
    );
  }

  #onText(text: string | undefined): void {
    const h = this.#handlers;
    if (h === undefined) return;
    const n = ++this.#count;
    if (text === undefined) return h.onReject('malformed', `message ${n}: binary data`);
    const m = parseKlineMessage(text, INTERVAL_OF);
    if (m.kind === 'ignored') return;
    if (m.kind === 'malformed') return h.onReject('malformed', `message ${n}: ${m.problem}`);
    const symbol = this.#symbols.get(m.bar.symbol.toUpperCase()) ?? m.bar.symbol;
    const bar: FeedBar = { ...m.bar, symbol };
    const problem = feedBarProblem(bar);
    if (problem !== undefined) return h.onReject('malformed', `message ${n}: bar ${symbol} ${problem}`);
    const held = this.#held.get(keyOf(symbol, bar.interval));
    if (held !== undefined) {
      held.push(bar);
      return;
    }
    const reject = this.#book.take(bar);
    if (reject === undefined) h.onBar(bar);
    else h.onReject(reject, `message ${n}: ${describeReject(reject, bar)}`);
  }
}
