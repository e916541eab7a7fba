// The SQL of ProgressStore (runs-progress.ts), on the tables of the API migration in schema.ts.
import type Database from 'better-sqlite3';
import type { ServiceRunRow, TickerRow } from './service-run.ts';

const HEADER_COLUMNS = `id, kind, status, strategy, current_ticker, completed, total, percent, passed, errors,
  created_at, started_at, updated_at, ended_at, error`;
const TICKER_COLUMNS = 'run_id, position, ticker, processed_at, passed, score, total, status, result';

/** Prepares every statement of the progress store once, on its connection. */
export function prepareProgressStatements(db: Database.Database) {
  return {
    insertRun: db.prepare(
      `INSERT INTO service_runs (id, kind, status, strategy, parameters, tickers, current_ticker, total, created_at,
         updated_at)
       VALUES (@id, @kind, 'queued', @strategy, @parameters, @tickers, @current_ticker, @total, @created_at,
         @created_at)`,
    ),
    header: db.prepare<[string], ServiceRunRow>(`SELECT ${HEADER_COLUMNS} FROM service_runs WHERE id = ?`),
    run: db.prepare<[string], ServiceRunRow>(
      `SELECT ${HEADER_COLUMNS}, parameters, tickers, result FROM service_runs WHERE id = ?`,
    ),
    listAll: db.prepare<[number, number], ServiceRunRow>(
      `SELECT ${HEADER_COLUMNS} FROM service_runs ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    ),
    listKind: db.prepare<[string, number, number], ServiceRunRow>(
      `SELECT ${HEADER_COLUMNS} FROM service_runs WHERE kind IN (SELECT value FROM json_each(?)) ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
    ),
    countAll: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM service_runs'),
    countKind: db.prepare<[string], { n: number }>(
      'SELECT count(*) AS n FROM service_runs WHERE kind IN (SELECT value FROM json_each(?))',
    ),
    countByStatus: db.prepare<[], { kind: string; status: string; n: number }>(
      'SELECT kind, status, count(*) AS n FROM service_runs GROUP BY kind, status ORDER BY kind, status',
    ),
    transition: db.prepare(
      `UPDATE service_runs SET status = @to, updated_at = @at,
         started_at = CASE WHEN @to = 'running' THEN coalesce(started_at, @at) ELSE started_at END,
         ended_at = CASE WHEN @to = 'running' THEN NULL ELSE @at END,
         current_ticker = CASE WHEN @final = 1 THEN NULL ELSE current_ticker END,
         error = CASE WHEN @to = 'running' THEN NULL ELSE coalesce(@error, error) END,
         result = coalesce(@result, result)
       WHERE id = @id AND status IN (SELECT value FROM json_each(@from))`,
    ),
    insertTicker: db.prepare(
      `INSERT INTO ticker_progress (${TICKER_COLUMNS})
       VALUES (@run_id, @position, @ticker, @processed_at, @passed, @score, @total, @status, @result)`,
    ),
    advance: db.prepare(
      `UPDATE service_runs SET completed = @completed, total = @total, percent = @percent, passed = @passed,
         errors = @errors, current_ticker = @current, updated_at = @at
       WHERE id = @id AND status = 'running'`,
    ),
    recent: db.prepare<[string, number], TickerRow>(
      `SELECT ${TICKER_COLUMNS} FROM ticker_progress WHERE run_id = ? ORDER BY position DESC LIMIT ?`,
    ),
    tickers: db.prepare<[string], TickerRow>(
      `SELECT ${TICKER_COLUMNS} FROM ticker_progress WHERE run_id = ? ORDER BY position`,
    ),
    lastPosition: db.prepare<[string], { p: number | null }>(
      'SELECT max(position) AS p FROM ticker_progress WHERE run_id = ?',
    ),
    interrupt: db.prepare<[{ at: number }], { id: string; kind: string }>(
      `UPDATE service_runs SET status = 'interrupted', ended_at = @at, updated_at = @at
       WHERE status IN ('queued', 'running') RETURNING id, kind`,
    ),
    // A backtest writes its events to `runs` under the same id (runBacktest's store); a crash leaves it running too.
    interruptBacktest: db.prepare<[number, string]>(
      `UPDATE runs SET status = 'interrupted', ended_at = ? WHERE id = ? AND status = 'running'`,
    ),
  };
}
