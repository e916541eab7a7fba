// Starts a strategy's worker thread within its limits: the module import and `setup` each bounded in time,
// the thread's heap bounded, and how the thread ends reported to its runner.
import { Worker } from 'node:worker_threads';
import { delay } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import type { SetupOutcome } from './hooks.ts';
import type { StrategyWorkerData, WorkerMessage } from './protocol.ts';

const BOOTSTRAP = new URL('./strategy-worker.mjs', import.meta.url);
/**
 * Time a thread gets beyond `setup_timeout_ms` to say it is ready: the thread bounds its own setup and
 * refuses with a clear reason; this is for a thread that cannot (stuck importing its module, say).
 */
export const READY_GRACE_MS = 1000;
/** Time a thread's start may take before setup at least (loading the runtime and importing the module). */
const IMPORT_MIN_MS = 10_000;

/** A thread strategy's limits, from its entry. */
export interface ThreadLimits {
  /** `setup_timeout_ms`: module import, model load and `setup`. */
  readonly setupMs: number;
  /** `teardown_timeout_ms`: finishing its queue and `teardown`. */
  readonly teardownMs: number;
  /** `max_heap_mb`: the thread's V8 heap (`resourceLimits.maxOldGenerationSizeMb`). */
  readonly maxHeapMb: number;
  /** `max_offheap_mb`: off-heap growth since setup, checked between steps. */
  readonly maxOffheapMb: number;
}

/** What the runner hears from its thread once it runs. */
export interface ThreadEvents {
  readonly log: Logger;
  /** The thread said it stopped; `late` says why it gave its teardown up, when it did. */
  onStopped(late: string | undefined): void;
  /** The thread crashed (an uncaught error, or its heap full). */
  onCrash(why: string): void;
  /** The thread exited; `refused` when its setup refused (it then ends on its own). */
  onExit(code: number, refused: boolean): void;
}

/**
 * Starts the thread of a strategy (`index` in the session) and returns it with how its start went: ready
 * (perhaps degraded), refused by its setup, or refused here when its import or setup passed its limit (the
 * thread is then terminated) or when it crashed or exited first.
 */
export function spawnThread(
  data: StrategyWorkerData,
  limits: ThreadLimits,
  index: number,
  events: ThreadEvents,
): { readonly worker: Worker; readonly started: Promise<SetupOutcome> } {
  const worker = new Worker(BOOTSTRAP, {
    workerData: data,
    transferList: [data.control, data.events],
    execArgv: [],
    resourceLimits: { maxOldGenerationSizeMb: limits.maxHeapMb },
  });
  const started = new Promise<SetupOutcome>((resolve) => {
    let ready = false;
    let refused = false;
    // The import gets its own allowance (`setup_timeout_ms`, at least 10 s), and setup then has its limit
    // (the thread bounds setup itself and refuses with a clear reason: this is for a thread that cannot).
    const refuse = (reason: string) => {
      if (ready) return;
      ready = refused = true;
      resolve({ ok: false, reason });
      void worker.terminate();
    };
    const importMs = Math.max(limits.setupMs, IMPORT_MIN_MS);
    let late = delay(importMs);
    void late.promise.then(() =>
      refuse(
        `its module was not loaded within ${importMs} ms (setup_timeout_ms, at least ${IMPORT_MIN_MS}); terminated`,
      ),
    );
    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'loaded': {
          late.cancel();
          late = delay(limits.setupMs + READY_GRACE_MS);
          const setupMs = limits.setupMs;
          void late.promise.then(() =>
            refuse(`its setup did not finish within ${setupMs} ms (setup_timeout_ms); terminated`),
          );
          break;
        }
        case 'ready':
          if (ready) break;
          late.cancel();
          ready = true;
          refused = !m.ok;
          resolve(
            !m.ok
              ? { ok: false, reason: m.reason ?? 'setup failed' }
              : m.degraded === undefined
                ? { ok: true }
                : { ok: true, degraded: m.degraded },
          );
          break;
        case 'log':
          events.log[m.level](m.msg, m.fields);
          break;
        case 'stopped':
          events.onStopped(m.late);
          break;
      }
    });
    worker.on('error', (e) => {
      const why = crashReason(e, limits, index);
      if (!ready) resolve({ ok: false, reason: `the strategy thread failed to start: ${why}` });
      events.onCrash(why);
    });
    worker.on('exit', (code) => {
      late.cancel();
      if (!ready) {
        resolve({ ok: false, reason: `the strategy thread exited with code ${code} before setup finished` });
      }
      events.onExit(code, refused);
    });
  });
  return { worker, started };
}

/** Says why a thread crashed; running out of its heap names the limit and the key that raises it. */
function crashReason(e: Error, limits: ThreadLimits, index: number): string {
  if ((e as { code?: unknown }).code !== 'ERR_WORKER_OUT_OF_MEMORY') return e.message;
  return `its heap reached its limit of ${limits.maxHeapMb} MB (max_heap_mb); raise strategies[${index}].max_heap_mb if it needs more`;
}
