// `tradeflow backtest`, `tradeflow replay` and `tradeflow live`: load a session, run it (watched, for replay
// and live), and write its result, report and summary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { SingleBar } from 'cli-progress';
import { type LoadedSession, loadSessionConfig } from '../config/session-config.ts';
import { WallClock } from '../core/clock.ts';
import { newRunId } from '../core/ids.ts';
import { createStderrLogger, type Logger } from '../core/logger.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import { createFeed, type FeedChoice } from '../data/feeds/feed-factory.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { BacktestResult } from '../report/result.ts';
import type { Engine } from '../engine/kernel.ts';
import { writeHtmlReport } from '../report/html-report.ts';
import type { RunStore } from '../storage/store.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { ThreadedSqliteStore } from '../storage/threaded-store.ts';
import { TradeflowError } from '../core/errors.ts';
import { planResume } from '../engine/resume-plan.ts';
import type { ResumePlan } from '../engine/resume-restore.ts';
import type { RunEvents } from '../engine/run-events.ts';
import { withDbStrategies } from './db-strategies.ts';
import { type EventsFile, openEventsFile } from './events-file.ts';
import { onStopSignal } from './stop-signals.ts';
import { startRunMetrics } from './metrics-option.ts';
import { formatMetrics, formatSummary } from './summary.ts';
import { processRunWatch, type RunWatch } from './terminal/run-watch.ts';

/** Options of `tradeflow backtest`. */
export interface BacktestCommandOptions {
  readonly out?: string;
  readonly json?: boolean;
  readonly db?: string | false;
  readonly progress?: boolean;
  readonly quiet?: boolean;
  /** Runs live on this feed instead of stepping through the bar files. */
  readonly feed?: BarFeed;
  /** Runs live on the feed these choose (`--feed`, `--speed`; else the session's `live.feed`). */
  readonly live?: Pick<FeedChoice, 'feed' | 'speed'>;
  /** Serves Prometheus metrics on this port of 127.0.0.1 during the run (0: any free port). */
  readonly metricsPort?: number;
  /** Keeps serving metrics after a completed run until SIGINT. */
  readonly holdMetrics?: boolean;
  /** Appends the database's enabled strategy configurations, as `"db_strategies": true` does. */
  readonly withDbStrategies?: boolean;
  /** Goes on with this live run (with `feed`) from its last committed step. */
  readonly resume?: string;
  /** Replays the bar files clock-driven at this speed (the session's `speed_multiplier`); `tradeflow replay`. */
  readonly speedMultiplier?: number;
  /** Watches the run as it goes: the terminal view, or plain lines when stdout is not a terminal (live, replay). */
  readonly watch?: boolean;
  /** With `watch`: false prints plain lines even on a terminal (`--no-view`). */
  readonly view?: boolean;
  /** Writes the run's events to this file, one JSON line per event (`--events`). */
  readonly events?: string;
}

/** Returns the run database of a session: `--db`, else the session's `output.database`, else out/tradeflow.db. */
function databaseOf(session: LoadedSession, db: string | undefined): string {
  return resolve(db ?? resolve(session.root, session.config.output.database ?? 'out/tradeflow.db'));
}

