import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseSessionConfig } from '../config/session-config.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { BacktestResult } from '../report/result.ts';
import { wallTimeFree } from '../../test/helpers.ts';
import { PROJECT_ROOT } from '../screener/ticker-source.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import {
  type AcceptedJson,
  type BacktestJson,
  type ErrorJson,
  type ListJson,
  type ProgressJson,
  type ScreenJson,
  tempDbPath,
  AppPool,
  type TradeflowAppForTest,
  until,
} from './app.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);
const { newApp } = pool;

const ORCL_SMA = JSON.parse(
  readFileSync(join(PROJECT_ROOT, 'config/examples/orcl-sma-cross.json'), 'utf8'),
) as Record<string, unknown>;

const post = (app: TradeflowAppForTest, payload: unknown) =>
  app.inject({ method: 'POST', url: '/api/backtests', payload: payload as object });

interface Catalog {
  readonly screeners: readonly { name: string; kind: string; config_schema: unknown }[];
  readonly backtest_types: readonly { type: string; module: string; kind: string; config_schema: unknown }[];
  readonly backtest_modules: readonly string[];
}

describe('POST /api/backtests', () => {
  it('runs a session config to the same result as runBacktestWithResult, and records its events in the database', async () => {
    const db = tempDbPath();
    const app = newApp({ db });
    const res = await post(app, { config: ORCL_SMA });
    expect(res.statusCode).toBe(200);
    const body = res.json<BacktestJson>();
    expect(body).toMatchObject({
      kind: 'backtest',
      status: 'completed',
      strategy: 'orcl-sma-cross',
      completed: 5036,
      total: 5036,
      percent: 100,
    });
    expect(body.config).toEqual(parseSessionConfig(ORCL_SMA));
    const config = parseSessionConfig(ORCL_SMA);
    const direct = await runBacktestWithResult({
      session: { config, name: 'orcl-sma-cross', file: join(PROJECT_ROOT, 'x.json'), root: PROJECT_ROOT },
      runId: body.run_id,
      startedAt: 0,
    });
    // Two runs: equal but for the strategies' wall-time figures, which the API serves all the same, and
    // the memory of the run's thread, which only the API reports.
    const { memory, ...rest } = body.result as unknown as BacktestResult & { memory: unknown };
    expect(memory).toEqual({
      heap_used_mb: expect.any(Number) as number,
      heap_peak_mb: expect.any(Number) as number,
      heap_limit_mb: 1024,
    });
    const served: BacktestResult = rest;
    const printed = JSON.parse(JSON.stringify(direct.result)) as BacktestResult;
    expect(served.run_id).toBe(body.run_id);
    expect(wallTimeFree(served)).toEqual(wallTimeFree(printed));
    expect(served.strategies.map((s) => Object.keys(s))).toEqual(
      printed.strategies.map((s) => Object.keys(s)),
    );
    expect(body.result?.trades.length).toBeGreaterThan(10);
    const events = new SqliteStore(db);
    const stored = events.readRun(body.run_id);
    events.close();
    expect(stored?.status).toBe('completed');
    expect(stored?.trades).toHaveLength(body.result?.trades.length ?? -1);
    const listed = (await app.inject({ url: '/api/backtests' })).json<ListJson>();
    expect(listed).toMatchObject({ total: 1, runs: [{ run_id: body.run_id, kind: 'backtest' }] });
    expect((await app.inject({ url: `/api/backtests/${body.run_id}` })).json<BacktestJson>()).toEqual(body);
    expect((await app.inject({ url: `/api/strategies/runs/${body.run_id}` })).json<BacktestJson>()).toEqual(
      body,
    );
  });

  it('answers at once when async; progress is polled until the result is there', async () => {
    const app = newApp();
    const res = await post(app, { config: ORCL_SMA, async: true });
    expect(res.statusCode).toBe(202);
    const { run_id, progress_url } = res.json<AcceptedJson>();
    expect(progress_url).toBe(`/api/backtests/${run_id}/progress`);
    const p = await until(
      async () => {
        const body = (await app.inject({ url: progress_url })).json<ProgressJson>();
        return body.status === 'completed' ? body : undefined;
      },
      20_000,
      'the backtest',
    );
    expect(p).toMatchObject({ completed: 5036, total: 5036, percent: 100, last_results: [] });
    const full = (await app.inject({ url: `/api/backtests/${run_id}` })).json<BacktestJson>();
    expect(full.result?.status).toBe('completed');
  });

  it('cancels a backtest: one cancelled while its strategy thread starts runs no step', async () => {
    const app = newApp();
    // The strategy's own thread takes a while to start, so the cancel finds the run before its first step
    // (a short inline run may end before a cancel reaches its thread).
    const config = {
      ...ORCL_SMA,
      strategies: (ORCL_SMA['strategies'] as object[]).map((s) => ({ ...s, isolation: 'thread' })),
    };
    const { run_id } = (await post(app, { config, async: true })).json<AcceptedJson>();
    const res = await app.inject({ method: 'POST', url: `/api/backtests/${run_id}/cancel` });
    expect(res.statusCode).toBe(200);
    expect(res.json<ProgressJson>()).toMatchObject({ status: 'cancelled', error: null });
    const full = (await app.inject({ url: `/api/backtests/${run_id}` })).json<BacktestJson>();
    expect(full.result).toMatchObject({ status: 'cancelled', bars: 0, trades: [] });
  });

  it('records a run that fails as failed with its coded error', async () => {
    const app = newApp();
    const res = await post(app, {
      config: {
        data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
        strategies: [{ module: 'strategies/examples/vwap', config: { symbols: ['ORCL'], interval: '1d' } }],
      },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<BacktestJson>();
    expect(body).toMatchObject({ status: 'failed', strategy: 'vwap', result: null });
    expect(body.error).toMatch(/^TF_ERR_NO_STRATEGIES: /);
  });

  it('answers 400 with the path of each bad field, and never loads code or data outside the project folders', async () => {
    const app = newApp();
    const data = [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }];
    const sma = { type: 'sma_cross', config: { symbols: ['ORCL'] } };
    const outside = [
      { symbol: 'X', file: '../../etc/passwd' },
      { symbol: 'Y', file: '/etc/hostname' },
      { symbol: 'Z', file: 'data/daily/none.txt' },
    ];
    const cases: [unknown, Record<string, RegExp>][] = [
      [{}, { config: /expected record/ }],
      [{ config: { data, strategies: [sma] }, speed: 1 }, { speed: /unknown field/ }],
      [{ config: { strategies: [sma] } }, { 'config.data': /expected array/ }],
      [{ config: { data, strategies: [sma], root: '/tmp' } }, { 'config.root': /not accepted by the API/ }],
      [
        { config: { data, strategies: [sma], speed_multiplier: 5 } },
        { 'config.speed_multiplier': /data-driven backtests only/ },
      ],
      [
        { config: { data: outside, strategies: [sma] } },
        {
          'config.data[0].file': /outside the project's data\/ folder/,
          'config.data[1].file': /outside the project's data\/ folder/,
          'config.data[2].file': /^no file data\/daily\/none.txt on the server$/,
        },
      ],
      [
        { config: { data, strategies: [{ module: 'strategies/../src/cli/main', config: {} }] } },
        { 'config.strategies[0].module': /leaves the strategies\/ folder/ },
      ],
      [
        { config: { data, strategies: [{ module: '/etc/evil', config: {} }] } },
        { 'config.strategies[0].module': /is absolute/ },
      ],
      [
        { config: { data, strategies: [{ type: 'nope' }] } },
        { 'config.strategies[0].type': /unknown strategy type "nope"; known types: momentum/ },
      ],
      [
        {
          config: {
            data,
            strategies: [
              { type: 'sma_cross', config: { symbols: ['ORCL'], fast_period: 50, slow_period: 20 } },
            ],
          },
        },
        { 'config.strategies[0].config.fast_period': /must be less than slow_period/ },
      ],
    ];
    for (const [payload, expected] of cases) {
      const res = await post(app, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      const details = res.json<ErrorJson>().details ?? [];
      expect(details.map((d) => d.path).sort(), JSON.stringify(payload)).toEqual(
        Object.keys(expected).sort(),
      );
      for (const d of details) expect(d.message, d.path).toMatch(expected[d.path] as RegExp);
    }
    expect((await app.inject({ url: '/api/backtests' })).json<ListJson>().total).toBe(0);
  });

  it('keeps screens and backtests apart under /api/backtests', async () => {
    const app = newApp();
    const screen = (
      await app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: ['ORCL'] },
      })
    ).json<ScreenJson>();
    const res = await app.inject({ url: `/api/backtests/${screen.run_id}/progress` });
    expect(res.statusCode).toBe(404);
    expect(res.json<ErrorJson>().error).toBe(`no backtest "${screen.run_id}"`);
  });
});

