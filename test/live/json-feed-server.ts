// A local server of tradeflow's JSON WebSocket feed protocol, for tests: honours `since` in subscribe
// messages (backfilling what a client missed), streams published bars, and has faults on demand.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { FeedBar } from '../../src/data/feeds/bar-feed.ts';
import { endMessage } from '../../src/data/feeds/websocket-messages.ts';

/** The message of one bar, as the protocol has it. */
export function barMessage(b: FeedBar): string {
  const { tsClose, ...rest } = b;
  return JSON.stringify({ ...rest, time: tsClose });
}

/** A JSON feed server on 127.0.0.1 whose bars are published by the test, one symbol and interval. */
export class JsonFeedServer {
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true, autoPong: false });
  readonly #bars: readonly FeedBar[];
  /** Per connection, the close time it was last sent (undefined until it subscribed). */
  readonly #clients = new Map<WebSocket, { since: number | undefined; subscribed?: true }>();
  #published: number;
  #port = 0;
  /** Each subscribe message received, parsed. */
  readonly subscribes: unknown[] = [];
  connections = 0;
  refuse = false;
  silent = false;

  private constructor(bars: readonly FeedBar[], published: number) {
    this.#bars = bars;
    this.#published = published;
    this.#http = createServer((_req, res) => res.writeHead(426).end());
    this.#http.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  /** Starts a server of `bars`, the first `published` of them already out. */
  static async start(bars: readonly FeedBar[], published = 0): Promise<JsonFeedServer> {
    const server = new JsonFeedServer(bars, published);
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve));
    const address = server.#http.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    server.#port = address.port;
    return server;
  }

  get url(): string {
    return `ws://127.0.0.1:${this.#port}/feed`;
  }

  get clients(): number {
    return this.#clients.size;
  }

  /** Publishes the next `n` bars to every subscribed connection. */
  publish(n = 1): void {
    this.#published = Math.min(this.#bars.length, this.#published + n);
    for (const ws of this.#clients.keys()) this.#catchUp(ws);
  }

  sendRaw(text: string): void {
    for (const ws of this.#clients.keys()) ws.send(text);
  }

  /** Says the feed is complete and closes normally. */
  finish(reason: string): void {
    for (const ws of this.#clients.keys()) {
      ws.send(endMessage(reason));
      ws.close(1000);
    }
  }

  /** Closes every connection normally, without the end message. */
  closeAll(): void {
    for (const ws of this.#clients.keys()) ws.close(1000);
  }

  /** Cuts every connection without a close frame. */
  dropAll(): void {
    for (const ws of this.#clients.keys()) ws.terminate();
    this.#clients.clear();
  }

  close(): Promise<void> {
    this.dropAll();
    this.#http.closeAllConnections();
    return new Promise((resolve) => this.#http.close(() => resolve()));
  }

  #catchUp(ws: WebSocket): void {
    const state = this.#clients.get(ws);
    if (state === undefined || this.silent || state.subscribed !== true) return;
    for (const b of this.#bars.slice(0, this.#published)) {
      if (state.since !== undefined && b.tsClose <= state.since) continue;
      ws.send(barMessage(b));
      state.since = b.tsClose;
    }
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    if (this.refuse) {
      socket.destroy();
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections++;
      const state: { since: number | undefined; subscribed?: true } = { since: undefined };
      this.#clients.set(ws, state);
      ws.on('ping', (data) => {
        if (!this.silent) ws.pong(data);
      });
      ws.on('message', (data: Buffer) => {
        const m = JSON.parse(data.toString('utf8')) as { subscribe: { since?: number }[] };
        this.subscribes.push(m);
        const since = m.subscribe[0]?.since;
        // A client that holds nothing gets only bars published from now on, as a live feed does.
        state.since = since ?? this.#bars[this.#published - 1]?.tsClose;
        state.subscribed = true;
        this.#catchUp(ws);
      });
      ws.on('close', () => this.#clients.delete(ws));
    });
  }
}
