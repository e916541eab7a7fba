// Opens the run database: a writer creates and migrates it in WAL mode, a reader opens it read-only.
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { WallClock } from '../core/clock.ts';
import { isTradeflowError } from '../core/errors.ts';
import { markOrphanedRuns } from './orphan-runs.ts';
import { checkCurrent, migrate } from './schema.ts';
import { storageError } from './store-rules.ts';

/**
 * Opens the run database at `path` (or ':memory:'). A writer creates the file and its folders, sets WAL mode
 * and migrates the schema, then marks the runs whose owning process is gone as interrupted (orphan-runs.ts);
 * a reader opens an existing file read-only and checks that its schema is current. `where` names the store
 * in errors.
 */
export function openDatabase(
  path: string,
  where: string,
  mode: 'write' | 'read' = 'write',
): Database.Database {
  let db: Database.Database | undefined;
  try {
    if (mode === 'read') {
      db = new Database(path, { readonly: true, fileMustExist: true });
      db.pragma('busy_timeout = 5000');
      checkCurrent(db, where);
      return db;
    }
    if (path !== ':memory:' && path !== '') mkdirSync(dirname(resolve(path)), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode may lose the last commits on power loss, never consistency: batches stay whole.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, where);
    markOrphanedRuns(db, new WallClock().now());
    return db;
  } catch (e) {
    db?.close();
    if (isTradeflowError(e)) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw storageError(
      where,
      `cannot open the database (${why}); check that its folder is writable, that the file is a tradeflow database, and that no other process holds it`,
      e,
    );
  }
}