describe('GET /api/strategies and /api/tickers', () => {
  it('lists the screeners and backtest strategy types with their config schemas', async () => {
    const app = newApp();
    const res = await app.inject({ url: '/api/strategies' });
    expect(res.statusCode).toBe(200);
    const body = res.json<Catalog>();
    expect(body.screeners).toHaveLength(1);
    expect(body.screeners[0]).toMatchObject({
      name: 'bullish_breakout',
      kind: 'screener',
      config_schema: {
        type: 'object',
        additionalProperties: false,
        properties: { min_volume_multiple: { type: 'number', default: 1.5 } },
      },
    });
    expect(body.backtest_types.map((t) => t.type)).toEqual([
      'momentum',
      'mean_reversion',
      'rsi',
      'sma_cross',
      'ml_momentum',
      'ml_mean_reversion',
      'ml_breakout',
      'hybrid',
      'hybrid_momentum',
      'bracket_breakout',
    ]);
    expect(body.backtest_types.find((t) => t.type === 'sma_cross')).toMatchObject({
      module: 'strategies/examples/simple_ma_cross',
      kind: 'rules',
      config_schema: { properties: { fast_period: { default: 10 } } },
    });
    expect(body.backtest_modules).toContain('strategies/examples/buy_and_hold');
    expect(body.backtest_modules.every((m) => m.startsWith('strategies/'))).toBe(true);
  });

  it('lists the tickers the server knows', async () => {
    const body = (await newApp().inject({ url: '/api/tickers' })).json<{
      tickers: string[];
      total: number;
    }>();
    expect(body.total).toBe(1003);
    expect(body.tickers.slice(0, 3)).toEqual(['NVDA', 'ORCL', 'SYN0001']);
  });
});
