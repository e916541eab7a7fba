// A SQLite run store whose writes run in a worker thread, off the engine's thread.
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { TradeflowError } from '../core/errors.ts';
import { batchBuffers, flattenBatch } from './flat-batch.ts';
import { openDatabase } from './sqlite-open.ts';
import { readLiveTables } from './sqlite-live.ts';
import { SqliteReader } from './sqlite-reader.ts';
import type {
  ListRunsOptions,
  LiveStep,
  RunBatch,
  RunEnd,
  RunStart,
  RunStore,
  RunSummary,
  SkippedRows,
  StoredLive,
  StoredRun,
} from './store.ts';
import { batchError, pageOf, storageError } from './store-rules.ts';
import {
  DONE_SLOT,
  OPENED_SEQ,
  RUNNING,
  STATE_SLOT,
  STOPPED,
  type WriterData,
  type WriterFailure,
  type WriterRequest,
} from './writer-protocol.ts';

const BOOTSTRAP = new URL('./writer-worker.mjs', import.meta.url);

/** A request before it is numbered: each member of the union without `seq` and `epoch`. */
type Unnumbered<T> = T extends unknown ? Omit<T, 'seq' | 'epoch'> : never;

/**
 * A SQLite store whose writes run in a worker thread, off the engine's thread: `startRun`, `writeBatch`
 * and `endRun` check and encode their input, post it (a batch's columns are transferred), and return. The worker applies them in order with
 * a SqliteStore on the same file, so each batch keeps its guarantees (one transaction, all or nothing).
 *
 * A write that fails in the worker is reported by the next call or `flush`, whichever comes first; the
 * writes made after it and before that report are dropped, so that a run never has a gap in the middle.
 * Reads wait until the worker has handled every write made before them, then read through a read-only
 * connection of their own (WAL lets it read while the worker writes). Needs a file, not ':memory:'.
 */
export class ThreadedSqliteStore implements RunStore {
  /** The database file. */
  readonly path: string;
  readonly #where: string;
  readonly #worker: Worker;
  readonly #state: Int32Array;
  readonly #failures: MessagePort;
  /** The seq of the last request posted; the worker opening the file counts as the first. */
  #seq = OPENED_SEQ;
  #epoch = 0;
  #closed = false;
  #fatal: TradeflowError | undefined;
  #read: { readonly db: Database.Database; readonly reader: SqliteReader } | undefined;

  constructor(path: string) {
    this.path = path;
    this.#where = `run store ${path}`;
    if (path === ':memory:' || path === '') {
      throw storageError(this.#where, 'the threaded store needs a database file; use SqliteStore in memory');
    }
    const shared = new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT);
    this.#state = new Int32Array(shared);
    const { port1, port2 } = new MessageChannel();
    this.#failures = port1;
    // Read with receiveMessageOnPort only: it needs no listener and must not keep the process alive.
    port1.unref();
    const workerData: WriterData = { path, shared, failures: port2 };
    // No inherited execArgv: the bootstrap registers the TypeScript loader itself, once.
    this.#worker = new Worker(BOOTSTRAP, { workerData, transferList: [port2], execArgv: [] });
    this.#worker.on('error', (e) => this.#stopped(`the writer thread failed: ${e.message}`));
    this.#worker.on('exit', (code) => this.#stopped(`the writer thread exited with code ${code}`));
  }

  startRun(run: RunStart): void {
    this.#post(`cannot start run "${run.id}"`, () => ({ kind: 'start', run }));
  }

  writeBatch(runId: string, batch: RunBatch): void {
    this.#post(`cannot write a batch for run "${runId}"`, () => {
      try {
        return { kind: 'batch', runId, flat: flattenBatch(batch) };
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  endRun(runId: string, end: RunEnd): void {
    this.#post(`cannot end run "${runId}"`, () => ({ kind: 'end', runId, end }));
  }

  writeStep(runId: string, step: LiveStep): void {
    this.#post(`cannot write a step for run "${runId}"`, () => {
      try {
        return { kind: 'step', runId, flat: flattenBatch(step), bars: step.bars, state: step.state };
      } catch (e) {
        throw batchError(this.#where, runId, e);
      }
    });
  }

  reopenRun(runId: string): void {
    this.#post(`cannot reopen run "${runId}"`, () => ({ kind: 'reopen', runId }));
  }

  readLive(runId: string): StoredLive | undefined {
    return this.#reading(`cannot read run "${runId}"`, (_reader, db) =>
      db.prepare('SELECT 1 FROM runs WHERE id = ?').get(runId) === undefined
        ? undefined
        : readLiveTables(db, runId),
    );
  }

