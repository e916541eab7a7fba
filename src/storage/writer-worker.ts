// The writer thread of ThreadedSqliteStore: applies requests in order to a SqliteStore on the same file,
// so that a batch keeps every guarantee of SqliteStore (one transaction, fill -> order, all or nothing).
// Started by writer-worker.mjs, which registers the TypeScript loader first.
import { parentPort, workerData } from 'node:worker_threads';
import { assertNever, isTradeflowError } from '../core/errors.ts';
import { SqliteStore } from './sqlite-store.ts';
import {
  DONE_SLOT,
  OPENED_SEQ,
  STATE_SLOT,
  STOPPED,
  type WriterData,
  type WriterFailure,
  type WriterRequest,
} from './writer-protocol.ts';

const { path, shared, failures } = workerData as WriterData;
const state = new Int32Array(shared);
const port = parentPort;
if (port === null) throw new Error('writer-worker.ts runs only as a worker thread');

let store: SqliteStore | undefined;
try {
  store = new SqliteStore(path);
} catch (e) {
  // The store cannot work at all: every later call of the caller reports this, and requests are skipped.
  failures.postMessage({ epoch: 0, message: messageOf(e), fatal: true } satisfies WriterFailure);
}
done(OPENED_SEQ);
let failedEpoch = -1;

function messageOf(e: unknown): string {
  return isTradeflowError(e) ? e.message : `run store ${path}: ${e instanceof Error ? e.message : String(e)}`;
}

/** Marks requests up to `seq` handled; a failure of theirs is queued on its port before anyone sees this. */
function done(seq: number): void {
  Atomics.store(state, DONE_SLOT, seq);
  Atomics.notify(state, DONE_SLOT);
}

function apply(store: SqliteStore, request: Exclude<WriterRequest, { kind: 'close' }>): void {
  switch (request.kind) {
    case 'start':
      return store.startRun(request.run);
    case 'batch':
      return store.writeFlatBatch(request.runId, request.flat);
    case 'step':
      return store.writeFlatStep(request.runId, request.flat, request.bars, request.state);
    case 'reopen':
      return store.reopenRun(request.runId);
    case 'end':
      return store.endRun(request.runId, request.end);
    default:
      return assertNever(request, 'writer request');
  }
}

port.on('message', (request: WriterRequest) => {
  if (request.kind === 'close') {
    store?.close();
    Atomics.store(state, STATE_SLOT, STOPPED);
    failures.close();
    port.close();
  } else if (store !== undefined && request.epoch > failedEpoch) {
    try {
      apply(store, request);
    } catch (e) {
      failedEpoch = request.epoch;
      failures.postMessage({
        epoch: request.epoch,
        message: messageOf(e),
        fatal: false,
      } satisfies WriterFailure);
    }
  }
  done(request.seq);
});
