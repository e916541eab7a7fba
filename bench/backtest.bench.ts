import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { runBacktest } from '../src/engine/backtest.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import { type Figure, median } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Writes `count` one-minute bars built from real ORCL closes, played forward then backward, as an
 * `ohlcv` file (UTC, stamped at the bar's open). Each bar opens at the previous close.
 */
export function writeMinuteBars(file: string, count: number): void {
  const closes = readFileSync(join(ROOT, 'data/daily/orcl-1995-2014.txt'), 'utf8')
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[4]));
  const path = [...closes, ...closes.slice(1, -1).reverse()];
  const start = Date.UTC(2020, 0, 1);
  const out: string[] = ['timestamp,open,high,low,close,volume'];
  let prev = path[0]!;
  for (let i = 0; i < count; i++) {
    const c = path[i % path.length]!;
    const ts = new Date(start + i * 60_000).toISOString();
    out.push(`${ts.slice(0, 10)} ${ts.slice(11, 19)},${prev},${Math.max(prev, c)},${Math.min(prev, c)},${c},1000`);
    prev = c;
  }
  writeFileSync(file, out.join('\n') + '\n');
}

function minuteSession(file: string): LoadedSession {
  const config = parseSessionConfig({
    name: 'bench-sma-1m',
    data: [{ symbol: 'ORCL', file, format: 'ohlcv', interval: '1m', calendar: '24h' }],
    strategies: [
      {
        module: 'strategies/examples/simple_ma_cross',
        config: { symbols: ['ORCL'], interval: '1m', fast_period: 10, slow_period: 30, position_size: 10 },
      },
    ],
  });
  return { config, name: 'bench-sma-1m', file: join(ROOT, 'bench.json'), root: ROOT };
}

/** SMA cross over >= 1,000,000 one-minute bars through the whole pipeline, storage writes included. */
export async function backtestBench(options: { bars: number; runs: number }): Promise<Figure[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tradeflow-bench-'));
  try {
    const file = join(dir, 'orcl-1m.csv');
    writeMinuteBars(file, options.bars);
    const session = minuteSession(file);
    const rates: number[] = [];
    const loads: number[] = [];
    let bytesPerBar = NaN;
    let trades = 0;
    for (let run = 0; run < options.runs; run++) {
      const store = new SqliteStore(join(dir, `bench-${run}.db`));
      const { engine, result, timings } = await runBacktest({ session, runId: `bench-${run}`, startedAt: 0, store });
      store.close();
      const series = engine.loaded.sources[0]!.series;
      bytesPerBar = series.bytes / series.written;
      trades = result.trades.length;
      rates.push(result.bars / (timings.runMs / 1000));
      loads.push(timings.setupMs);
    }
    return [
      { key: 'bars_per_s', label: `SMA cross, ${options.bars.toLocaleString('en-US')} 1m bars, strategy + broker + portfolio + batched SQLite writes (${trades} trades)`, value: median(rates), unit: 'bars/s', target: 2_000_000, better: 'higher' },
      { key: 'bytes_per_bar', label: 'bar storage per bar', value: bytesPerBar, unit: 'B', target: 64, better: 'lower' },
      { key: 'load_and_setup_ms', label: 'load CSV and set up (inside the run above)', value: median(loads), unit: 'ms', better: 'lower' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
