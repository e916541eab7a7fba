// The run database's schema: its migrations, applied in order and never edited once released.
import type Database from 'better-sqlite3';
import { storageError } from './store-rules.ts';

/*
 * Schema of the SQLite run store. The version lives in `PRAGMA user_version`; migration N takes a
 * database from version N to N + 1 and runs in its own transaction with the version bump, so a database
 * is always at a version some release knew. Append migrations, never edit a released one.
 *
 * Every event table is keyed by run_id. Fills reference their order and signals the order they became,
 * so the database itself refuses a fill whose order is not stored. Orders are upserted in place
 * (ON CONFLICT DO UPDATE, never REPLACE, which would delete the row the fills point at).
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    config         TEXT NOT NULL,
    started_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    stats          TEXT,
    error          TEXT,
    open_positions TEXT NOT NULL DEFAULT '[]'
  );
  CREATE INDEX runs_started ON runs (started_at);

  CREATE TABLE orders (
    run_id        TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id            INTEGER NOT NULL,
    strategy      TEXT NOT NULL,
    symbol        TEXT NOT NULL,
    side          TEXT NOT NULL,
    quantity      REAL NOT NULL,
    type          TEXT NOT NULL,
    price         REAL,
    ts_created    INTEGER NOT NULL,
    status        TEXT NOT NULL,
    ts_closed     INTEGER,
    reason        TEXT,
    signal_reason TEXT,
    PRIMARY KEY (run_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE fills (
    run_id     TEXT NOT NULL,
    id         INTEGER NOT NULL,
    order_id   INTEGER NOT NULL,
    strategy   TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    side       TEXT NOT NULL,
    quantity   REAL NOT NULL,
    price      REAL NOT NULL,
    commission REAL NOT NULL,
    ts         INTEGER NOT NULL,
    PRIMARY KEY (run_id, id),
    FOREIGN KEY (run_id, order_id) REFERENCES orders (run_id, id) ON DELETE CASCADE
  ) WITHOUT ROWID;
  CREATE INDEX fills_order ON fills (run_id, order_id);

  CREATE TABLE trades (
    run_id      TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    id          INTEGER NOT NULL,
    strategy    TEXT NOT NULL,
    symbol      TEXT NOT NULL,
    direction   INTEGER NOT NULL,
    quantity    REAL NOT NULL,
    entry_time  INTEGER NOT NULL,
    entry_price REAL NOT NULL,
    exit_time   INTEGER NOT NULL,
    exit_price  REAL NOT NULL,
    pnl         REAL NOT NULL,
    commission  REAL NOT NULL,
    bars        INTEGER NOT NULL,
    PRIMARY KEY (run_id, id)
  ) WITHOUT ROWID;

  CREATE TABLE signals (
    seq        INTEGER PRIMARY KEY,
    run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ts         INTEGER NOT NULL,
    strategy   TEXT NOT NULL,
    symbol     TEXT NOT NULL,
    action     TEXT NOT NULL,
    quantity   REAL,
    price      REAL,
    order_type TEXT,
    reason     TEXT,
    confidence REAL,
    metadata   TEXT,
    order_id   INTEGER,
    FOREIGN KEY (run_id, order_id) REFERENCES orders (run_id, id) ON DELETE CASCADE
  );
  CREATE INDEX signals_run ON signals (run_id);
  CREATE INDEX signals_order ON signals (run_id, order_id);

  CREATE TABLE equity (
    seq    INTEGER PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    ts     INTEGER NOT NULL,
    equity REAL NOT NULL,
    cash   REAL NOT NULL
  );
  CREATE INDEX equity_run ON equity (run_id);
  `,
  // The HTTP API's runs (screens and backtests) and each screen's per-ticker progress: see runs-progress.ts.
  `
  CREATE TABLE service_runs (
    id             TEXT PRIMARY KEY,
    kind           TEXT NOT NULL,
    status         TEXT NOT NULL,
    strategy       TEXT NOT NULL,
    parameters     TEXT NOT NULL,
    tickers        TEXT NOT NULL,
    current_ticker TEXT,
    completed      INTEGER NOT NULL DEFAULT 0,
    total          INTEGER NOT NULL,
    percent        REAL NOT NULL DEFAULT 0,
    passed         INTEGER NOT NULL DEFAULT 0,
    errors         INTEGER NOT NULL DEFAULT 0,
    created_at     INTEGER NOT NULL,
    started_at     INTEGER,
    updated_at     INTEGER NOT NULL,
    ended_at       INTEGER,
    error          TEXT,
    result         TEXT
  );
  CREATE INDEX service_runs_created ON service_runs (created_at);
  CREATE INDEX service_runs_status ON service_runs (status);

  CREATE TABLE ticker_progress (
    run_id       TEXT NOT NULL REFERENCES service_runs (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    ticker       TEXT NOT NULL,
    processed_at INTEGER NOT NULL,
    passed       INTEGER NOT NULL,
    score        REAL,
    total        INTEGER NOT NULL,
    status       TEXT NOT NULL,
    result       TEXT NOT NULL,
    PRIMARY KEY (run_id, position)
  ) WITHOUT ROWID;
  `,
  // Paper accounts: every order, fill and trade names the account it belongs to (rows of older runs: default).
  `
  ALTER TABLE orders ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE fills ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
  ALTER TABLE trades ADD COLUMN account TEXT NOT NULL DEFAULT 'default';
  `,
  // Strategy configurations kept in the database, edited by `tradeflow strategies`: see strategy-configs.ts.
  `
  CREATE TABLE strategy_configurations (
    name           TEXT PRIMARY KEY,
    type           TEXT NOT NULL,
    parameters     TEXT NOT NULL,
    instruments    TEXT NOT NULL,
    active_brokers TEXT NOT NULL,
    enabled        INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
  );
  `,
  // Crash records: the process that owns a run (run-owner.ts), so that a run whose process is gone can be
  // marked interrupted; and the rows a batch held that could not be stored, counted per run, the first
  // ones described (table, row, field, value, why), so the rest of their batch is kept.
  `
  ALTER TABLE runs ADD COLUMN owner_pid INTEGER;
  ALTER TABLE runs ADD COLUMN owner_host TEXT;
  ALTER TABLE runs ADD COLUMN owner_start TEXT;
  ALTER TABLE runs ADD COLUMN skipped_rows INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX runs_status ON runs (status);

  CREATE TABLE skipped_rows (
    seq     INTEGER PRIMARY KEY,
    run_id  TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    tbl     TEXT NOT NULL,
    row     TEXT NOT NULL,
    field   TEXT,
    value   TEXT,
    reason  TEXT NOT NULL
  );
  CREATE INDEX skipped_rows_run ON skipped_rows (run_id);
  `,
  // Live runs that resume (live-state.ts): the bars each live step published, the run's state after its last
  // committed step (cash, positions, id counters, step counters, as JSON), and each order's client order id
  // (`<run_id>-<order id>`, what a venue is told, so a resent order is known as the same one).
  `
  CREATE TABLE live_bars (
    run_id   TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    symbol   TEXT NOT NULL,
    interval TEXT NOT NULL,
    ts       INTEGER NOT NULL,
    open     REAL NOT NULL,
    high     REAL NOT NULL,
    low      REAL NOT NULL,
    close    REAL NOT NULL,
    volume   REAL NOT NULL,
    PRIMARY KEY (run_id, symbol, interval, ts)
  ) WITHOUT ROWID;

  CREATE TABLE live_state (
    run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
    step   INTEGER NOT NULL,
    state  TEXT NOT NULL
  );

  ALTER TABLE orders ADD COLUMN client_order_id TEXT GENERATED ALWAYS AS (run_id || '-' || id) VIRTUAL;
  CREATE UNIQUE INDEX orders_client_id ON orders (run_id, client_order_id);
  `,
  // Orders a strategy manages: its ref, time in force, triggers and trails, partial fills, brackets and OCO
  // pairs, the risk rule of a refusal; and what a stored strategy configuration is validated with.
  `
  ALTER TABLE orders ADD COLUMN ref TEXT;
  ALTER TABLE orders ADD COLUMN time_in_force TEXT NOT NULL DEFAULT 'GTC';
  ALTER TABLE orders ADD COLUMN stop_price REAL;
  ALTER TABLE orders ADD COLUMN trail_amount REAL;
  ALTER TABLE orders ADD COLUMN trail_percent REAL;
  ALTER TABLE orders ADD COLUMN triggered INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE orders ADD COLUMN filled_quantity REAL NOT NULL DEFAULT 0;
  ALTER TABLE orders ADD COLUMN avg_fill_price REAL;
  ALTER TABLE orders ADD COLUMN bracket_stop_loss REAL;
  ALTER TABLE orders ADD COLUMN bracket_take_profit REAL;
  ALTER TABLE orders ADD COLUMN parent_id INTEGER;
  ALTER TABLE orders ADD COLUMN oco_id INTEGER;
  ALTER TABLE orders ADD COLUMN risk_rule TEXT;

  ALTER TABLE strategy_configurations ADD COLUMN validator_type TEXT NOT NULL DEFAULT 'schema';
  `,
  // A stored strategy configuration's own risk limits (JSON of a session entry's \`risk\`; NULL for none).
  `
  ALTER TABLE strategy_configurations ADD COLUMN risk TEXT;
  `,
];

/** The schema version this release writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Returns the schema version of a database, throwing when a newer tradeflow wrote it. */
function versionOf(db: Database.Database, path: string): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw storageError(
      path,
      `schema version ${current} is newer than this tradeflow knows (${SCHEMA_VERSION}); upgrade tradeflow or use another output folder`,
    );
  }
  return current;
}

/** Throws unless the database is at SCHEMA_VERSION (for read-only connections, which cannot migrate). */
export function checkCurrent(db: Database.Database, path: string): void {
  const current = versionOf(db, path);
  if (current < SCHEMA_VERSION) {
    throw storageError(
      path,
      `schema version ${current} is older than ${SCHEMA_VERSION}; open it for writing once to migrate it`,
    );
  }
}

/** Brings the database at `path` to SCHEMA_VERSION, one migration per transaction. */
export function migrate(db: Database.Database, path: string): void {
  const current = versionOf(db, path);
  for (let version = current; version < SCHEMA_VERSION; version++) {
    const sql = MIGRATIONS[version] ?? '';
    db.transaction(() => {
      db.exec(sql);
      // PRAGMA takes no bound parameters; the version is a trusted integer.
      db.pragma(`user_version = ${version + 1}`);
    }).immediate();
  }
}