  readRun(runId: string): StoredRun | undefined {
    return this.#reading(`cannot read run "${runId}"`, (reader) => reader.readRun(runId));
  }

  readSkipped(runId: string): SkippedRows | undefined {
    return this.#reading(`cannot read run "${runId}"`, (reader) => reader.readSkipped(runId));
  }

  listRuns(options?: ListRunsOptions): RunSummary[] {
    return this.#reading('cannot list runs', (reader) => {
      const { limit, offset } = pageOf(this.#where, options);
      return reader.listRuns(limit, offset);
    });
  }

  /** Resolves when the worker has handled every write made so far; rejects with the first failure not yet reported. */
  async flush(): Promise<void> {
    this.#checkOpen('cannot flush');
    const target = this.#seq;
    for (;;) {
      const done = Atomics.load(this.#state, DONE_SLOT);
      if (done >= target || Atomics.load(this.#state, STATE_SLOT) !== RUNNING) break;
      const wait = Atomics.waitAsync(this.#state, DONE_SLOT, done);
      if (wait.async) await wait.value;
    }
    this.#throwReported(target);
  }

  /**
   * Refuses every later call. The worker still applies the writes made before, then closes the file and
   * ends (the process does not exit before); await `flush` first to learn whether they failed.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#read?.db.close();
    this.#read = undefined;
    this.#worker.postMessage({ kind: 'close', seq: ++this.#seq, epoch: this.#epoch } satisfies WriterRequest);
    this.#failures.close();
  }

  /** Throws a failure the worker has reported, or posts the request `make` returns. */
  #post(doing: string, make: () => Unnumbered<WriterRequest>): void {
    this.#checkOpen(doing);
    this.#throwReported();
    const request = { ...make(), seq: this.#seq + 1, epoch: this.#epoch } as WriterRequest;
    try {
      // A batch's columns move to the worker rather than being copied.
      this.#worker.postMessage(
        request,
        request.kind === 'batch' || request.kind === 'step' ? batchBuffers(request.flat) : [],
      );
    } catch (e) {
      // Only what cannot be copied to the worker ends here (a run config holding a function, say).
      throw storageError(this.#where, `${doing}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
    this.#seq = request.seq;
  }

  #reading<T>(doing: string, read: (reader: SqliteReader, db: Database.Database) => T): T {
    this.#checkOpen(doing);
    this.#waitForWorker();
    this.#throwReported(this.#seq);
    try {
      this.#read ??= (() => {
        const db = openDatabase(this.path, this.#where, 'read');
        return { db, reader: new SqliteReader(db) };
      })();
      return read(this.#read.reader, this.#read.db);
    } catch (e) {
      if (e instanceof TradeflowError && e.message.startsWith(`${this.#where}:`)) throw e;
      throw storageError(this.#where, `${doing}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }

  /** Blocks until the worker has handled every request posted (or has stopped). */
  #waitForWorker(): void {
    for (;;) {
      const done = Atomics.load(this.#state, DONE_SLOT);
      if (done >= this.#seq || Atomics.load(this.#state, STATE_SLOT) !== RUNNING) return;
      Atomics.wait(this.#state, DONE_SLOT, done);
    }
  }

  /**
   * Throws the failure the worker reported, if any, and moves to the next epoch. With `waitedFor`, the
   * worker was awaited up to that request: if it stopped before, that is a failure too.
   */
  #throwReported(waitedFor?: number): void {
    // The port first: what the worker said is more telling than that it stopped.
    const received = receiveMessageOnPort(this.#failures);
    if (received !== undefined) {
      const failure = received.message as WriterFailure;
      const error = new TradeflowError(
        'TF_ERR_STORAGE',
        failure.fatal
          ? failure.message
          : `${failure.message} (written in the background; the writes made after it and before this report were dropped)`,
      );
      if (failure.fatal) this.#fatal = error;
      else this.#epoch = failure.epoch + 1;
      throw error;
    }
    if (this.#fatal) throw this.#fatal;
    const stopped = Atomics.load(this.#state, STATE_SLOT) !== RUNNING;
    if (stopped && waitedFor !== undefined && Atomics.load(this.#state, DONE_SLOT) < waitedFor) {
      this.#fatal ??= storageError(this.#where, 'the writer thread stopped before it stored every write');
      throw this.#fatal;
    }
  }

  #checkOpen(doing: string): void {
    if (this.#closed) throw storageError(this.#where, `${doing}: the store is closed`);
  }

  /** Notes that the worker is gone, waking anyone who waits for it. */
  #stopped(why: string): void {
    if (!this.#closed) this.#fatal ??= storageError(this.#where, why);
    Atomics.store(this.#state, STATE_SLOT, STOPPED);
    Atomics.notify(this.#state, DONE_SLOT);
  }
}
