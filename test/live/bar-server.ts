// A JSON WebSocket bar feed for tests, on 127.0.0.1 port 0: paces real bundled minute bars, honours the
// client's subscribe message (only bars after `since`), then says the data ended and closes.
import { WebSocketServer } from 'ws';
import { delay } from '../../src/core/clock.ts';

/** A bar message of the feed, with its close time (epoch ms UTC). */
export interface PacedBar {
  readonly closeMs: number;
  readonly message: string;
}

/** Turns a row of a bundled ohlcv minute file (stamped at its open, UTC) into a bar message of `symbol`. */
export function barOfRow(symbol: string, row: string): PacedBar {
  const [ts, open, high, low, close, volume] = row.split(',');
  const closeMs = Date.parse(`${ts!.replace(' ', 'T')}Z`) + 60_000;
  const message = JSON.stringify({
    symbol,
    time: new Date(closeMs).toISOString(),
    open: Number(open),
    high: Number(high),
    low: Number(low),
    close: Number(close),
    volume: Number(volume),
  });
  return { closeMs, message };
}

/** A running test feed. */
export interface BarServer {
  readonly url: string;
  /** The `since` each connection asked for, in connection order (undefined: none). */
  readonly sinces: (number | undefined)[];
  close(): Promise<void>;
}

/**
 * Starts a feed that sends `bars` one every `paceMs` to each client, after its subscribe message
 * (`{"subscribe":[{symbol,interval,since}]}`), skipping bars at or before `since`; then `{"end":"done"}` and a
 * close with code 1000.
 */
export async function startBarServer(bars: readonly PacedBar[], paceMs: number): Promise<BarServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  const sinces: (number | undefined)[] = [];
  server.on('connection', (ws) => {
    let open = true;
    ws.on('close', () => (open = false));
    ws.once('message', (data) => {
      const asked = JSON.parse(Buffer.isBuffer(data) ? data.toString('utf8') : '{}') as {
        subscribe: { since?: number }[];
      };
      const since = asked.subscribe[0]?.since;
      sinces.push(since);
      void (async () => {
        for (const bar of bars) {
          if (since !== undefined && bar.closeMs <= since) continue;
          await delay(paceMs).promise;
          if (!open) return;
          ws.send(bar.message);
        }
        if (!open) return;
        ws.send(JSON.stringify({ end: 'done' }));
        ws.close(1000);
      })();
    });
  });
  return {
    url: `ws://127.0.0.1:${address.port}`,
    sinces,
    close: () =>
      new Promise<void>((resolve) => {
        for (const c of server.clients) c.terminate();
        server.close(() => resolve());
      }),
  };
}
