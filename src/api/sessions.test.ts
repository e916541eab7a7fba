import { afterEach, describe, expect, it } from 'vitest';
import { delay } from '../core/clock.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { FAULT_ROOT, misbehaving } from '../../test/faults/api/api-faults.fixture.ts';
import { AppPool, type ErrorJson, tempDbPath, type TradeflowAppForTest, until } from './app.fixture.ts';

// Sessions through the HTTP API, in process: replays of bundled minute bars at a pace that trades within a
// second or two, paused, resumed and stopped while they run. Assertions are on counts and statuses; waits
// are bounded.

const pool = new AppPool();
afterEach(pool.closeAll);
/** A fresh thread loads the strategy modules slowly on a busy machine: allow for it. */
const newApp = (o: Parameters<AppPool['newApp']>[0] = {}) =>
  pool.newApp({ strategyCheckTimeoutMs: 60_000, ...o });

/** A replay of one ETF's minute bars with the VWAP strategy, which trades a few times a day. */
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

/** Ten minutes of bars a millisecond: a day of minute bars in under a second. */
const FAST = 600_000;

interface SessionJson {
  readonly run_id: string;
  readonly kind: string;
  readonly status: string;
  readonly mode: string;
  readonly speed: number | null;
  readonly error: string | null;
  readonly snapshot: null | {
    readonly paused: boolean;
    readonly stale: boolean;
    readonly steps: number;
    readonly fill_count: number;
    readonly cash: number;
    readonly equity: number;
    readonly strategies: readonly { readonly name: string; readonly status: string }[];
    readonly recent_fills: readonly { readonly strategy: string; readonly side: string }[];
    readonly accounts: readonly { readonly positions: readonly unknown[] }[];
  };
}

const post = (app: TradeflowAppForTest, url: string, payload?: unknown) =>
  app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload: payload as object }) });
const get = async (app: TradeflowAppForTest, id: string) =>
  (await app.inject({ method: 'GET', url: `/api/sessions/${id}` })).json<SessionJson>();
const fillsOf = async (app: TradeflowAppForTest, id: string) =>
  (await get(app, id)).snapshot?.fill_count ?? 0;

/** Starts a session; answers its id. */
async function start(app: TradeflowAppForTest, body: Record<string, unknown>): Promise<string> {
  const res = await post(app, '/api/sessions', body);
  expect(res.statusCode, res.body).toBe(201);
  const s = res.json<SessionJson>();
  expect(res.headers.location).toBe(`/api/sessions/${s.run_id}`);
  return s.run_id;
}

/** Waits until the session has at least `n` fills. */
const untilFills = (app: TradeflowAppForTest, id: string, n: number) =>
  until(async () => ((await fillsOf(app, id)) >= n ? true : undefined), 30_000, `${n} fills`);

/**
 * Waits until a paused session's step count has stood still over five reads: a replay step already due
 * when the pause came may still run (the pause takes hold between steps).
 */
async function untilStill(app: TradeflowAppForTest, id: string): Promise<void> {
  let prev = -1;
  for (let same = 0; same < 5;) {
    await delay(200).promise;
    const steps = (await get(app, id)).snapshot?.steps ?? -1;
    same = steps === prev ? same + 1 : 0;
    prev = steps;
  }
}