/** Runs `tradeflow backtest <session.json>`: the result goes to stdout, files to the output folder. */
export async function backtestCommand(file: string, opts: BacktestCommandOptions): Promise<number> {
  const stderrLogger = createStderrLogger(opts.quiet ? 'error' : 'warn');
  // While the terminal view is open it holds the run's messages, and writes them once it closes.
  const watch = opts.watch ? processRunWatch(opts, stderrLogger) : undefined;
  const logger = watch?.logger ?? stderrLogger;
  let session = loadSessionConfig(file, { dbStrategies: opts.withDbStrategies === true });
  if (opts.speedMultiplier !== undefined) {
    session = { ...session, config: { ...session.config, speed_multiplier: opts.speedMultiplier } };
  }
  if (session.config.db_strategies) {
    // Stored strategies come from the run database even with --no-db, which only stops the run's recording.
    session = await withDbStrategies(
      session,
      databaseOf(session, typeof opts.db === 'string' ? opts.db : undefined),
      logger,
    );
  }
  // The feed is chosen (and a replay's bars loaded) before anything listens or is recorded.
  const feed = opts.feed ?? (opts.live ? createFeed(session, { ...opts.live, log: logger }) : undefined);
  if (feed) opts = { ...opts, feed };
  // Listening before the store opens: a taken port fails the command before anything is recorded.
  const metrics = opts.metricsPort === undefined ? undefined : await startRunMetrics(opts.metricsPort);
  let eventsFile: EventsFile | undefined;
  try {
    eventsFile = opts.events === undefined ? undefined : openEventsFile(opts.events);
    const code = await run(session, opts, logger, metrics?.onEngine, watch, eventsFile?.events);
    // Held once the run has let go of its store; a run cut short by Ctrl-C was interrupted already.
    if (metrics && opts.holdMetrics && code === 0) await metrics.hold();
    return code;
  } finally {
    eventsFile?.close();
    await metrics?.close();
  }
}

/** Warns when the store skipped rows of the run it could not store (the engine let a bad value through). */
function warnSkipped(store: RunStore, runId: string, logger: Logger): void {
  let skipped: ReturnType<RunStore['readSkipped']>;
  try {
    skipped = store.readSkipped(runId);
  } catch (e) {
    // The run and its results stand; only this look back failed.
    logger.warn(
      `cannot read the skipped rows of run ${runId}: ${e instanceof Error ? e.message : String(e)}`,
    );
    return;
  }
  const first = skipped?.rows[0];
  if (skipped === undefined || skipped.count === 0 || first === undefined) return;
  logger.warn(
    `the run database skipped ${skipped.count} row(s) of run ${runId} that could not be stored; the rest of the run is stored. ` +
      `First: ${first.table}, ${first.row}: ${first.reason}${first.value === null ? '' : ` (value ${first.value})`}. ` +
      `The table skipped_rows lists the first 100.`,
  );
}

/** Checks `--resume` and reads what the run committed (before anything runs), or undefined without it. */
function resumePlanOf(
  opts: BacktestCommandOptions,
  session: LoadedSession,
  store: RunStore | undefined,
): ResumePlan | undefined {
  if (opts.resume === undefined) return undefined;
  if (!opts.feed)
    throw new TradeflowError(
      'TF_ERR_RESUME',
      '--resume goes on with a live run; use it with `tradeflow live`',
    );
  if (!store) {
    throw new TradeflowError('TF_ERR_RESUME', '--resume reads the run from the run database; drop --no-db');
  }
  return planResume(store, opts.resume, session.config);
}

/** Exit code 3: a live run whose feed gave up (interrupted); its `error:` line names the feed's URL. */
export const EXIT_INTERRUPTED = 3;

/** Returns the exit code of a finished run, saying on stderr why one was interrupted. */
function exitCodeOf(result: BacktestResult, logger: Logger): number {
  switch (result.status) {
    case 'completed':
      return 0;
    case 'cancelled':
      return 130;
    case 'interrupted':
      logger.error(
        `${result.error ?? 'the live feed gave up'}; the run is interrupted, its results so far kept`,
      );
      return EXIT_INTERRUPTED;
  }
}

