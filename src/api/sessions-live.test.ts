import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { FAULT_ROOT, ORCL_SOURCE, STEADY } from '../../test/faults/api/api-faults.fixture.ts';
import { AppPool, tempDbPath, until } from './app.fixture.ts';

// A live session through the HTTP API, on a JSON WebSocket feed that a server on loopback plays: the
// fixture project's ORCL file is warm-up history, then 30 daily bars arrive, and the feed stays open.

const pool = new AppPool();
afterEach(pool.closeAll);

/** 30 daily bars after the history's last (2014-12-31), stamped at 21:00 UTC. */
const BARS = Array.from({ length: 30 }, (_, i) =>
  JSON.stringify({
    symbol: 'ORCL',
    interval: '1d',
    time: new Date(Date.UTC(2015, 0, 2 + i, 21)).toISOString(),
    open: 45 + i * 0.1,
    high: 46 + i * 0.1,
    low: 44 + i * 0.1,
    close: 45.5 + i * 0.1,
    volume: 1_000_000,
  }),
);

let server: WebSocketServer;
let url: string;

beforeAll(async () => {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
  url = `ws://127.0.0.1:${address.port}`;
  // Sends the bars once the client has asked for its streams, then stays open: the session runs on.
  server.on('connection', (ws) => ws.once('message', () => BARS.forEach((m) => ws.send(m))));
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

interface SessionJson {
  readonly run_id: string;
  readonly status: string;
  readonly mode: string;
  readonly feed: string | null;
  readonly snapshot: null | { readonly steps: number; readonly fill_count: number };
}

describe('POST /api/sessions: a live session', () => {
  it('trades the bars its feed sends, keeps running while the feed is open, and stops as cancelled', async () => {
    const db = tempDbPath();
    const app = pool.newApp({ db, projectRoot: FAULT_ROOT, strategyCheckTimeoutMs: 60_000 });
    const res = await app.inject({
      method: 'POST',
      url: '/api/sessions',
      payload: {
        mode: 'live',
        feed: url,
        config: { name: 'live-orcl', data: [ORCL_SOURCE], strategies: [STEADY] },
      },
    });
    expect(res.statusCode, res.body).toBe(201);
    const { run_id: id } = res.json<SessionJson>();
    const get = async () => (await app.inject({ url: `/api/sessions/${id}` })).json<SessionJson>();
    const live = await until(
      async () => {
        const s = await get();
        return s.snapshot?.steps === 30 ? s : undefined;
      },
      30_000,
      '30 live steps',
    );
    expect(live).toMatchObject({ status: 'running', mode: 'live', feed: url });
    // The steady strategy buys on its 20th bar, filled at the 21st's open.
    expect(live.snapshot?.fill_count).toBe(1);
    const stopped = (
      await app.inject({ method: 'POST', url: `/api/sessions/${id}/stop` })
    ).json<SessionJson>();
    expect(stopped.status).toBe('cancelled');
    const events = new SqliteStore(db);
    const stored = events.readRun(id);
    events.close();
    expect(stored).toMatchObject({ kind: 'live', status: 'cancelled' });
    expect(stored?.fills).toHaveLength(1);
  }, 60_000);
});
