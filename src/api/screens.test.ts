import { afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptedJson,
  type ErrorJson,
  type ListJson,
  type ProgressJson,
  type ScreenJson,
  synthetic,
  T0,
  AppPool,
  type TradeflowAppForTest,
  until,
} from './app.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);
const { newApp } = pool;

const execute = (app: TradeflowAppForTest, payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/strategies/execute', payload: payload as object });
const positions = (results: readonly { position: number }[]) => results.map((r) => r.position);
const paths = (e: ErrorJson) => (e.details ?? []).map((d) => d.path).sort();

describe('POST /api/strategies/execute', () => {
  it('answers a screen when it is complete, with every result in order and the run id', async () => {
    const app = newApp();
    const res = await execute(app, {
      strategy: 'bullish_breakout',
      tickers: ['ORCL', 'NVDA', 'YHOO'],
      parameters: {},
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<ScreenJson>();
    expect(body.run_id).toMatch(/^bullish-breakout-20240102-000000000-\d+$/);
    expect(body).toMatchObject({
      kind: 'screen',
      status: 'completed',
      strategy: 'bullish_breakout',
      current_ticker: null,
      completed: 3,
      total: 3,
      percent: 100,
      errors: 0,
      created_at: new Date(T0).toISOString(),
      error: null,
      tickers: ['ORCL', 'NVDA', 'YHOO'],
      parameters: { min_volume_multiple: 1.5, max_rsi: 70, min_score: 60 },
    });
    expect(body.results.map((r) => [r.position, r.ticker])).toEqual([
      [0, 'ORCL'],
      [1, 'NVDA'],
      [2, 'YHOO'],
    ]);
    for (const r of body.results) {
      expect(Object.keys(r).sort()).toEqual(
        [
          'classification',
          'metrics',
          'passed',
          'position',
          'processed_at',
          'reasons',
          'score',
          'status',
          'ticker',
        ].sort(),
      );
      expect(r.metrics?.['date']).toBe('2014-12-31');
    }
    expect(body.passed).toBe(body.results.filter((r) => r.passed).length);
  });

  it('records an unknown ticker or one with too few bars as that ticker error and goes on', async () => {
    const app = newApp();
    const res = await execute(app, {
      strategy: 'bullish_breakout',
      tickers: ['MSFT', 'ORCL', 'NVDA'],
      parameters: { as_of: '1999-02-05' },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<ScreenJson>();
    expect(body).toMatchObject({ status: 'completed', completed: 3, errors: 2 });
    expect(body.results[0]).toMatchObject({
      ticker: 'MSFT',
      status: 'error',
      passed: false,
      score: null,
      error: { code: 'TF_ERR_TICKER_UNKNOWN' },
    });
    expect(body.results[1]).toMatchObject({ ticker: 'ORCL', status: 'ok', metrics: { date: '1999-02-05' } });
    expect(body.results[2]).toMatchObject({
      ticker: 'NVDA',
      status: 'error',
      error: {
        code: 'TF_ERR_TICKER_DATA',
        message:
          'NVDA: 11 daily bars up to 1999-02-05; bullish_breakout needs at least 34 with these periods',
      },
    });
  });

  it('answers at once with 202 and where to poll when async', async () => {
    const app = newApp();
    const res = await execute(app, { strategy: 'bullish_breakout', tickers: synthetic(50), async: true });
    expect(res.statusCode).toBe(202);
    const body = res.json<AcceptedJson>();
    expect(body).toMatchObject({ status: 'running', completed: 0, total: 50, current_ticker: 'SYN0001' });
    expect(body.progress_url).toBe(`/api/strategies/runs/${body.run_id}/progress`);
    expect(res.headers['location']).toBe(`/api/strategies/runs/${body.run_id}`);
    const done = await until(
      async () => {
        const p = (await app.inject({ url: body.progress_url })).json<ProgressJson>();
        return p.status === 'completed' ? p : undefined;
      },
      10_000,
      'the screen to complete',
    );
    expect(done).toMatchObject({ completed: 50, total: 50, percent: 100 });
  });

  it('answers 400 with the path of each bad field', async () => {
    const app = newApp();
    const cases: [unknown, Record<string, RegExp>][] = [
      [
        {
          strategy: 'bullish_breakout',
          tickers: ['ORCL', 'NVDA', '../etc/passwd'],
          parameters: {},
          colour: 'red',
        },
        { 'tickers[2]': /^must be 1-24 letters/, colour: /^unknown field$/ },
      ],
      [
        { strategy: 'nope', tickers: [] },
        { tickers: /at least one ticker/, strategy: /^unknown screener "nope"; known: bullish_breakout$/ },
      ],
      [
        {
          strategy: 'bullish_breakout',
          tickers: ['ORCL'],
          parameters: { max_rsi: 101, macd_fast: 40, min_scor: 1 },
        },
        {
          'parameters.min_scor': /^unknown field$/,
          'parameters.max_rsi': /<=100/,
          'parameters.macd_fast': /^must be less than macd_slow$/,
        },
      ],
      [
        { tickers: 'ORCL', async: 'yes' },
        { strategy: /expected string/, tickers: /expected array/, async: /expected boolean/ },
      ],
      [[1, 2], { '(root)': /expected object/ }],
    ];
    for (const [payload, expected] of cases) {
      const res = await execute(app, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const body = res.json<ErrorJson>();
      expect(body.code).toBe('TF_ERR_REQUEST_INVALID');
      expect(paths(body)).toEqual(Object.keys(expected).sort());
      for (const d of body.details ?? []) expect(d.message, d.path).toMatch(expected[d.path] as RegExp);
    }
    const notJson = await app.inject({
      method: 'POST',
      url: '/api/strategies/execute',
      headers: { 'content-type': 'application/json' },
      payload: '{"strategy": ',
    });
    expect(notJson.statusCode).toBe(400);
    expect(notJson.json<ErrorJson>()).toMatchObject({
      code: 'TF_ERR_REQUEST_INVALID',
      details: [{ path: '(body)' }],
    });
    expect((await app.inject({ url: '/api/strategies/runs' })).json<ListJson>().total).toBe(0);
  });
});

describe('runs', () => {
  it('reports progress with the last 10 results newest first, and full results by id', async () => {
    const app = newApp();
    const run = (
      await execute(app, { strategy: 'bullish_breakout', tickers: synthetic(25) })
    ).json<ScreenJson>();
    const progress = await app.inject({ url: `/api/strategies/runs/${run.run_id}/progress` });
    expect(progress.statusCode).toBe(200);
    expect(progress.headers['content-type']).toBe('application/json; charset=utf-8');
    const p = progress.json<ProgressJson>();
    expect(p).toMatchObject({
      run_id: run.run_id,
      status: 'completed',
      completed: 25,
      total: 25,
      percent: 100,
      current_ticker: null,
    });
    expect(positions(p.last_results)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(p.last_results[0]).toEqual(run.results[24]);
    const full = (await app.inject({ url: `/api/strategies/runs/${run.run_id}` })).json<ScreenJson>();
    expect(full).toEqual(run);
    expect(full.results).toHaveLength(25);
  });

  it('lists runs newest first, paged, and filters by kind', async () => {
    const app = newApp();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      app.clock.advance(1000);
      ids.push(
        (await execute(app, { strategy: 'bullish_breakout', tickers: ['ORCL'] })).json<ScreenJson>().run_id,
      );
    }
    const page = (await app.inject({ url: '/api/strategies/runs?limit=2' })).json<ListJson>();
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 0, next_offset: 2 });
    expect(page.runs.map((r) => r.run_id)).toEqual([ids[2], ids[1]]);
    expect(page.runs[0]).not.toHaveProperty('results');
    const last = (await app.inject({ url: '/api/strategies/runs?limit=2&offset=2' })).json<ListJson>();
    expect(last).toMatchObject({ next_offset: null, runs: [{ run_id: ids[0] }] });
    const backtests = (await app.inject({ url: '/api/strategies/runs?kind=backtest' })).json<ListJson>();
    expect(backtests).toMatchObject({ total: 0, runs: [] });
    const bad = await app.inject({ url: '/api/strategies/runs?limit=0&kind=x&page=2' });
    expect(bad.statusCode).toBe(400);
    expect(paths(bad.json<ErrorJson>())).toEqual(['kind', 'limit', 'page']);
  });

  it('answers 404 for an unknown run and 400 for a malformed id', async () => {
    const app = newApp();
    for (const url of ['/api/strategies/runs/nope', '/api/strategies/runs/nope/progress']) {
      const res = await app.inject({ url });
      expect(res.statusCode).toBe(404);
      expect(res.json<ErrorJson>()).toMatchObject({ code: 'TF_ERR_RUN_NOT_FOUND', error: 'no run "nope"' });
    }
    expect((await app.inject({ method: 'POST', url: '/api/strategies/runs/nope/cancel' })).statusCode).toBe(
      404,
    );
    const bad = await app.inject({ url: '/api/strategies/runs/a%20b/progress' });
    expect(bad.statusCode).toBe(400);
    expect(paths(bad.json<ErrorJson>())).toEqual(['id']);
    const route = await app.inject({ url: '/api/nothing' });
    expect(route.statusCode).toBe(404);
    expect(route.json<ErrorJson>().details?.[0]?.message).toMatch(/^no endpoint GET \/api\/nothing/);
  });

  it('cancels a running screen after its current ticker, and refuses to cancel it again', async () => {
    const app = newApp();
    const started = (
      await execute(app, { strategy: 'bullish_breakout', tickers: synthetic(300), async: true })
    ).json<AcceptedJson>();
    const res = await app.inject({ method: 'POST', url: `/api/strategies/runs/${started.run_id}/cancel` });
    expect(res.statusCode).toBe(200);
    const body = res.json<ProgressJson>();
    expect(body.status).toBe('cancelled');
    expect(body.completed).toBeLessThan(300);
    expect(body.current_ticker).toBeNull();
    const full = (await app.inject({ url: `/api/strategies/runs/${started.run_id}` })).json<ScreenJson>();
    expect(positions(full.results)).toEqual([...Array(body.completed).keys()]);
    const again = await app.inject({ method: 'POST', url: `/api/strategies/runs/${started.run_id}/cancel` });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorJson>()).toMatchObject({
      code: 'TF_ERR_RUN_STATE',
      error: expect.stringMatching(/is cancelled; it cannot become cancelled \(it has ended\)$/) as unknown,
    });
  });

  it('answers a synchronous screen cancelled by another request with what it did', async () => {
    const app = newApp();
    const pending = execute(app, { strategy: 'bullish_breakout', tickers: synthetic(300) });
    const id = await until(
      async () => (await app.inject({ url: '/api/strategies/runs' })).json<ListJson>().runs[0]?.run_id,
      5000,
      'the run',
    );
    await app.inject({ method: 'POST', url: `/api/strategies/runs/${id}/cancel` });
    const res = await pending;
    expect(res.statusCode).toBe(200);
    const body = res.json<ScreenJson>();
    expect(body.status).toBe('cancelled');
    expect(body.results).toHaveLength(body.completed);
  });
});
