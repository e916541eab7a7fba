// Benchmark of the SQLite write path: a run's batches written again, rows per second.
import { join } from 'node:path';
import type { LoadedSession } from '../src/config/session-config.ts';
import { runBacktest } from '../src/engine/backtest.ts';
import { MemoryStore } from '../src/storage/memory-store.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import type { RunBatch } from '../src/storage/store.ts';
import { type Figure, median } from './harness.ts';

/** A memory store that also keeps every batch it is handed, to replay them into another store. */
class BatchCapture extends MemoryStore {
  readonly batches: RunBatch[] = [];

  override writeBatch(runId: string, batch: RunBatch): void {
    super.writeBatch(runId, batch);
    this.batches.push(batch);
  }
}

const rowsOf = (b: RunBatch) =>
  b.orders.length + b.fills.length + b.trades.length + b.signals.length + b.equity.length;

/**
 * The SQLite write path alone: the batches of one run of the session (as the recorder cuts them), written
 * again with SqliteStore.writeBatch on the calling thread into a fresh file, one transaction per batch.
 */
export async function storeBench(options: {
  session: LoadedSession;
  dir: string;
  runs: number;
}): Promise<Figure[]> {
  const capture = new BatchCapture();
  await runBacktest({ session: options.session, runId: 'capture', startedAt: 0, store: capture });
  const { batches } = capture;
  const rows = batches.reduce((n, b) => n + rowsOf(b), 0);
  const rates: number[] = [];
  for (let run = 0; run < options.runs; run++) {
    const store = new SqliteStore(join(options.dir, `store-${run}.db`));
    try {
      store.startRun({ id: 'replay', name: 'store bench', kind: 'backtest', config: {}, startedAt: 0 });
      const t0 = performance.now();
      for (const batch of batches) store.writeBatch('replay', batch);
      rates.push(rows / ((performance.now() - t0) / 1000));
    } finally {
      store.close();
    }
  }
  const label = `SQLite write path alone: ${rows.toLocaleString('en-US')} rows in ${batches.length} batches (SqliteStore.writeBatch)`;
  return [{ key: 'store_rows_per_s', label, value: median(rates), unit: 'rows/s', better: 'higher' }];
}
