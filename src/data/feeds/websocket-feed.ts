// A live bar feed over a WebSocket speaking tradeflow's JSON protocol (websocket-messages.ts): bars
// checked and deduplicated per stream, the connection kept by the reconnect policy and a heartbeat.
import type { Interval } from '../../model/interval.ts';
import type { BarFeed, FeedBar, FeedHandlers, FeedSubscription } from './bar-feed.ts';
import { DEFAULT_HEARTBEAT_MS, DEFAULT_RECONNECT, type ReconnectPolicy } from './reconnect.ts';
import { ReconnectingSocket } from './reconnecting-socket.ts';
import { describeReject, feedBarProblem, StreamBook } from './stream-book.ts';
import { parseBarMessage, subscribeMessage } from './websocket-messages.ts';

export { endMessage, parseBarMessage, subscribeMessage } from './websocket-messages.ts';

/** How to reach a JSON WebSocket feed and how to keep the connection. */
export interface WebSocketFeedOptions {
  /** ws:// or wss:// URL of the server. */
  readonly url: string;
  /** Retries of a lost (or never made) connection; default: the config schema's. */
  readonly reconnect?: ReconnectPolicy;
  /** A connection silent this long is taken as lost; default 30 s. */
  readonly heartbeatMs?: number;
  /** Seeds the backoff's jitter; default 1. */
  readonly seed?: number;
}

/**
 * A live feed over a WebSocket: each text message carries one bar or an array of bars, or `{"end": ...}`
 * when the feed is complete. On every connection it sends the subscribe message with the last bar
 * delivered per stream, so a server that honours `since` backfills what a lost connection missed.
 */
export class WebSocketFeed implements BarFeed {
  readonly name: string;
  readonly #options: WebSocketFeedOptions;
  #socket: ReconnectingSocket | undefined;
  #book = new StreamBook();

  /** Takes the options, or just the URL (default policy and heartbeat). */
  constructor(options: WebSocketFeedOptions | string) {
    this.#options = typeof options === 'string' ? { url: options } : options;
    this.name = this.#options.url;
  }

  history(): Promise<FeedBar[]> {
    return Promise.resolve([]);
  }

  subscribe(subscription: FeedSubscription): void {
    this.#book.add(subscription);
    this.#socket?.send(subscribeMessage([subscription]));
  }

  unsubscribe(symbol: string, interval: Interval): void {
    this.#book.remove(symbol, interval);
  }

  start(subscriptions: readonly FeedSubscription[], h: FeedHandlers): void {
    this.#book = new StreamBook(subscriptions);
    let count = 0;
    const socket = new ReconnectingSocket({
      name: this.name,
      url: () => this.#options.url,
      reconnect: this.#options.reconnect ?? DEFAULT_RECONNECT,
      heartbeatMs: this.#options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS,
      seed: this.#options.seed ?? 1,
      onOpen: () => socket.send(subscribeMessage(this.#book.subscriptions())),
      onText: (text) => {
        count++;
        if (text === undefined) return h.onReject('malformed', `message ${count}: binary data; send JSON text`);
        const parsed = parseBarMessage(text);
        if ('problem' in parsed) return h.onReject('malformed', `message ${count}: ${parsed.problem}`);
        if ('end' in parsed) return socket.finish(`feed ${this.name} ended: ${parsed.end}`);
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
          // A handler may stop the feed on a bar; the rest of the message is then not delivered.
          if (socket.ended) return;
        }
      },
      onConnection: (event) => h.onConnection(event),
      onEnd: (end) => h.onEnd(end),
    });
    this.#socket = socket;
    socket.start();
  }

  stop(): void {
    this.#socket?.stop();
  }
}
