// Fault tests of the API's runs (issue item 2): a run that loops forever, exits the process or never
// finishes its setup holds only its own worker thread, a backtest's or a screen's; the server answers,
// cancel ends the run within a bound, run slots come back, and SIGTERM stops a real `tradeflow serve` with
// a run stuck in progress.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  type AcceptedJson,
  AppPool,
  type BacktestJson,
  type ErrorJson,
  type ProgressJson,
  type ScreenJson,
  tempDbPath,
  testApp,
  type TradeflowAppForTest,
  until,
} from '../../src/api/app.fixture.ts';
import { monotonicMs } from '../../src/core/clock.ts';
import { SCREENERS } from '../../src/screener/registry.ts';
import { ProgressStore } from '../../src/storage/runs-progress.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ROOT } from '../helpers.ts';
import {
  FAULT_ROOT,
  markerPath,
  misbehaving,
  postBacktest,
  steady,
  untilMarked,
} from './api/api-faults.fixture.ts';
import { exitingBreakout, fixedStuckBreakout, STUCK_MS, stuckBreakout } from './screens/screeners.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);

const GRACE_MS = 1000;
/** What "within the bound" allows on a loaded machine beyond the grace period: about hangs, not speed. */
const SLACK_MS = 8000;

/** Times one request; returns its answer and how long it took in ms. */
async function timed<T>(request: () => Promise<T>): Promise<{ answer: T; ms: number }> {
  const t0 = monotonicMs();
  const answer = await request();
  return { answer, ms: monotonicMs() - t0 };
}

/** Waits until a run's status is `status`. */
function untilStatus(app: TradeflowAppForTest, runId: string, status: string, ms = 30_000) {
  return until(
    async () => {
      const p = (await app.inject({ url: `/api/backtests/${runId}/progress` })).json<ProgressJson>();
      return p.status === status ? p : undefined;
    },
    ms,
    `run ${runId} ${status}`,
  );
}

/** Polls /healthz `times` times, 50 ms apart, and returns the slowest answer in ms (each must be 200). */
async function slowestHealthz(app: TradeflowAppForTest, times: number): Promise<number> {
  let slowest = 0;
  for (let i = 0; i < times; i++) {
    const { answer, ms } = await timed(() => app.inject({ url: '/healthz' }));
    expect(answer.statusCode).toBe(200);
    slowest = Math.max(slowest, ms);
    await new Promise((r) => setTimeout(r, 50));
  }
  return slowest;
}

describe('an API run that misbehaves holds only its own thread', () => {
  it('answers /healthz in < 1 s while a run loops forever in onBars, and cancel ends it within the bound', async () => {
    const db = tempDbPath();
    const app = pool.newApp({ db, projectRoot: FAULT_ROOT, stopGraceMs: GRACE_MS });
    const marker = markerPath();
    const res = await postBacktest(app, misbehaving('spin', { marker }), true);
    expect(res.statusCode).toBe(202);
    const { run_id } = res.json<AcceptedJson>();
    await untilMarked(marker); // it spins from its 5th bar on, for ever
    expect(await slowestHealthz(app, 10)).toBeLessThan(1000);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', active_runs: 1 });
    const progress = await timed(() => app.inject({ url: `/api/backtests/${run_id}/progress` }));
    expect(progress.ms).toBeLessThan(1000);
    expect(progress.answer.json<ProgressJson & { memory: unknown }>()).toMatchObject({
      status: 'running',
      memory: { heap_limit_mb: 1024 },
    });

    const cancel = await timed(() => app.inject({ method: 'POST', url: `/api/backtests/${run_id}/cancel` }));
    expect(cancel.answer.statusCode).toBe(200);
    expect(cancel.ms).toBeLessThan(GRACE_MS + SLACK_MS);
    const ended = cancel.answer.json<ProgressJson>();
    expect(ended.status).toBe('cancelled');
    expect(ended.error).toMatch(/did not stop within 1000 ms .*its thread was terminated/);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', active_runs: 0 });
    // The run's own row among the stored events is closed too, not left running.
    const events = new SqliteStore(db);
    expect(events.readRun(run_id)?.status).toBe('cancelled');
    events.close();
  });

  it('fails only its run when a strategy calls process.exit; the server answers and runs the next one', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT });
    const res = await postBacktest(app, misbehaving('exit'));
    expect(res.statusCode).toBe(200);
    const failed = res.json<BacktestJson>();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^TF_ERR_RUN_ABORTED: .*exited with code 7 before the run ended/);
    expect(failed.result).toBeNull();
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok', active_runs: 0 });
    const next = (await postBacktest(app, steady())).json<BacktestJson>();
    expect(next.status).toBe('completed');
    expect(next.result?.trades.length).toBe(24);
  });

  it('refuses a strategy module that calls process.exit as it is imported with a 400; the server goes on', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT });
    const config = {
      ...steady(),
      strategies: [{ module: 'strategies/exits_on_import', config: { symbols: ['ORCL'], interval: '1d' } }],
    };
    const res = await postBacktest(app, config);
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>().details).toEqual([
      {
        path: 'config.strategies',
        message:
          'loading the strategy modules ended their thread with code 9 (does a module call process.exit at import?); nothing ran',
      },
    ]);
    expect((await postBacktest(app, steady())).json<BacktestJson>().status).toBe('completed');
  });

  it('frees the slot of a run whose setup never settles when it is cancelled; the next run is admitted', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT, maxConcurrentRuns: 2, stopGraceMs: GRACE_MS });
    const ids: string[] = [];
    const markers = [markerPath(), markerPath()];
    for (const marker of markers) {
      const res = await postBacktest(app, misbehaving('hang_setup', { marker }), true);
      expect(res.statusCode).toBe(202);
      ids.push(res.json<AcceptedJson>().run_id);
    }
    for (const marker of markers) await untilMarked(marker);
    const refused = await postBacktest(app, steady(), true);
    expect(refused.statusCode).toBe(429);
    expect(refused.json<ErrorJson>().code).toBe('TF_ERR_TOO_MANY_RUNS');

    const cancel = await timed(() => app.inject({ method: 'POST', url: `/api/backtests/${ids[0]}/cancel` }));
    expect(cancel.ms).toBeLessThan(GRACE_MS + SLACK_MS);
    expect(cancel.answer.json<ProgressJson>()).toMatchObject({
      status: 'cancelled',
      error: expect.stringMatching(/its thread was terminated/) as string,
    });
    const admitted = await postBacktest(app, steady(), true);
    expect(admitted.statusCode).toBe(202);
    await untilStatus(app, admitted.json<AcceptedJson>().run_id, 'completed');
    expect((await app.inject({ url: `/api/backtests/${ids[1]}/progress` })).json<ProgressJson>().status).toBe(
      'running',
    );
  });
});

