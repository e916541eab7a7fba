// Imports a backtest request's strategy modules and checks their configs inside a worker thread, so that a
// module's top-level code (a loop, process.exit) never runs on the server's thread.
import { parentPort, workerData } from 'node:worker_threads';
import type { SessionConfig } from '../config/session-config.ts';
import { strategyProblems } from './backtest-request.ts';

const port = parentPort;
if (port === null) throw new Error('strategy-check-worker.ts runs only as a worker thread');
const job = workerData as { readonly config: SessionConfig; readonly root: string };
try {
  port.postMessage({ type: 'problems', problems: await strategyProblems(job.config, job.root) });
} catch (e) {
  port.postMessage({ type: 'error', message: e instanceof Error ? e.message : String(e) });
}