describe('POST /api/sessions: a replay', () => {
  it('trades, pauses (no new fills), resumes, stops as cancelled, and is in the database with its fills', async () => {
    const db = tempDbPath();
    const app = newApp({ db });
    const id = await start(app, { mode: 'replay', config: VWAP_FXY, speed: FAST });
    await untilFills(app, id, 3);
    const running = await get(app, id);
    expect(running).toMatchObject({ kind: 'replay', mode: 'replay', status: 'running', speed: FAST });
    expect(running.snapshot?.recent_fills[0]).toMatchObject({ strategy: 'vwap', side: 'buy' });

    const paused = (await post(app, `/api/sessions/${id}/pause`)).json<SessionJson>();
    expect(paused).toMatchObject({ status: 'paused', snapshot: { paused: true } });
    await untilStill(app, id);
    const atPause = await fillsOf(app, id);
    await delay(1000).promise;
    expect(await fillsOf(app, id)).toBe(atPause);
    expect((await get(app, id)).status).toBe('paused');

    const resumed = (await post(app, `/api/sessions/${id}/resume`)).json<SessionJson>();
    expect(resumed).toMatchObject({ status: 'running', snapshot: { paused: false } });
    await untilFills(app, id, atPause + 2);

    const stopRes = await post(app, `/api/sessions/${id}/stop`);
    expect(stopRes.statusCode).toBe(200);
    const stopped = stopRes.json<SessionJson>();
    expect(stopped.status).toBe('cancelled');
    const fills = stopped.snapshot!.fill_count;
    expect(fills).toBeGreaterThanOrEqual(atPause + 2);
    // The same figures once it has ended (from its stored result), and in the list.
    expect((await get(app, id)).snapshot?.fill_count).toBe(fills);
    const list = (await app.inject({ method: 'GET', url: '/api/sessions' })).json<{
      sessions: SessionJson[];
      total: number;
    }>();
    expect(list.total).toBe(1);
    expect(list.sessions.map((s) => [s.run_id, s.status])).toEqual([[id, 'cancelled']]);

    const events = new SqliteStore(db);
    const stored = events.readRun(id);
    events.close();
    expect(stored).toMatchObject({ kind: 'replay', status: 'cancelled' });
    expect(stored?.fills).toHaveLength(fills);

    // An ended session takes no more controls.
    for (const verb of ['pause', 'resume', 'stop', 'strategies/vwap/pause']) {
      const res = await post(app, `/api/sessions/${id}/${verb}`);
      expect(res.statusCode, verb).toBe(409);
      expect(res.json<ErrorJson>()).toMatchObject({ code: 'TF_ERR_RUN_STATE' });
      expect(res.json<ErrorJson>().error).toContain(`session "${id}"`);
      expect(res.json<ErrorJson>().error).toContain('cancelled');
    }
  }, 90_000);

  it('pauses and resumes one strategy from a session file, and refuses a strategy it lacks', async () => {
    const app = newApp();
    const id = await start(app, {
      mode: 'replay',
      session: 'config/examples/intraday-etfs.json',
      speed: FAST,
    });
    const names = await until(
      async () => (await get(app, id)).snapshot?.strategies.map((s) => s.name),
      30_000,
      'the strategies',
    );
    expect(names).toEqual(['vwap', 'simple_ma_cross']);
    const statuses = (s: SessionJson) => s.snapshot?.strategies.map((m) => [m.name, m.status]);

    const paused = (await post(app, `/api/sessions/${id}/strategies/vwap/pause`)).json<SessionJson>();
    expect(statuses(paused)).toEqual([
      ['vwap', 'paused'],
      ['simple_ma_cross', 'running'],
    ]);
    expect(statuses(await get(app, id))).toEqual(statuses(paused));
    expect((await get(app, id)).status).toBe('running');
    const resumed = (await post(app, `/api/sessions/${id}/strategies/vwap/resume`)).json<SessionJson>();
    expect(statuses(resumed)).toEqual([
      ['vwap', 'running'],
      ['simple_ma_cross', 'running'],
    ]);

    const unknown = await post(app, `/api/sessions/${id}/strategies/nope/pause`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<ErrorJson>()).toMatchObject({ code: 'TF_ERR_SESSION_STRATEGY_NOT_FOUND' });
    expect(unknown.json<ErrorJson>().error).toContain('vwap, simple_ma_cross');
    expect((await post(app, `/api/sessions/${id}/stop`)).json<SessionJson>().status).toBe('cancelled');
  }, 60_000);

  it('keeps answering while a strategy spins forever in its session', async () => {
    const app = newApp({ projectRoot: FAULT_ROOT, stopGraceMs: 500 });
    const config = misbehaving('spin', { on: 3 });
    const id = await start(app, { mode: 'replay', config, speed: 50_000_000 });
    await until(
      async () => (((await get(app, id)).snapshot?.steps ?? 0) > 5 ? true : undefined),
      30_000,
      'steps',
    );
    for (let i = 0; i < 3; i++) {
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      const s = await get(app, id);
      expect(s.status).toMatch(/^(running|completed)$/);
    }
    // The spinning strategy was cut off and faulted; the session went on with the steady one (and may
    // have played its data out by now).
    if ((await get(app, id)).status === 'running') await post(app, `/api/sessions/${id}/stop`);
    const ended = await get(app, id);
    expect(['cancelled', 'completed']).toContain(ended.status);
    expect(ended.snapshot?.strategies.map((m) => [m.name, m.status])).toEqual([
      ['misbehaving', 'faulted'],
      ['steady', expect.stringMatching(/^(running|stopped)$/)],
    ]);
  }, 60_000);

  it('is stopped and marked interrupted when the server closes', async () => {
    const db = tempDbPath();
    const app = newApp({ db });
    const id = await start(app, { mode: 'replay', config: VWAP_FXY, speed: FAST });
    await untilFills(app, id, 1);
    await app.close();
    const events = new SqliteStore(db);
    const stored = events.readRun(id);
    events.close();
    expect(stored?.status).toBe('interrupted');
    const again = newApp({ db });
    expect((await get(again, id)).status).toBe('interrupted');
  }, 60_000);
});

