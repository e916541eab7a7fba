// A live paper session run by the real CLI, killed with SIGKILL at several points and resumed each time,
// ends with the same orders, fills, trades, signals and positions as a run never killed, none twice.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { delay } from '../../src/core/clock.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { ROOT, runCli, tempFiles } from '../helpers.ts';
import { barOfRow, type BarServer, startBarServer } from './bar-server.ts';

// Real FXY minute bars: the first 10 are warm-up history on disk, the next 300 arrive live, one every 15 ms.
const rows = readFileSync(join(ROOT, 'data/intraday/FXY_1min.csv'), 'utf8').trim().split('\n');
const LIVE_BARS = 300;
const dir = tempFiles({ 'history.csv': rows.slice(0, 11).join('\n') + '\n' });
const sessionFile = join(dir, 'crash.json');
writeFileSync(
  sessionFile,
  JSON.stringify({
    root: ROOT,
    data: [{ symbol: 'FXY', file: join(dir, 'history.csv'), format: 'ohlcv', calendar: '24h' }],
    strategies: [
      {
        module: 'strategies/examples/simple_ma_cross',
        isolation: 'inline',
        config: { symbols: ['FXY'], interval: '1m', fast_period: 3, slow_period: 8, position_size: 10 },
      },
    ],
  }),
);

let server: BarServer;
beforeAll(async () => {
  server = await startBarServer(
    rows.slice(11, 11 + LIVE_BARS).map((r) => barOfRow('FXY', r)),
    15,
  );
});
afterAll(() => server.close());

const liveArgs = (db: string, ...more: string[]) => [
  'live',
  sessionFile,
  '--feed',
  server.url,
  '--db',
  db,
  '--out',
  join(dir, 'out'),
  '--quiet',
  ...more,
];

/** Reads rows of a run database (read-only, a connection of its own). */
function query<T>(db: string, sql: string, ...params: unknown[]): T[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare(sql).all(...params) as T[];
  } finally {
    conn.close();
  }
}

/** The steps run `runId` has committed (0 before its first), or 0 while the database is not there yet. */
function committedSteps(db: string): number {
  if (!existsSync(db)) return 0;
  try {
    return query<{ step: number }>(db, 'SELECT step FROM live_state')[0]?.step ?? 0;
  } catch {
    return 0; // the schema is being created
  }
}

/** Starts the CLI live, waits until it has committed at least `steps` steps, and kills it with SIGKILL. */
async function killAfter(db: string, steps: number, ...more: string[]): Promise<void> {
  const child = spawn(process.execPath, ['bin/tradeflow.mjs', ...liveArgs(db, ...more)], {
    cwd: ROOT,
    stdio: 'ignore',
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let ended = false;
  void exited.then(() => (ended = true));
  while (!ended && committedSteps(db) < steps) await delay(5).promise;
  if (ended) throw new Error(`the run ended before it committed ${steps} steps`);
  child.kill('SIGKILL');
  await exited;
}

/** What must match between two runs of the same feed: everything but the run id and wall-clock times. */
function recordOf(db: string) {
  const [run] = query<{ id: string; status: string; open_positions: string }>(
    db,
    'SELECT id, status, open_positions FROM runs',
  );
  const id = run!.id;
  const rowsOf = (sql: string) => query<Record<string, unknown>>(db, sql, id);
  return {
    id,
    record: {
      status: run!.status,
      openPositions: JSON.parse(run!.open_positions) as unknown,
      orders: rowsOf(
        'SELECT id, account, strategy, symbol, side, quantity, type, price, ts_created, status, ts_closed, reason, signal_reason FROM orders WHERE run_id = ? ORDER BY id',
      ),
      fills: rowsOf('SELECT * FROM fills WHERE run_id = ? ORDER BY id').map(({ run_id: _r, ...f }) => f),
      trades: rowsOf('SELECT * FROM trades WHERE run_id = ? ORDER BY id').map(({ run_id: _r, ...t }) => t),
      signals: rowsOf('SELECT * FROM signals WHERE run_id = ? ORDER BY seq').map(
        ({ run_id: _r, seq: _s, ...s }) => s,
      ),
      equity: rowsOf('SELECT ts, equity, cash FROM equity WHERE run_id = ? ORDER BY seq'),
      liveBars: rowsOf(
        'SELECT count(*) AS n, count(DISTINCT ts) AS distinct_ts FROM live_bars WHERE run_id = ?',
      ),
    },
  };
}

describe('a live run killed with SIGKILL and resumed', () => {
  it('ends as a run never killed: the same orders, fills, trades, signals and positions, none twice', async () => {
    const whole = join(dir, 'whole.db');
    const first = await runCli(liveArgs(whole));
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    const expected = recordOf(whole);
    // The session trades often enough for the kills to fall between orders, fills and trades.
    expect(expected.record.trades.length).toBeGreaterThan(10);
    expect(expected.record.liveBars).toEqual([{ n: LIVE_BARS, distinct_ts: LIVE_BARS }]);

    const killed = join(dir, 'killed.db');
    await killAfter(killed, 40);
    const { id } = recordOf(killed);
    // The next writer to open the database marks the killed run interrupted: its process is gone.
    const store = new SqliteStore(killed);
    const marked = store.readRun(id);
    expect(marked?.status).toBe('interrupted');
    expect(marked?.error).toContain('is gone');
    store.close();
    const sinces = server.sinces.length;
    for (const steps of [110, 200]) {
      await killAfter(killed, steps, '--resume', id);
    }
    const last = await runCli(liveArgs(killed, '--resume', id));
    expect(last.stderr).not.toMatch(/^error/m);
    expect(last.code).toBe(0);
    // Each resume asked the feed for the bars after the last one it had stored.
    expect(server.sinces.slice(sinces).every((s) => s !== undefined)).toBe(true);

    const resumed = recordOf(killed);
    expect(resumed.id).toBe(id);
    expect(resumed.record).toEqual(expected.record);
    const ids = query<{ n: number; distinct_ids: number; client_ok: number }>(
      killed,
      `SELECT count(*) AS n, count(DISTINCT client_order_id) AS distinct_ids,
         sum(client_order_id = run_id || '-' || id) AS client_ok FROM orders`,
    );
    const n = expected.record.orders.length;
    expect(ids).toEqual([{ n, distinct_ids: n, client_ok: n }]);
    expect(query(killed, 'PRAGMA integrity_check')).toEqual([{ integrity_check: 'ok' }]);
    expect(query(killed, 'PRAGMA foreign_key_check')).toEqual([]);
  }, 300_000);
});
