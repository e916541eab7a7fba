// Starts the writer thread of ThreadedSqliteStore without a build step: register tsx's loader, then import
// the TypeScript worker. A failure to start is reported on the failures port and in shared memory, since
// the caller may be waiting synchronously and cannot see the worker's 'error' event.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

try {
  register();
  await import('./writer-worker.ts');
} catch (e) {
  const state = new Int32Array(workerData.shared);
  const why = e instanceof Error ? e.message : String(e);
  workerData.failures.postMessage({
    epoch: 0,
    message: `run store ${workerData.path}: the writer thread did not start: ${why}`,
    fatal: true,
  });
  Atomics.store(state, 1, 1); // STATE_SLOT = STOPPED
  Atomics.notify(state, 0);
}