describe('POST /api/sessions: bad requests', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['no mode', { config: VWAP_FXY, speed: 60 }, 'mode'],
    ['a bad mode', { mode: 'paper', config: VWAP_FXY, speed: 60 }, 'mode'],
    ['neither config nor session', { mode: 'replay', speed: 60 }, 'config'],
    [
      'a bad config field',
      {
        mode: 'replay',
        speed: 60,
        config: { ...VWAP_FXY, data: [{ ...VWAP_FXY.data[0], format: 'excel' }] },
      },
      'config.data[0].format',
    ],
    [
      "a bad strategy's config",
      {
        mode: 'replay',
        speed: 60,
        config: {
          ...VWAP_FXY,
          strategies: [{ ...VWAP_FXY.strategies[0], config: { symbols: ['FXY'], entry_bps: -5 } }],
        },
      },
      'config.strategies[0].config.entry_bps',
    ],
    ['a speed of 0', { mode: 'replay', config: VWAP_FXY, speed: 0 }, 'speed'],
    ['a speed that is text', { mode: 'replay', config: VWAP_FXY, speed: 'fast' }, 'speed'],
    ['a replay without a speed', { mode: 'replay', config: VWAP_FXY }, 'speed'],
    ['a feed for a replay', { mode: 'replay', config: VWAP_FXY, speed: 60, feed: 'binance' }, 'feed'],
    ['a bad feed', { mode: 'live', config: VWAP_FXY, feed: 'http://x' }, 'feed'],
    ['a live session without a feed', { mode: 'live', config: VWAP_FXY }, 'feed'],
    ['a session file outside the project', { mode: 'replay', session: '../x.json', speed: 60 }, 'session'],
    ['a missing session file', { mode: 'replay', session: 'config/none.json', speed: 60 }, 'session'],
    ['an unknown field', { mode: 'replay', config: VWAP_FXY, speed: 60, paper: true }, 'paper'],
  ];
  it.each(cases)('refuses %s with 400 naming the field', async (_what, body, path) => {
    const app = newApp();
    const res = await post(app, '/api/sessions', body);
    expect(res.statusCode, res.body).toBe(400);
    const err = res.json<ErrorJson>();
    expect(err.code).toBe('TF_ERR_REQUEST_INVALID');
    expect(err.details?.map((d) => d.path)).toContain(path);
    expect((await app.inject({ method: 'GET', url: '/api/sessions' })).json<{ total: number }>().total).toBe(
      0,
    );
  });

  it('answers 404 for an unknown session, and for a backtest id', async () => {
    const app = newApp();
    for (const url of ['/api/sessions/nope', '/api/sessions/nope/pause', '/api/sessions/nope/stop']) {
      const res = await app.inject({ method: url.endsWith('nope') ? 'GET' : 'POST', url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json<ErrorJson>().code).toBe('TF_ERR_RUN_NOT_FOUND');
    }
  });
});
