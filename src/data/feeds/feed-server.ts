// `tradeflow feed serve`'s server: a replay's bars served as the JSON WebSocket feed, on one timeline
// that every client shares, each client getting the streams it asked for.
import { WebSocketServer, type WebSocket } from 'ws';
import { z } from 'zod';
import { type Timer, wallTimer } from '../../core/clock.ts';
import { TradeflowError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { INTERVALS } from '../../model/interval.ts';
import type { FeedBar } from './bar-feed.ts';
import { BarPlayer } from './bar-player.ts';
import type { ReplayBars } from './replay-bars.ts';

/** How long a client may take to send its subscribe message before it is sent every stream. */
export const SUBSCRIBE_WAIT_MS = 1000;
/** Bars per message when many are due at once (a backfill, a high speed). */
const BARS_PER_MESSAGE = 1000;

/** Where and how a feed server serves. */
export interface FeedServerOptions {
  readonly replay: ReplayBars;
  /** Bar time passes `speed` times as fast as wall time. */
  readonly speed: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** 0: any free port. */
  readonly port: number;
  readonly timer?: Timer;
  readonly subscribeWaitMs?: number;
  readonly log?: Logger;
  /** Called once when the last bar has been played. */
  readonly onPlayed?: () => void;
}

/** A listening feed server. */
export interface FeedServer {
  /** `ws://host:port`. */
  readonly url: string;
  readonly port: number;
  /** Closes every connection and stops listening. */
  close(): Promise<void>;
}

const SubscribeSchema = z
  .object({
    subscribe: z.array(
      z.object({ symbol: z.string().min(1), interval: z.enum(INTERVALS), since: z.number().finite().optional() }),
    ),
  })
  .strict();

/** Encodes bars as the JSON WebSocket feed's messages: an array per message. */
function barMessages(bars: readonly FeedBar[]): string[] {
  const messages: string[] = [];
  for (let i = 0; i < bars.length; i += BARS_PER_MESSAGE) {
    const chunk = bars.slice(i, i + BARS_PER_MESSAGE).map((b) => ({
      symbol: b.symbol,
      interval: b.interval,
      time: new Date(b.tsClose).toISOString(),
      open: b.open,
      high: b.high,
      low: b.low,
      close: b.close,
      volume: b.volume,
    }));
    messages.push(JSON.stringify(chunk));
  }
  return messages;
}

const keyOf = (bar: { symbol: string; interval: string }): string => `${bar.symbol}|${bar.interval}`;

/** One connection: the streams it gets with the last bar sent on each (`all`: every stream), once known. */
class Client {
  streams: Map<string, number> | 'all' | undefined;
  cancelWait: (() => void) | undefined;
  ended = false;

  constructor(readonly ws: WebSocket) {}

  /** Sends the bars of its streams after the last one sent on each. */
  send(bars: readonly FeedBar[]): void {
    const { streams } = this;
    if (streams === undefined || this.ended) return;
    const mine =
      streams === 'all'
        ? bars
        : bars.filter((b) => {
            const last = streams.get(keyOf(b));
            if (last === undefined || b.tsClose <= last) return false;
            streams.set(keyOf(b), b.tsClose);
            return true;
          });
    if (this.ws.readyState !== this.ws.OPEN) return;
    for (const m of barMessages(mine)) this.ws.send(m);
  }

  /** Tells the client the feed is complete and closes its connection. */
  end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(JSON.stringify({ end: reason }));
    this.ws.close(1000, 'end of feed');
  }
}

/**
 * Serves a replay's bars as the JSON WebSocket feed. Play starts when the first client connects, on one
 * timeline for all. A client's subscribe message (`{"subscribe":[{symbol, interval, since?}]}`) names its
 * streams: each gets the bars played so far after `since` at once (a backfill; no `since`: from the first
 * played bar), then the rest at pace. A client silent for `subscribeWaitMs` gets every stream. After the
 * last bar each client gets `{"end": "<reason>"}` and its connection is closed; one that connects later
 * gets its backfill and the end at once. Fails with TF_ERR_CONFIG_INVALID when it cannot listen.
 */
export async function startFeedServer(o: FeedServerOptions): Promise<FeedServer> {
  const host = o.host ?? '127.0.0.1';
  const timer = o.timer ?? wallTimer;
  const { bars } = o.replay;
  const clients = new Set<Client>();
  const endReason = `${o.replay.name}: all ${bars.length} bars played`;
  const player = new BarPlayer({
    bars,
    speed: o.speed,
    timer,
    onBars: (due) => {
      for (const c of clients) c.send(due);
    },
    onEnd: () => {
      for (const c of clients) if (c.streams !== undefined) c.end(endReason);
      o.onPlayed?.();
    },
  });

  const ready = (c: Client, streams: Map<string, number> | 'all'): void => {
    c.cancelWait?.();
    c.cancelWait = undefined;
    c.streams = streams;
    c.send(bars.slice(0, player.played));
    if (player.ended) c.end(endReason);
  };

  const wss = new WebSocketServer({ host, port: o.port });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', resolve);
    wss.once('error', (e) =>
      reject(
        new TradeflowError(
          'TF_ERR_CONFIG_INVALID',
          `--port: cannot listen on ${host}:${o.port} (${e.message}); choose another port, or 0 for any free one`,
          { cause: e },
        ),
      ),
    );
  });
  wss.on('connection', (ws) => {
    const c = new Client(ws);
    clients.add(c);
    player.start();
    c.cancelWait = timer.after(o.subscribeWaitMs ?? SUBSCRIBE_WAIT_MS, () => ready(c, 'all'));
    ws.on('message', (data) => {
      const text = Array.isArray(data)
        ? Buffer.concat(data).toString('utf8')
        : Buffer.isBuffer(data)
          ? data.toString('utf8')
          : new TextDecoder().decode(data);
      const parsed = parseSubscribe(text);
      if (typeof parsed === 'string') {
        o.log?.warn(`feed server: a client's message was ignored: ${parsed}`);
        return;
      }
      if (c.streams === 'all') return; // It gets every stream already.
      const streams = c.streams ?? new Map<string, number>();
      for (const s of parsed) {
        const since = s.since ?? Number.NEGATIVE_INFINITY;
        streams.set(keyOf(s), Math.max(since, streams.get(keyOf(s)) ?? Number.NEGATIVE_INFINITY));
      }
      ready(c, streams);
    });
    ws.on('close', () => {
      c.cancelWait?.();
      clients.delete(c);
    });
    ws.on('error', (e) => o.log?.warn(`feed server: a client's connection failed: ${e.message}`));
  });
  const address = wss.address();
  if (address === null || typeof address === 'string') {
    throw new TradeflowError('TF_ERR_INTERNAL', `feed server on ${host}:${o.port} has no TCP address`);
  }
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `ws://${shownHost}:${address.port}`,
    port: address.port,
    close: () => {
      player.stop();
      for (const c of clients) {
        c.cancelWait?.();
        c.ws.terminate();
      }
      return new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

/** Parses a client's subscribe message, or says what is wrong with it. */
function parseSubscribe(text: string): { symbol: string; interval: string; since?: number | undefined }[] | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not JSON; send {"subscribe":[{"symbol":"FXY","interval":"1m","since":<ms>}]}';
  }
  const r = SubscribeSchema.safeParse(raw);
  if (!r.success) return `not a subscribe message (${r.error.issues.map((i) => i.message).join('; ')})`;
  return r.data.subscribe;
}