async function run(
  session: LoadedSession,
  opts: BacktestCommandOptions,
  logger: Logger,
  onEngine: ((engine: Engine) => void) | undefined,
  watch: RunWatch | undefined,
  events: RunEvents | undefined,
): Promise<number> {
  const wall = new WallClock();
  const outDir = opts.out
    ? resolve(opts.out)
    : resolve(session.root, session.config.output.dir ?? `out/${session.name}`);
  const dbPath = opts.db === false ? undefined : databaseOf(session, opts.db);
  // A backtest's writes run in a worker thread (the run resolves once they are all stored); a live run commits
  // each step on its own thread, where a commit costs a fraction of the round trip to a worker (docs/live.md).
  const store = dbPath ? (opts.feed ? new SqliteStore(dbPath) : new ThreadedSqliteStore(dbPath)) : undefined;
  let resume: ResumePlan | undefined;
  try {
    resume = resumePlanOf(opts, session, store);
  } catch (e) {
    store?.close();
    throw e;
  }
  const runId = opts.resume ?? newRunId(session.name, wall.now());
  if (opts.feed && store && !opts.quiet) {
    process.stderr.write(
      `${resume ? 'resuming' : 'live'} run ${runId}; if it stops, go on with --resume ${runId}\n`,
    );
  }
  // Ctrl-C, SIGTERM and SIGHUP all stop the run the same way: it ends `cancelled`, its results written.
  const abort = new AbortController();
  const removeStopHandlers = onStopSignal((signal) => {
    logger.warn(`${signal}: stopping the run; its results so far are kept (a second ${signal} ends at once)`);
    abort.abort();
  });
  const showBar = watch?.style !== 'view' && (opts.progress ?? (process.stderr.isTTY && !opts.quiet));
  const bar = showBar
    ? new SingleBar({
        format: 'backtest [{bar}] {percentage}% {value}/{total} bars',
        stream: process.stderr,
        hideCursor: true,
      })
    : undefined;
  let barStarted = false;
  try {
    const { result, facts } = await runBacktestWithResult({
      session,
      runId,
      ...(resume ? { resume } : {}),
      startedAt: wall.now(),
      endedAt: () => wall.now(),
      logger,
      abort: abort.signal,
      ...(opts.feed ? { feed: opts.feed } : {}),
      ...(store ? { store } : {}),
      ...(events ? { events } : {}),
      ...(onEngine || watch
        ? {
            onEngine: (engine: Engine) => {
              onEngine?.(engine);
              watch?.attach(engine, {
                name: session.name,
                abort: abort.signal,
                // `q` (or Ctrl-C read as a key) stops the run as the signal does; a signal after it ends at once.
                onQuit: (why) => {
                  removeStopHandlers();
                  logger.warn(
                    `${why}: stopping the run; its results so far are kept (Ctrl-C now ends at once)`,
                  );
                  abort.abort();
                },
              });
            },
          }
        : {}),
      onProgress: (done, total) => {
        if (!bar || total < 200_000) return; // short runs finish before a bar would help
        if (!barStarted) {
          bar.start(total, done);
          barStarted = true;
        }
        bar.update(done);
      },
    });
    if (barStarted) bar?.stop();
    watch?.close();
    if (store) warnSkipped(store, result.run_id, logger);
    mkdirSync(outDir, { recursive: true });
    const resultPath = resolve(outDir, 'result.json');
    writeFileSync(resultPath, JSON.stringify(result, null, 2) + '\n');
    let reportPath: string | undefined;
    if (session.config.output.report) {
      reportPath = resolve(outDir, 'report.html');
      writeHtmlReport(reportPath, {
        runId: result.run_id,
        name: session.name,
        stats: facts.stats,
        equity: facts.equity,
        trades: facts.primary.trades,
        openPositions: facts.primary.openPositions,
        generatedAt: wall.now(),
      });
    }
    if (opts.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
    } else {
      const show = (p: string) => (isAbsolute(p) ? relative(process.cwd(), p) || p : p);
      process.stdout.write(
        formatSummary(result, [
          ['result', show(resultPath)],
          ...(reportPath ? ([['report', show(reportPath)]] as const) : []),
          ...(dbPath ? ([['database', show(dbPath)]] as const) : []),
        ]) +
          '\n\n' +
          formatMetrics(result, facts.metrics) +
          '\n',
      );
    }
    return exitCodeOf(result, logger);
  } finally {
    if (barStarted) bar?.stop();
    watch?.close();
    removeStopHandlers();
    store?.close();
  }
}
