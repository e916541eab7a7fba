import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { type NewServiceRun, ProgressStore, type TickerWrite } from './runs-progress.ts';
import { RUN_TRANSITIONS, SERVICE_RUN_STATUSES, type ServiceRunStatus } from './service-run.ts';
import { SqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-progress-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const freshPath = () => join(dir, `${++files}.db`);

const aRun = (o: Partial<NewServiceRun> = {}): NewServiceRun => ({
  id: 'run-1',
  kind: 'screen',
  strategy: 'bullish_breakout',
  parameters: { min_score: 60 },
  tickers: ['ORCL', 'NVDA', 'YHOO'],
  total: 3,
  createdAt: 1000,
  ...o,
});

const aTicker = (position: number, o: Partial<TickerWrite> = {}): TickerWrite => ({
  runId: 'run-1',
  position,
  ticker: ['ORCL', 'NVDA', 'YHOO'][position] ?? 'X',
  processedAt: 2000 + position,
  passed: position === 0,
  score: 50 + position,
  status: 'ok',
  result: { classification: 'watch', reasons: ['r'], metrics: { rsi: 55.5 } },
  completed: position + 1,
  total: 3,
  passedCount: 1,
  errorCount: 0,
  nextTicker: ['ORCL', 'NVDA', 'YHOO'][position + 1] ?? null,
  ...o,
});

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isTradeflowError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('ProgressStore', () => {
  it('opens the run database in WAL mode with synchronous NORMAL, beside the runs of the event store', () => {
    const path = freshPath();
    const events = new SqliteStore(path);
    const store = new ProgressStore(path);
    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .pluck()
      .all();
    expect(tables).toEqual(expect.arrayContaining(['runs', 'service_runs', 'ticker_progress']));
    db.close();
    store.close();
    events.close();
  });

  it('creates a queued run whose current ticker is its first, and reads it back whole', () => {
    const store = new ProgressStore(':memory:');
    store.createRun(aRun());
    expect(store.header('run-1')).toEqual({
      id: 'run-1',
      kind: 'screen',
      status: 'queued',
      strategy: 'bullish_breakout',
      currentTicker: 'ORCL',
      completed: 0,
      total: 3,
      percent: 0,
      passed: 0,
      errors: 0,
      createdAt: 1000,
      startedAt: null,
      updatedAt: 1000,
      endedAt: null,
      error: null,
    });
    expect(store.run('run-1')).toMatchObject({
      parameters: { min_score: 60 },
      tickers: ['ORCL', 'NVDA', 'YHOO'],
      result: null,
    });
    expect(codeOf(() => store.createRun(aRun()))).toBe('TF_ERR_STORAGE');
    expect(store.header('nope')).toBeUndefined();
  });

  it('allows exactly the transitions of RUN_TRANSITIONS', () => {
    for (const from of SERVICE_RUN_STATUSES) {
      for (const to of SERVICE_RUN_STATUSES) {
        const store = new ProgressStore(':memory:');
        store.createRun(aRun());
        const path: Record<ServiceRunStatus, ServiceRunStatus[]> = {
          queued: [],
          running: ['running'],
          completed: ['running', 'completed'],
          failed: ['failed'],
          cancelled: ['cancelled'],
          interrupted: ['interrupted'],
        };
        for (const step of path[from]) store.transition('run-1', step, 1500);
        expect(store.header('run-1')?.status).toBe(from);
        const code = codeOf(() => store.transition('run-1', to, 1600));
        expect(code, `${from} -> ${to}`).toBe(
          RUN_TRANSITIONS[from].includes(to) ? 'no error' : 'TF_ERR_RUN_STATE',
        );
        store.close();
      }
    }
    expect(codeOf(() => new ProgressStore(':memory:').transition('nope', 'running', 1))).toBe(
      'TF_ERR_RUN_NOT_FOUND',
    );
  });

  it('writes a ticker and the run counts together, and a resumed run keeps its first start', () => {
    const store = new ProgressStore(':memory:');
    store.createRun(aRun());
    expect(codeOf(() => store.recordTicker(aTicker(0)))).toBe('TF_ERR_RUN_STATE');
    expect(store.tickerResults('run-1')).toEqual([]); // the refused write left nothing behind
    store.transition('run-1', 'running', 1500);
    store.recordTicker(aTicker(0));
    store.recordTicker(
      aTicker(1, { passedCount: 1, errorCount: 1, status: 'error', passed: false, score: null }),
    );
    expect(store.header('run-1')).toMatchObject({
      status: 'running',
      currentTicker: 'YHOO',
      completed: 2,
      percent: 66.67,
      passed: 1,
      errors: 1,
      updatedAt: 2001,
      startedAt: 1500,
    });
    expect(store.lastPosition('run-1')).toBe(1);
    expect(store.recentTickers('run-1', 1)).toEqual([
      {
        runId: 'run-1',
        position: 1,
        ticker: 'NVDA',
        processedAt: 2001,
        passed: false,
        score: null,
        total: 3,
        status: 'error',
        result: { classification: 'watch', reasons: ['r'], metrics: { rsi: 55.5 } },
      },
    ]);
    expect(codeOf(() => store.recordTicker(aTicker(1)))).toBe('TF_ERR_STORAGE'); // a position is recorded once
    store.transition('run-1', 'interrupted', 2500);
    expect(store.header('run-1')).toMatchObject({
      status: 'interrupted',
      endedAt: 2500,
      currentTicker: 'YHOO',
    });
    store.transition('run-1', 'running', 3000);
    expect(store.header('run-1')).toMatchObject({ startedAt: 1500, endedAt: null });
    store.recordTicker(aTicker(2));
    store.transition('run-1', 'completed', 3100, { result: { note: 'done' } });
    expect(store.run('run-1')).toMatchObject({
      status: 'completed',
      percent: 100,
      currentTicker: null,
      endedAt: 3100,
      result: { note: 'done' },
    });
    expect(store.tickerResults('run-1').map((t) => t.position)).toEqual([0, 1, 2]);
  });

  it('marks runs a crash left queued or running as interrupted, with their backtest events', () => {
    const path = freshPath();
    const events = new SqliteStore(path);
    events.startRun({ id: 'bt-1', name: 'bt', kind: 'backtest', config: {}, startedAt: 1 });
    events.close();
    const store = new ProgressStore(path);
    store.createRun(aRun({ id: 'a' }));
    store.createRun(aRun({ id: 'b' }));
    store.createRun(aRun({ id: 'c' }));
    store.createRun(aRun({ id: 'bt-1', kind: 'backtest' }));
    store.transition('b', 'running', 10);
    store.transition('c', 'running', 10);
    store.transition('c', 'completed', 20);
    store.transition('bt-1', 'running', 10);
    expect(store.interruptUnfinished(99).sort()).toEqual(['a', 'b', 'bt-1']);
    expect(store.header('c')?.status).toBe('completed');
    expect(store.header('a')).toMatchObject({ status: 'interrupted', endedAt: 99 });
    store.close();
    const reopened = new SqliteStore(path);
    expect(reopened.readRun('bt-1')).toMatchObject({ status: 'interrupted', endedAt: 99 });
    reopened.close();
  });

  it('lists runs newest first, by kind, with the count for paging', () => {
    const store = new ProgressStore(':memory:');
    for (let i = 0; i < 5; i++)
      store.createRun(aRun({ id: `r${i}`, createdAt: i, kind: i % 2 ? 'backtest' : 'screen' }));
    expect(store.list({ limit: 2, offset: 1 })).toMatchObject({
      total: 5,
      runs: [{ id: 'r3' }, { id: 'r2' }],
    });
    expect(store.list({ kind: 'backtest', limit: 10, offset: 0 })).toMatchObject({
      total: 2,
      runs: [{ id: 'r3' }, { id: 'r1' }],
    });
  });

  it('refuses calls after close with TF_ERR_STORAGE', () => {
    const store = new ProgressStore(':memory:');
    store.close();
    expect(codeOf(() => store.header('x'))).toBe('TF_ERR_STORAGE');
  });
});
