// A local server that speaks Binance spot's kline formats, for tests: REST `GET /api/v3/klines` and the
// combined WebSocket stream (forming and closed klines, SUBSCRIBE requests, pings), with faults on demand.
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { join } from 'node:path';
import { type WebSocket, WebSocketServer } from 'ws';
import { ROOT } from '../helpers.ts';

/** One 1m kline as Binance keeps it (prices as decimal strings). */
export interface TestKline {
  readonly openMs: number;
  /** Binance's close time: the bar's last millisecond. */
  readonly closeTimeMs: number;
  readonly o: string;
  readonly h: string;
  readonly l: string;
  readonly c: string;
  readonly v: string;
}

const MINUTE = 60_000;

/**
 * Returns `count` real FXY minute bars (data/intraday/FXY_1min.csv) as back-to-back 1m klines from
 * `startMs`: real prices, times made contiguous as a market that never closes has them.
 */
export function fxyKlines(count: number, startMs = Date.UTC(2024, 0, 1)): TestKline[] {
  const rows = readFileSync(join(ROOT, 'data/intraday/FXY_1min.csv'), 'utf8').trim().split('\n').slice(1);
  if (count > rows.length) throw new Error(`only ${rows.length} FXY rows`);
  return rows.slice(0, count).map((row, i) => {
    const [, o, h, l, c, v] = row.split(',');
    const openMs = startMs + i * MINUTE;
    return { openMs, closeTimeMs: openMs + MINUTE - 1, o: o!, h: h!, l: l!, c: c!, v: v! };
  });
}

/** The kline stream message Binance sends for a kline, closed or still forming. */
export function klineMessage(symbol: string, k: TestKline, closed: boolean): string {
  const stream = `${symbol.toLowerCase()}@kline_1m`;
  return JSON.stringify({
    stream,
    data: {
      e: 'kline',
      E: closed ? k.closeTimeMs + 1 : k.openMs + 1000,
      s: symbol,
      k: {
        t: k.openMs,
        T: k.closeTimeMs,
        s: symbol,
        i: '1m',
        f: 1,
        L: 2,
        o: k.o,
        c: k.c,
        h: k.h,
        l: k.l,
        v: k.v,
        n: 2,
        x: closed,
        q: '0',
        V: '0',
        Q: '0',
        B: '0',
      },
    },
  });
}

/** What a test can set: which symbols exist and their klines. */
export interface BinanceTestServerOptions {
  /** Each symbol's klines (1m), oldest first. */
  readonly symbols: Readonly<Record<string, readonly TestKline[]>>;
  /** How many klines of each symbol are closed at start (default 0). */
  readonly closed?: number;
}

/** A Binance look-alike on 127.0.0.1 (one port serves REST and WebSocket). */
export class BinanceTestServer {
  readonly #http: Server;
  readonly #wss = new WebSocketServer({ noServer: true, autoPong: false });
  readonly #symbols: ReadonlyMap<string, readonly TestKline[]>;
  /** Per connection, the streams it receives. */
  readonly #clients = new Map<WebSocket, Set<string>>();
  #closed: number;
  #port = 0;
  /** Every REST request's path and query, in order. */
  readonly restRequests: string[] = [];
  /** WebSocket connections accepted so far. */
  connections = 0;
  /** When set, new connections are refused (the upgrade is cut). */
  refuse = false;
  /** When set, nothing is sent: no klines, no pong, no answer to requests. */
  silent = false;
  /** When set, REST requests after this many answer HTTP 500 (a server failing mid-download). */
  failRestAfter: number | undefined;
  /** When set, REST answers wait until `releaseRest()`. */
  holdRest = false;
  readonly #heldRest: (() => void)[] = [];

  private constructor(options: BinanceTestServerOptions) {
    this.#symbols = new Map(Object.entries(options.symbols));
    this.#closed = options.closed ?? 0;
    this.#http = createServer((req, res) => this.#rest(req, res));
    this.#http.on('upgrade', (req, socket, head) => this.#upgrade(req, socket, head));
  }

