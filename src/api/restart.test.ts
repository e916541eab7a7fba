import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../core/clock.ts';
import { ProgressStore } from '../storage/runs-progress.ts';
import {
  type AcceptedJson,
  type ErrorJson,
  type ProgressJson,
  type ScreenJson,
  T0,
  tempDbPath,
  AppPool,
  testApp,
  until,
} from './app.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);

const TICKERS = ['ORCL', 'NVDA', 'YHOO', 'SYN0001', 'SYN0002', 'SYN0003'];
const PARAMS = {
  volume_period: 20,
  min_volume_multiple: 1.5,
  macd_fast: 12,
  macd_slow: 26,
  macd_signal: 9,
  require_macd_positive: false,
  rsi_period: 14,
  max_rsi: 70,
  allow_overbought: false,
  require_52w_high: false,
  high_lookback_days: 252,
  high_tolerance_pct: 3,
  min_score: 60,
};

/**
 * Writes what a server that crashed mid-screen leaves behind, straight into the database: a run row still
 * `running` after two tickers (the second an error), and a backtest row still `running`.
 */
function crashedDatabase(): string {
  const path = tempDbPath('tradeflow-restart-');
  new ProgressStore(path).close(); // creates and migrates the file
  const db = new Database(path);
  const insertRun = db.prepare(
    `INSERT INTO service_runs (id, kind, status, strategy, parameters, tickers, current_ticker, completed, total,
       percent, passed, errors, created_at, started_at, updated_at)
     VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, 0, ?, 1000, 1000, 2001)`,
  );
  insertRun.run(
    'crashed-screen',
    'screen',
    'bullish_breakout',
    JSON.stringify(PARAMS),
    JSON.stringify(TICKERS),
    'YHOO',
    2,
    6,
    33.33,
    1,
  );
  insertRun.run('crashed-backtest', 'backtest', 'sma_cross', '{}', '["ORCL"]', null, 0, 0, 0, 0);
  const insertTicker = db.prepare(
    `INSERT INTO ticker_progress (run_id, position, ticker, processed_at, passed, score, total, status, result)
     VALUES ('crashed-screen', ?, ?, ?, 0, ?, 6, ?, ?)`,
  );
  insertTicker.run(
    0,
    'ORCL',
    2000,
    12.5,
    'ok',
    JSON.stringify({ classification: 'neutral', reasons: ['from before the crash'], metrics: {} }),
  );
  insertTicker.run(
    1,
    'NVDA',
    2001,
    null,
    'error',
    JSON.stringify({ error: { code: 'TF_ERR_DATA_FILE', message: 'from before the crash' } }),
  );
  db.close();
  return path;
}

describe('a restart after a crash', () => {
  it('marks the runs left running as interrupted, then resumes a screen after its last recorded ticker', async () => {
    const db = crashedDatabase();
    const app = testApp({ db, clock: new TestClock(T0) });
    pool.keep(app);
    expect([...app.interruptedAtStart].sort()).toEqual(['crashed-backtest', 'crashed-screen']);

    const before = (
      await app.inject({ url: '/api/strategies/runs/crashed-screen/progress' })
    ).json<ProgressJson>();
    expect(before).toMatchObject({
      status: 'interrupted',
      current_ticker: 'YHOO',
      completed: 2,
      total: 6,
      percent: 33.33,
      errors: 1,
      ended_at: new Date(T0).toISOString(),
    });
    expect(before.last_results.map((r) => r.ticker)).toEqual(['NVDA', 'ORCL']);
    const backtest = await app.inject({ url: '/api/backtests/crashed-backtest/progress' });
    expect(backtest.json<ProgressJson>().status).toBe('interrupted');

    const resumed = await app.inject({ method: 'POST', url: '/api/strategies/runs/crashed-screen/resume' });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json<AcceptedJson>()).toMatchObject({
      status: 'running',
      resumed_from: 2,
      ended_at: null,
    });
    const done = await until(
      async () => {
        const p = (
          await app.inject({ url: '/api/strategies/runs/crashed-screen/progress' })
        ).json<ProgressJson>();
        return p.status === 'running' ? undefined : p;
      },
      10_000,
      'the resumed screen',
    );
    expect(done).toMatchObject({
      status: 'completed',
      completed: 6,
      total: 6,
      percent: 100,
      started_at: new Date(1000).toISOString(),
    });

    const full = (await app.inject({ url: '/api/strategies/runs/crashed-screen' })).json<ScreenJson>();
    expect(full.results.map((r) => `${r.position}:${r.ticker}`)).toEqual(TICKERS.map((t, i) => `${i}:${t}`));
    // The two tickers from before the crash are kept as they were, not evaluated again.
    expect(full.results[0]).toMatchObject({
      reasons: ['from before the crash'],
      processed_at: new Date(2000).toISOString(),
    });
    expect(full.results[1]).toMatchObject({ status: 'error', error: { message: 'from before the crash' } });
    const after = full.results.slice(2);
    expect(after.every((r) => r.status === 'ok' && r.processed_at === new Date(T0).toISOString())).toBe(true);
    expect(full.errors).toBe(1);
    expect(full.passed).toBe(full.results.filter((r) => r.passed).length);
  });

  it('refuses to resume a backtest, a run that is not interrupted, or an unknown one; an interrupted run can be cancelled', async () => {
    const db = crashedDatabase();
    const app = testApp({ db });
    pool.keep(app);
    const backtest = await app.inject({
      method: 'POST',
      url: '/api/strategies/runs/crashed-backtest/resume',
    });
    expect(backtest.statusCode).toBe(409);
    expect(backtest.json<ErrorJson>().error).toMatch(/is a backtest; a backtest cannot resume mid-way/);
    const cancel = await app.inject({ method: 'POST', url: '/api/strategies/runs/crashed-screen/cancel' });
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json<ProgressJson>()).toMatchObject({ status: 'cancelled', completed: 2 });
    const again = await app.inject({ method: 'POST', url: '/api/strategies/runs/crashed-screen/resume' });
    expect(again.statusCode).toBe(409);
    expect(again.json<ErrorJson>().error).toBe(
      'run "crashed-screen" is cancelled; only an interrupted run resumes',
    );
    expect((await app.inject({ method: 'POST', url: '/api/strategies/runs/nope/resume' })).statusCode).toBe(
      404,
    );
  });

  it('keeps completed runs across a restart on the same file', async () => {
    const db = tempDbPath();
    const first = testApp({ db });
    const run = (
      await first.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: ['ORCL', 'NVDA'] },
      })
    ).json<ScreenJson>();
    await first.close();
    const second = testApp({ db });
    pool.keep(second);
    expect(second.interruptedAtStart).toEqual([]);
    expect((await second.inject({ url: `/api/strategies/runs/${run.run_id}` })).json<ScreenJson>()).toEqual(
      run,
    );
  });
});
