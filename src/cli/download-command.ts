// `tradeflow download binance`: closed Binance klines of a time range, through the feed's REST client, into
// an `ohlcv` bar file a session can load (UTC, stamped at the bar's open, 24h calendar).
import { createWriteStream, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { finished } from 'node:stream/promises';
import { type Command, InvalidArgumentError } from 'commander';
import { FeedSchema } from '../config/session-config.ts';
import { type Clock, WallClock } from '../core/clock.ts';
import { toIsoUtc } from '../core/time.ts';
import { BinanceRest } from '../data/feeds/binance-rest.ts';
import { INTERVALS, type Interval, isInterval } from '../model/interval.ts';

/** What to download and where to write it. */
export interface DownloadOptions {
  readonly symbol: string;
  readonly interval: Interval;
  /** Bars opening at or after this time (epoch ms UTC)... */
  readonly fromMs: number;
  /** ...and before this one. */
  readonly toMs: number;
  readonly out: string;
  readonly restUrl: string;
  readonly clock?: Clock;
}

/** Binance's public REST URL, the session config's default for a `binance` feed. */
export function defaultRestUrl(): string {
  const feed = FeedSchema.parse({ type: 'binance' });
  return feed.type === 'binance' ? feed.rest_url : 'https://api.binance.com';
}

/** Reads `2024-01-31` (midnight UTC) or an ISO 8601 time with a zone into epoch ms; throws a usage error. */
export function parseDateArgument(text: string): number {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const withZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const ms = dateOnly ? Date.parse(`${text}T00:00:00Z`) : withZone ? Date.parse(text) : Number.NaN;
  // Date.parse rolls 2024-02-30 over to March: a date must read back as written.
  if (!Number.isFinite(ms) || (dateOnly && toIsoUtc(ms).slice(0, 10) !== text)) {
    throw new InvalidArgumentError(
      `"${text}" is not a date; use YYYY-MM-DD (midnight UTC) or an ISO 8601 time with a zone, such as 2024-01-31T12:00:00Z.`,
    );
  }
  return ms;
}

/** `2024-01-31 12:05:00`: the ohlcv format's timestamp, in UTC. */
function timestamp(ms: number): string {
  return toIsoUtc(ms).slice(0, 19).replace('T', ' ');
}

/**
 * Downloads the klines into `out` and returns how many were written. The file appears only when complete:
 * it is written beside `out` under another name and renamed, and removed on any error.
 */
export async function downloadKlines(o: DownloadOptions): Promise<number> {
  const rest = new BinanceRest({ restUrl: o.restUrl, clock: o.clock ?? new WallClock() });
  const out = resolve(o.out);
  mkdirSync(dirname(out), { recursive: true });
  const part = join(dirname(out), `.${basename(out)}.${process.pid}.part`);
  const file = createWriteStream(part);
  let count = 0;
  try {
    file.write('timestamp,open,high,low,close,volume\n');
    for await (const page of rest.closedPages(o.symbol, o.interval, o.fromMs, o.toMs - 1)) {
      const lines = page.map(
        ({ openMs, bar: b }) => `${timestamp(openMs)},${b.open},${b.high},${b.low},${b.close},${b.volume}\n`,
      );
      count += page.length;
      if (!file.write(lines.join(''))) await new Promise<void>((r) => file.once('drain', () => r()));
    }
    file.end();
    await finished(file);
    if (count === 0) {
      throw new InvalidArgumentError(
        `no closed ${o.interval} klines of ${o.symbol} from ${toIsoUtc(o.fromMs)} to ${toIsoUtc(o.toMs)} at ${rest.restUrl}; nothing written.`,
      );
    }
    renameSync(part, out);
    return count;
  } catch (e) {
    // Let pending writes settle before removing the part file, so that none lands after the removal.
    if (!file.writableEnded) file.end();
    await finished(file).catch(() => undefined);
    rmSync(part, { force: true });
    throw e;
  }
}

/** Registers `tradeflow download binance <SYMBOL> ...` on the program. */
export function registerDownloadCommand(program: Command): void {
  const download = program.command('download').description('download bars from an exchange into a bar file');
  download
    .command('binance')
    .description('write closed Binance spot klines of a time range to an ohlcv file a session can load')
    .argument('<symbol>', 'Binance symbol, e.g. BTCUSDT')
    .option(
      '--interval <interval>',
      `bar interval: ${INTERVALS.join(', ')}`,
      (text: string): Interval => {
        if (!isInterval(text)) throw new InvalidArgumentError(`expected one of ${INTERVALS.join(', ')}.`);
        return text;
      },
      '1m' as Interval,
    )
    .requiredOption(
      '--from <date>',
      'first bar opening at or after this time (YYYY-MM-DD is midnight UTC)',
      parseDateArgument,
    )
    .requiredOption('--to <date>', 'bars opening before this time', parseDateArgument)
    .requiredOption('--out <file>', 'the ohlcv file to write (replaced only when the download is complete)')
    .option('--rest-url <url>', 'Binance REST base URL', defaultRestUrl())
    .action(
      async (
        symbol: string,
        opts: { interval: Interval; from: number; to: number; out: string; restUrl: string },
        cmd: Command,
      ) => {
        if (opts.to <= opts.from)
          cmd.error(`error: --to (${toIsoUtc(opts.to)}) must be after --from (${toIsoUtc(opts.from)})`);
        if (!/^https?:\/\//.test(opts.restUrl))
          cmd.error(`error: --rest-url "${opts.restUrl}" is not an http(s) URL`);
        try {
          const n = await downloadKlines({
            symbol: symbol.toUpperCase(),
            interval: opts.interval,
            fromMs: opts.from,
            toMs: opts.to,
            out: opts.out,
            restUrl: opts.restUrl,
          });
          process.stdout.write(
            `wrote ${n} ${opts.interval} klines of ${symbol.toUpperCase()} to ${opts.out}\n`,
          );
        } catch (e) {
          if (e instanceof InvalidArgumentError) cmd.error(`error: ${e.message}`);
          throw e;
        }
      },
    );
}
