// The live tables of the run database: the bars a live run's steps published and its state after the last
// committed step, written with the step's events in one transaction and read back for a resume.
import type Database from 'better-sqlite3';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import { INTERVALS } from '../model/interval.ts';
import { oneOf } from './rows.ts';
import { currentOwner } from './run-owner.ts';
import type { StoredLive } from './store.ts';

/** A row of `live_bars` (without run_id). */
type BarRow = Omit<StoredBar, 'interval'> & { readonly interval: string };

/** Reads a run's live state and bars over any connection (the caller knows the run exists); read once, at a resume. */
export function readLiveTables(db: Database.Database, runId: string): StoredLive {
  const read = db.transaction(() => {
    const row = db
      .prepare<[string], { state: string }>('SELECT state FROM live_state WHERE run_id = ?')
      .get(runId);
    const bars = db
      .prepare<[string], BarRow>(
        'SELECT symbol, interval, ts, open, high, low, close, volume FROM live_bars WHERE run_id = ? ORDER BY ts, symbol, interval',
      )
      .all(runId);
    return { row, bars };
  });
  const { row, bars } = read();
  return {
    state: row === undefined ? undefined : (JSON.parse(row.state) as LiveState),
    bars: bars.map((r) => ({ ...r, interval: oneOf(r.interval, INTERVALS, 'bar interval') })),
  };
}

/** Writes the live tables over a writer's connection. */
export class SqliteLive {
  readonly #insertBar: Database.Statement<
    [string, string, string, number, number, number, number, number, number]
  >;
  readonly #upsertState: Database.Statement<[string, number, string]>;
  readonly #reopen: Database.Statement<[number, string | null, string | null, string]>;

  constructor(db: Database.Database) {
    this.#insertBar = db.prepare(
      'INSERT INTO live_bars (run_id, symbol, interval, ts, open, high, low, close, volume) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.#upsertState = db.prepare(
      `INSERT INTO live_state (run_id, step, state) VALUES (?, ?, ?)
       ON CONFLICT (run_id) DO UPDATE SET step = excluded.step, state = excluded.state`,
    );
    this.#reopen = db.prepare(
      `UPDATE runs SET status = 'running', ended_at = NULL, stats = NULL, error = NULL,
       owner_pid = ?, owner_host = ?, owner_start = ? WHERE id = ?`,
    );
  }

  /** Stores a step's bars and the run's state after it (call inside the step's transaction). */
  write(runId: string, bars: readonly StoredBar[], state: LiveState, stateJson: string): void {
    for (const b of bars) {
      this.#insertBar.run(runId, b.symbol, b.interval, b.ts, b.open, b.high, b.low, b.close, b.volume);
    }
    this.#upsertState.run(runId, state.steps, stateJson);
  }

  /** Takes a run back to running, owned by this process (the caller checked that it may). */
  reopen(runId: string): void {
    const owner = currentOwner();
    this.#reopen.run(owner.pid, owner.host, owner.start, runId);
  }
}