  /** Starts a server on a free port. */
  static async start(options: BinanceTestServerOptions): Promise<BinanceTestServer> {
    const server = new BinanceTestServer(options);
    await new Promise<void>((resolve) => server.#http.listen(0, '127.0.0.1', resolve));
    const address = server.#http.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    server.#port = address.port;
    return server;
  }

  get wsUrl(): string {
    return `ws://127.0.0.1:${this.#port}`;
  }

  get restUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The server's time: the close of the last closed kline (the next one is forming). */
  get nowMs(): number {
    const first = [...this.#symbols.values()][0]?.[0];
    return (first?.openMs ?? 0) + this.#closed * MINUTE;
  }

  /** Connections open now. */
  get clients(): number {
    return this.#clients.size;
  }

  /** Closes the next `n` klines of every symbol: each is streamed forming, then closed, to its subscribers. */
  publish(n = 1): void {
    for (let i = 0; i < n; i++) {
      for (const [symbol, klines] of this.#symbols) {
        const k = klines[this.#closed];
        if (k === undefined) throw new Error(`no kline ${this.#closed} of ${symbol}`);
        this.#broadcast(symbol, klineMessage(symbol, k, false));
        this.#broadcast(symbol, klineMessage(symbol, k, true));
      }
      this.#closed++;
    }
  }

  /** Sends a raw text message to every connection. */
  sendRaw(text: string): void {
    for (const ws of this.#clients.keys()) ws.send(text);
  }

  /** Sends a ping frame to every connection (Binance pings its clients). */
  ping(): void {
    for (const ws of this.#clients.keys()) ws.ping();
  }

  /** Cuts every connection without a close frame (a network drop). */
  dropAll(): void {
    for (const ws of this.#clients.keys()) ws.terminate();
    this.#clients.clear();
  }

  /** Lets the REST answers held by `holdRest` go. */
  releaseRest(): void {
    this.holdRest = false;
    for (const go of this.#heldRest.splice(0)) go();
  }

  close(): Promise<void> {
    this.dropAll();
    this.releaseRest();
    this.#http.closeAllConnections();
    return new Promise((resolve) => this.#http.close(() => resolve()));
  }

  #broadcast(symbol: string, text: string): void {
    if (this.silent) return;
    const stream = `${symbol.toLowerCase()}@kline_1m`;
    for (const [ws, streams] of this.#clients) if (streams.has(stream)) ws.send(text);
  }

  #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (this.refuse || url.pathname !== '/stream') {
      socket.destroy();
      return;
    }
    const streams = new Set((url.searchParams.get('streams') ?? '').split('/').filter((s) => s !== ''));
    this.#wss.handleUpgrade(req, socket, head, (ws) => {
      this.connections++;
      this.#clients.set(ws, streams);
      ws.on('ping', (data) => {
        if (!this.silent) ws.pong(data);
      });
      ws.on('message', (data: Buffer) => {
        if (this.silent) return;
        const m = JSON.parse(data.toString('utf8')) as { method?: string; params?: string[]; id?: number };
        for (const s of m.params ?? []) {
          if (m.method === 'SUBSCRIBE') streams.add(s);
          if (m.method === 'UNSUBSCRIBE') streams.delete(s);
        }
        ws.send(JSON.stringify({ result: null, id: m.id }));
      });
      ws.on('close', () => this.#clients.delete(ws));
    });
  }

  #rest(req: IncomingMessage, res: ServerResponse): void {
    this.restRequests.push(req.url ?? '');
    const answer = () => this.#klines(new URL(req.url ?? '/', 'http://x'), res);
    if (this.holdRest) this.#heldRest.push(answer);
    else answer();
  }

  #klines(url: URL, res: ServerResponse): void {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/api/v3/klines') return send(404, { code: -1, msg: 'Not found' });
    if (this.failRestAfter !== undefined && this.restRequests.length > this.failRestAfter) {
      return send(500, { code: -1000, msg: 'An unknown error occurred while processing the request.' });
    }
    const q = url.searchParams;
    const klines = this.#symbols.get(q.get('symbol') ?? '');
    if (klines === undefined) return send(400, { code: -1121, msg: 'Invalid symbol.' });
    if (q.get('interval') !== '1m') return send(400, { code: -1120, msg: 'Invalid interval.' });
    const limit = Math.min(1000, Number(q.get('limit') ?? 500));
    const start = q.has('startTime') ? Number(q.get('startTime')) : undefined;
    const end = q.has('endTime') ? Number(q.get('endTime')) : undefined;
    // Visible: the closed klines and the one forming now.
    let rows = klines.slice(0, this.#closed + 1);
    if (start !== undefined) rows = rows.filter((k) => k.openMs >= start);
    if (end !== undefined) rows = rows.filter((k) => k.openMs <= end);
    rows = start !== undefined ? rows.slice(0, limit) : rows.slice(Math.max(0, rows.length - limit));
    send(
      200,
      rows.map((k) => [k.openMs, k.o, k.h, k.l, k.c, k.v, k.closeTimeMs, '0', 2, '0', '0', '0']),
    );
  }
}
