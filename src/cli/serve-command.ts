// `tradeflow serve`: builds the HTTP API, listens, and on SIGINT or SIGTERM closes it, marking runs in
// progress interrupted.
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { buildApp } from '../api/app.ts';
import { WallClock } from '../core/clock.ts';
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
}

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
  await app.close();
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
      '--synthetic-tickers <n>',
      'add n synthetic tickers (SYN0001 ...) built from the bundled daily files, for demos and load tests',
      intArgument(0, 9999),
      0,
    )
    .action(async (opts: ServeOptions) => {
      process.exitCode = await serveCommand(opts);
    });
}