/** Starts a screen of `tickers` with `strategy` (a screener's name). */
function postScreen(app: TradeflowAppForTest, strategy: string, tickers: readonly string[], async = false) {
  return app.inject({
    method: 'POST',
    url: '/api/strategies/execute',
    payload: { strategy, tickers, async },
  });
}

/** Waits until a screen has recorded `n` tickers. */
function untilScreened(app: TradeflowAppForTest, runId: string, n: number) {
  return until(
    async () => {
      const p = (await app.inject({ url: `/api/strategies/runs/${runId}/progress` })).json<ProgressJson>();
      return p.completed >= n ? p : undefined;
    },
    30_000,
    `run ${runId} to record ${n} tickers`,
  );
}

describe("an API screen runs off the server's thread", () => {
  const screeners = { ...SCREENERS, stuck_breakout: stuckBreakout, exiting_breakout: exitingBreakout };

  it('answers /healthz in < 1 s while a screener is stuck on a ticker, and cancel ends the screen within the bound', async () => {
    const app = pool.newApp({ screeners, stopGraceMs: GRACE_MS });
    const res = await postScreen(app, 'stuck_breakout', ['ORCL', 'YHOO', 'NVDA'], true);
    expect(res.statusCode).toBe(202);
    const { run_id } = res.json<AcceptedJson>();
    const url = `/api/strategies/runs/${run_id}`;
    // ORCL is recorded before YHOO starts; on YHOO the screener is stuck for 20 s.
    await untilScreened(app, run_id, 1);
    expect(await slowestHealthz(app, 10)).toBeLessThan(1000);
    const progress = await timed(() => app.inject({ url: `${url}/progress` }));
    expect(progress.ms).toBeLessThan(1000);
    expect(progress.answer.json<ProgressJson & { memory: unknown }>()).toMatchObject({
      status: 'running',
      completed: 1,
      current_ticker: 'YHOO',
      memory: { heap_limit_mb: 1024 },
    });

    const cancel = await timed(() => app.inject({ method: 'POST', url: `${url}/cancel` }));
    expect(cancel.answer.statusCode).toBe(200);
    expect(cancel.ms).toBeLessThan(Math.min(GRACE_MS + SLACK_MS, STUCK_MS));
    expect(cancel.answer.json<ProgressJson>()).toMatchObject({
      status: 'cancelled',
      completed: 1,
      error: expect.stringMatching(
        /did not stop within 1000 ms .*its thread was terminated, and the tickers it had recorded are kept/,
      ) as string,
    });
    const full = (await app.inject({ url })).json<ScreenJson>();
    expect(full.results.map((r) => [r.position, r.ticker, r.status])).toEqual([[0, 'ORCL', 'ok']]);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', active_runs: 0 });
    // The slot is free and a fresh thread serves the next screen.
    const next = (await postScreen(app, 'bullish_breakout', ['ORCL', 'NVDA'])).json<ScreenJson>();
    expect(next).toMatchObject({ status: 'completed', completed: 2, errors: 0 });
  });

  it('fails only its screen when a screener calls process.exit; the tickers before it are kept, the server goes on', async () => {
    const app = pool.newApp({ screeners });
    const res = await postScreen(app, 'exiting_breakout', ['ORCL', 'YHOO', 'NVDA']);
    expect(res.statusCode).toBe(200);
    const failed = res.json<ScreenJson>();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^TF_ERR_RUN_ABORTED: .*exited with code 5 before the run ended/);
    expect(failed.results.map((r) => r.ticker)).toEqual(['ORCL']);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok', active_runs: 0 });
    const next = (await postScreen(app, 'bullish_breakout', ['ORCL', 'YHOO'])).json<ScreenJson>();
    expect(next).toMatchObject({ status: 'completed', completed: 2 });
  });

  it('marks a stuck screen interrupted when the app closes within the bound, and resumes it after its last recorded ticker', async () => {
    const db = tempDbPath();
    const app = testApp({ db, screeners, stopGraceMs: GRACE_MS });
    const { run_id } = (
      await postScreen(app, 'stuck_breakout', ['ORCL', 'YHOO', 'NVDA'], true)
    ).json<AcceptedJson>();
    await untilScreened(app, run_id, 1);
    const closing = await timed(() => app.close());
    expect(closing.ms).toBeLessThan(Math.min(GRACE_MS + SLACK_MS, STUCK_MS));

    // The server starts again over the same database, its screener fixed; the screen goes on from YHOO.
    const again = pool.newApp({ db, screeners: { stuck_breakout: fixedStuckBreakout } });
    const url = `/api/strategies/runs/${run_id}`;
    expect((await again.inject({ url })).json<ScreenJson>()).toMatchObject({
      status: 'interrupted',
      completed: 1,
    });
    const resumed = await again.inject({ method: 'POST', url: `${url}/resume` });
    expect(resumed.statusCode).toBe(202);
    expect(resumed.json<AcceptedJson>().resumed_from).toBe(1);
    await until(
      async () => ((await again.inject({ url })).json<ScreenJson>().status === 'completed' ? 1 : undefined),
      30_000,
      'the resumed screen completed',
    );
    const full = (await again.inject({ url })).json<ScreenJson>();
    expect(full.results.map((r) => [r.position, r.ticker, r.status])).toEqual([
      [0, 'ORCL', 'ok'],
      [1, 'YHOO', 'ok'],
      [2, 'NVDA', 'ok'],
    ]);
  });
});

