import { afterEach, describe, expect, it } from 'vitest';
import { delay } from '../core/clock.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { AppPool, type ErrorJson, tempDbPath, type TradeflowAppForTest, until } from './app.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);

/** A replay of one ETF's minute bars with the VWAP strategy, which trades every few bars. */
const VWAP_FXY = {
  name: 'vwap-fxy',
  data: [{ symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: 'us_equities' }],
  strategies: [
    {
      module: 'strategies/examples/vwap',
      isolation: 'inline',
      config: { symbols: ['FXY'], interval: '1m', entry_bps: 10, position_size: 100 },
    },
  ],
};

interface SessionJson {
  run_id: string;
  status: string;
  mode: string;
  snapshot: null | {
    paused: boolean;
    fill_count: number;
    steps: number;
    strategies: { name: string; status: string }[];
    recent_fills: unknown[];
  };
}

const post = (app: TradeflowAppForTest, url: string, payload?: unknown) =>
  app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
const get = async (app: TradeflowAppForTest, id: string) =>
  (await app.inject({ method: 'GET', url: `/api/sessions/${id}` })).json<SessionJson>();

describe('sessions', () => {
  it('replays, pauses, resumes, stops', async () => {
    const db = tempDbPath();
    const app = pool.newApp({ db });
    const res = await post(app, '/api/sessions', { mode: 'replay', config: VWAP_FXY, speed: 600000 });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json<SessionJson>().run_id;
    const fills = await until(
      async () => {
        const s = await get(app, id);
        return (s.snapshot?.fill_count ?? 0) >= 3 ? s.snapshot!.fill_count : undefined;
      },
      20_000,
      'fills',
    );
    console.log('fills', fills, JSON.stringify(await get(app, id)).slice(0, 1500));
    const paused = (await post(app, `/api/sessions/${id}/pause`)).json<SessionJson>();
    expect(paused.status).toBe('paused');
    let prev = -1;
    for (let same = 0; same < 5;) {
      await delay(250).promise;
      const steps = (await get(app, id)).snapshot!.steps;
      same = steps === prev ? same + 1 : 0;
      prev = steps;
    }
    const base = (await get(app, id)).snapshot!.fill_count;
    await delay(1000).promise;
    const still = await get(app, id);
    console.log('paused at', paused.snapshot?.fill_count, 'base', base);
    expect(still.snapshot?.fill_count).toBe(base);
    const resumed = (await post(app, `/api/sessions/${id}/resume`)).json<SessionJson>();
    expect(resumed.status).toBe('running');
    await until(
      async () => ((await get(app, id)).snapshot!.fill_count > still.snapshot!.fill_count ? true : undefined),
      20_000,
      'more fills',
    );
    const stopped = (await post(app, `/api/sessions/${id}/stop`)).json<SessionJson>();
    expect(stopped.status).toBe('cancelled');
    console.log(JSON.stringify(stopped).slice(0, 800));
    const events = new SqliteStore(db);
    const stored = events.readRun(id);
    events.close();
    console.log(stored?.run, stored?.fills.length);
  }, 60_000);
});
