// Adds the enabled strategy configurations of a run database to a session (`"db_strategies": true`).
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import type { LoadedSession } from '../config/session-config.ts';
import { WallClock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { StrategyConfigRepository } from '../storage/strategy-configs.ts';
import { appendStoredStrategies } from './stored-strategies.ts';

/** Shows a path relative to the current directory when it is inside it. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel === '' || rel.startsWith('..') ? path : rel;
}

/**
 * Returns the session with the enabled strategy configurations of the database at `dbPath` appended to its
 * strategies (`"db_strategies": true` or `--with-db-strategies`). A database that does not exist is an
 * error, since the session asked for its strategies; one without enabled configurations is a warning.
 */
export async function withDbStrategies(
  session: LoadedSession,
  dbPath: string,
  log: Logger,
): Promise<LoadedSession> {
  if (!existsSync(dbPath)) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `${session.file}: db_strategies: the database ${show(dbPath)} does not exist; store strategies in it with \`tradeflow strategies add <name> ... --db ${show(dbPath)}\`, or name another with --db`,
    );
  }
  const repository = new StrategyConfigRepository({ path: dbPath, clock: new WallClock() });
  let stored;
  try {
    stored = repository.list({ enabledOnly: true });
  } finally {
    repository.close();
  }
  if (stored.length === 0) {
    log.warn(
      `db_strategies: ${show(dbPath)} holds no enabled strategy configuration; running the file's only`,
    );
  }
  return appendStoredStrategies(session, stored, show(dbPath), (text) => log.warn(text));
}
