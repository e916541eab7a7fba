// One API run inside its own worker thread: a backtest (checks the request's strategies, importing their
// modules, then runs the engine, writes the run's events to the run database, and posts progress, log lines
// and the result), a screen (posts each ticker's record and waits until the server has stored it), or a
// live or replay session (answers snapshot and control requests while it runs).
import { getHeapStatistics } from 'node:v8';
import { parentPort } from 'node:worker_threads';
import { WallClock } from '../core/clock.ts';
import { isTradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import { screenerFrom } from '../screener/registry.ts';
import { type TickerSource, tickerSourceFrom } from '../screener/ticker-source.ts';
import { runApiBacktest } from './backtest-runner.ts';
import { strategyProblems } from './backtest-request.ts';
import type { HeapFigures, RunControlMessage, RunJob, RunWorkerMessage, SessionJob } from './run-protocol.ts';
import { runScreen, type ScreenJob, type TickerRecord } from './screen-runner.ts';
import type { SessionRunner } from './session-runner.ts';

const port = parentPort;
if (port === null) throw new Error('run-worker.ts runs only as a worker thread (see run-thread.ts)');
const post = (m: RunWorkerMessage) => port.postMessage(m);

let peakBytes = 0;
/** Reads this thread's heap (each worker has its own V8 heap) and keeps its peak. */
function heap(): HeapFigures {
  const usedBytes = getHeapStatistics().used_heap_size;
  if (usedBytes > peakBytes) peakBytes = usedBytes;
  return { usedBytes, peakBytes };
}

const logger: Logger = {
  debug: (msg, fields) => post({ type: 'log', level: 'debug', msg, ...(fields ? { fields } : {}) }),
  info: (msg, fields) => post({ type: 'log', level: 'info', msg, ...(fields ? { fields } : {}) }),
  warn: (msg, fields) => post({ type: 'log', level: 'warn', msg, ...(fields ? { fields } : {}) }),
  error: (msg, fields) => post({ type: 'log', level: 'error', msg, ...(fields ? { fields } : {}) }),
};

const describe = (e: unknown) =>
  isTradeflowError(e) ? `${e.code}: ${e.message}` : e instanceof Error ? e.message : String(e);

// The engine yields to this thread's event loop at each progress check, so a stop request is seen there;
// a strategy that never yields is ended by the server terminating this thread.
let abort = new AbortController();
const wall = new WallClock();

/** Runs one backtest (one at a time: the server sends the next only after this one's end). */
async function run(job: RunJob): Promise<void> {
  abort = new AbortController();
  peakBytes = 0;
  try {
    const result = await runApiBacktest(
      job,
      {
        logger,
        now: () => (job.wallTime ? wall.now() : job.startedAt),
        onProgress: (done, total) => post({ type: 'progress', done, total, heap: heap() }),
      },
      abort.signal,
    );
    // Structured cloning costs less than JSON text parsed again on the other side; a value that cannot be
    // cloned goes as its JSON form, which is what the run database keeps anyway.
    try {
      post({ type: 'done', result, heap: heap() });
    } catch {
      post({ type: 'done', result: JSON.parse(JSON.stringify(result)) as unknown, heap: heap() });
    }
  } catch (e) {
    post({ type: 'failed', error: describe(e), heap: heap() });
  }
}

/** The session running in this thread, if one is. */
let session: SessionRunner | undefined;

/** Runs one live or replay session to its end. */
async function runSession(job: SessionJob): Promise<void> {
  abort = new AbortController();
  peakBytes = 0;
  try {
    // Loaded on a session's first use only: a thread that runs backtests and screens starts without it.
    const { SessionRunner } = await import('./session-runner.ts');
    const runner = new SessionRunner(job);
    session = runner;
    const outcome = await runner.run(
      {
        logger,
        now: () => (job.wallTime ? wall.now() : job.startedAt),
        onProgress: (done, total) => post({ type: 'progress', done, total, heap: heap() }),
      },
      abort.signal,
    );
    post({ type: 'done', result: JSON.parse(JSON.stringify(outcome)) as unknown, heap: heap() });
  } catch (e) {
    post({ type: 'failed', error: describe(e), heap: heap() });
  } finally {
    session = undefined;
  }
}

/** The last screen's ticker source and its spec, kept while the thread is: its files are read once. */
let lastSource: { readonly key: string; readonly source: TickerSource } | undefined;

async function sourceOf(job: ScreenJob): Promise<TickerSource> {
  const key = JSON.stringify(job.source);
  if (lastSource?.key !== key) lastSource = { key, source: await tickerSourceFrom(job.source) };
  return lastSource.source;
}

/** Resolves once the server says the ticker posted last is recorded. */
let recorded: (() => void) | undefined;

/** Runs one screen, each ticker recorded by the server before the next one starts. */
async function screen(job: ScreenJob): Promise<void> {
  abort = new AbortController();
  peakBytes = 0;
  try {
    const signal = abort.signal;
    const ended = await runScreen(job, {
      screener: await screenerFrom(job.screener),
      source: await sourceOf(job),
      stopped: () => signal.aborted,
      record: (record: TickerRecord) =>
        new Promise<void>((resolve) => {
          recorded = resolve;
          post({ type: 'ticker', record, heap: heap() });
        }),
    });
    post({ type: 'done', result: ended, heap: heap() });
  } catch (e) {
    post({ type: 'failed', error: describe(e), heap: heap() });
  }
}

port.on('message', (m: RunControlMessage) => {
  switch (m.type) {
    case 'check':
      strategyProblems(m.config, m.root).then(
        (problems) => post({ type: 'checked', problems }),
        (e: unknown) =>
          post({
            type: 'checked',
            problems: [
              { path: 'config.strategies', message: `the strategies could not be checked: ${describe(e)}` },
            ],
          }),
      );
      break;
    case 'run':
      void run(m.job);
      break;
    case 'screen':
      void screen(m.job);
      break;
    case 'session':
      void runSession(m.job);
      break;
    case 'session-request':
      post({
        type: 'session-reply',
        id: m.id,
        reply: session?.answer(m.action) ?? {
          ok: false,
          why: 'starting',
          message: 'no session runs here now',
        },
      });
      break;
    case 'recorded': {
      const resolve = recorded;
      recorded = undefined;
      resolve?.();
      break;
    }
    case 'stop':
      abort.abort(m.reason ?? 'cancel');
      break;
  }
});