describe('tradeflow serve under SIGTERM', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-api-faults-'));
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    rmSync(tmp, { recursive: true, force: true });
  });

  it('exits 0 within the bound with a run looping forever, and marks the run interrupted', async () => {
    const db = join(tmp, 'serve.db');
    const marker = join(tmp, 'spinning');
    const { TRADEFLOW_API_TOKEN: _drop, ...env } = process.env;
    const child = spawn(
      process.execPath,
      [
        'bin/tradeflow.mjs',
        'serve',
        '--port',
        '0',
        '--db',
        db,
        '--project-root',
        FAULT_ROOT,
        '--stop-grace-ms',
        String(GRACE_MS),
      ],
      { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    children.push(child);
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    const exited = new Promise<{ code: number | null; signal: string | null }>((done) =>
      child.on('exit', (code, signal) => done({ code, signal })),
    );
    const base = await until(
      () => {
        if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
        return /^serving: (http:\/\/127\.0\.0\.1:\d+)/m.exec(stderr)?.[1];
      },
      30_000,
      'the server address',
    );
    const started = await fetch(`${base}/api/backtests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ config: misbehaving('spin', { marker }), async: true }),
      signal: AbortSignal.timeout(30_000),
    });
    expect(started.status).toBe(202);
    const { run_id } = (await started.json()) as AcceptedJson;
    await untilMarked(marker);
    const health = await timed(() => fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) }));
    expect(health.answer.status).toBe(200);
    expect(health.ms).toBeLessThan(1000);

    const t0 = monotonicMs();
    child.kill('SIGTERM');
    const exit = await Promise.race([
      exited,
      new Promise<'hung'>((r) => setTimeout(() => r('hung'), GRACE_MS + SLACK_MS + 5000).unref()),
    ]);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(monotonicMs() - t0).toBeLessThan(GRACE_MS + SLACK_MS + 5000);
    const store = new ProgressStore(db);
    const run = store.header(run_id);
    store.close();
    expect(run?.status).toBe('interrupted');
  });
});
