// `tradeflow serve`: builds the HTTP API, listens, and on SIGINT or SIGTERM closes it within a bound,
// marking runs in progress interrupted.
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { buildApp } from '../api/app.ts';
import { delay, WallClock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import { createStderrLogger } from '../core/logger.ts';
import { bundledTickerSource, SyntheticTickerSource } from '../screener/ticker-source.ts';
import { parsePort } from './metrics-option.ts';

/** Options of `tradeflow serve`. */
export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly maxRuns: number;
  readonly syntheticTickers: number;
  readonly maxStrategies: number;
  readonly maxDataSources: number;
  readonly runHeapMb: number;
  readonly stopGraceMs: number;
  /** Where strategies/ and data/ for backtests are (default: this checkout). */
  readonly projectRoot?: string;
}

/** How long closing may take beyond the runs' stop grace (open requests, the database) before serve exits. */
const CLOSE_MARGIN_MS = 5000;

function intArgument(min: number, max: number) {
  return (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/**
 * Runs `tradeflow serve`: builds the API, listens, prints `serving: <url>` on stderr, and on SIGINT or
 * SIGTERM closes (runs in progress are marked interrupted, so a restart can resume them).
 */
export async function serveCommand(opts: ServeOptions): Promise<number> {
  const token = process.env['TRADEFLOW_API_TOKEN'] || undefined;
  const logger = createStderrLogger('warn');
  const bundled = bundledTickerSource();
  const app = buildApp({
    db: resolve(opts.db),
    tickerSource:
      opts.syntheticTickers > 0 ? new SyntheticTickerSource(bundled, opts.syntheticTickers) : bundled,
    clock: new WallClock(),
    token,
    host: opts.host,
    maxConcurrentRuns: opts.maxRuns,
    maxStrategiesPerRun: opts.maxStrategies,
    maxDataSourcesPerRun: opts.maxDataSources,
    runHeapMb: opts.runHeapMb,
    stopGraceMs: opts.stopGraceMs,
    prestartThread: true,
    ...(opts.projectRoot === undefined ? {} : { projectRoot: resolve(opts.projectRoot) }),
    logger,
  });
  try {
    await app.listen({ port: opts.port, host: opts.host });
  } catch (e) {
    await app.close();
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `--port: cannot listen on ${opts.host}:${opts.port} (${(e as Error).message}); choose another port, or 0 for any free one`,
      { cause: e },
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  process.stderr.write(
    `serving: http://${host}:${port}${token === undefined ? '' : ' (API token required)'}\n`,
  );
  await new Promise<void>((done) => {
    const stop = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
      done();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  // Runs are asked to stop and terminated after the grace period, so closing ends within a bound; a
  // request that holds the listener open past it does not keep the process.
  const bound = delay(opts.stopGraceMs + CLOSE_MARGIN_MS);
  const closed = await Promise.race([app.close().then(() => true), bound.promise.then(() => false)]);
  bound.cancel();
  if (!closed) {
    logger.warn(
      `the server did not close within ${opts.stopGraceMs + CLOSE_MARGIN_MS} ms; exiting (runs in progress were asked to stop)`,
    );
    process.exit(0);
  }
  return 0;
}

/** Adds `tradeflow serve` to the command line. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the HTTP API: screens and backtests with progress kept in the run database')
    .option(
      '--port <port>',
      'port to listen on (0: any free port)',
      (text: string) => {
        const port = parsePort(text);
        if (port === undefined) throw new InvalidArgumentError('expected a port number from 0 to 65535.');
        return port;
      },
      8080,
    )
    .option('--host <host>', 'address to listen on; any but loopback needs TRADEFLOW_API_TOKEN', '127.0.0.1')
    .option('--db <path>', 'SQLite database for runs and their progress', 'out/tradeflow.db')
    .option(
      '--max-runs <n>',
      'screens and backtests run at once; more are refused with 429',
      intArgument(1, 64),
      4,
    )
    .option(
      '--max-strategies <n>',
      'strategy entries one backtest request may name; more are refused with 400',
      intArgument(1, 10_000),
      32,
    )
    .option(
      '--max-data-sources <n>',
      'data sources one backtest request may name; more are refused with 400',
      intArgument(1, 100_000),
      100,
    )
    .option(
      '--run-heap-mb <n>',
      "heap limit of each run's thread (a backtest's or a screen's) in MiB; a run over it fails alone",
      intArgument(16, 1_048_576),
      1024,
    )
    .option(
      '--stop-grace-ms <n>',
      'how long a cancelled run, or every run at shutdown, may take to stop before its thread is terminated',
      intArgument(0, 600_000),
      3000,
    )
    .option(
      '--project-root <dir>',
      'the folder whose strategies/ and data/ backtests use (default: this checkout)',
    )
    .option(
      '--synthetic-tickers <n>',
      'add n synthetic tickers (SYN0001 ...) built from the bundled daily files, for demos and load tests',
      intArgument(0, 9999),
      0,
    )
    .action(async (opts: ServeOptions) => {
      process.exitCode = await serveCommand(opts);
    });
}
