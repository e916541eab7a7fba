// Checks a backtest request's strategies in a short-lived worker thread, within a time limit: importing a
// module runs its top-level code, which must not run on the server's thread.
import { Worker } from 'node:worker_threads';
import type { SessionConfig } from '../config/session-config.ts';
import { delay } from '../core/clock.ts';
import type { FieldProblem } from './errors.ts';

const BOOTSTRAP = new URL('./strategy-check-worker.mjs', import.meta.url);

type CheckMessage =
  | { readonly type: 'problems'; readonly problems: FieldProblem[] }
  | { readonly type: 'error'; readonly message: string };

/** How to check: the time limit, in ms, and the thread's heap limit, in MiB. */
export interface StrategyCheckLimits {
  readonly timeoutMs: number;
  readonly heapMb: number;
}

/**
 * Imports each enabled strategy's module and checks its config against the module's schema in a worker
 * thread; returns the problems found. A module that does not load within `timeoutMs`, or that ends its
 * thread (process.exit, out of heap) while loading, is a problem of the request, never the server's.
 */
export function checkStrategiesInThread(
  config: SessionConfig,
  root: string,
  limits: StrategyCheckLimits,
): Promise<FieldProblem[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BOOTSTRAP, {
      workerData: { config, root },
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: limits.heapMb },
    });
    const timer = delay(limits.timeoutMs);
    let settled = false;
    const finish = (problems: FieldProblem[] | Error) => {
      if (settled) return;
      settled = true;
      timer.cancel();
      void worker.terminate();
      if (problems instanceof Error) reject(problems);
      else resolve(problems);
    };
    const refused = (why: string): FieldProblem[] => [{ path: 'config.strategies', message: why }];
    void timer.promise.then(() =>
      finish(
        refused(
          `the strategy modules did not load within ${limits.timeoutMs} ms (does a module run a long loop at import?); nothing ran`,
        ),
      ),
    );
    worker.on('message', (m: CheckMessage) =>
      finish(m.type === 'problems' ? m.problems : new Error(`checking the strategies failed: ${m.message}`)),
    );
    worker.on('error', (e) =>
      finish(refused(`loading the strategy modules crashed their thread: ${e.message}`)),
    );
    worker.on('exit', (code) =>
      finish(
        refused(
          `loading the strategy modules ended their thread with code ${code} (does a module call process.exit at import?); nothing ran`,
        ),
      ),
    );
  });
}
