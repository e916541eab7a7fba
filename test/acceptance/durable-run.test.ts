import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSessionConfig } from '../../src/config/session-config.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ThreadedSqliteStore } from '../../src/storage/threaded-store.ts';
import { ROOT } from '../helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'tradeflow-durable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a backtest recorded through the background writer', () => {
  it('is durable in SQLite, complete and equal to the result, when runBacktest resolves', async () => {
    const db = join(dir, 'runs.db');
    const store = new ThreadedSqliteStore(db);
    const session = loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json'));
    const { result, engine } = await runBacktestWithResult({
      session,
      runId: 'durable',
      startedAt: 1,
      endedAt: () => 2,
      store,
    });
    // A second connection, opened while the writer's is still open, already sees everything.
    const reader = new SqliteStore(db);
    const run = reader.readRun('durable');
    reader.close();
    store.close();
    expect(run).toBeDefined();
    expect(run!.status).toBe('completed');
    expect([run!.startedAt, run!.endedAt]).toEqual([1, 2]);
    expect(run!.trades).toHaveLength(97);
    expect(run!.trades).toEqual(engine.recorder.trades);
    expect(run!.fills).toEqual(engine.recorder.fills);
    expect(run!.orders).toEqual(engine.recorder.orders);
    expect(run!.equity).toEqual(engine.recorder.equity);
    expect(run!.openPositions).toEqual([expect.objectContaining({ symbol: 'ORCL', quantity: 10 })]);
    expect(run!.stats?.finalValue).toBeCloseTo(result.final_value, 9);
  });

  it('records a run whose strategy module is missing as failed, with the reason', async () => {
    const db = join(dir, 'failed.db');
    const store = new ThreadedSqliteStore(db);
    const session = loadSessionConfig(join(ROOT, 'config/examples/orcl-sma-cross.json'));
    const broken = {
      ...session,
      config: {
        ...session.config,
        strategies: [{ ...session.config.strategies[0]!, module: 'strategies/examples/nope' }],
      },
    };
    await expect(
      runBacktestWithResult({ session: broken, runId: 'failed', startedAt: 1, store }),
    ).rejects.toMatchObject({
      code: 'TF_ERR_STRATEGY_NOT_FOUND',
    });
    await store.flush();
    const reader = new SqliteStore(db);
    const run = reader.readRun('failed');
    reader.close();
    store.close();
    expect(run?.status).toBe('failed');
    expect(run?.error).toContain('strategies/examples/nope');
  });
});
