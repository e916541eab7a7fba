// Benchmark of the backtest pipeline: bars per second with and without the store, and bytes per bar.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { ThreadedSqliteStore } from '../src/storage/threaded-store.ts';
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
    out.push(
      `${ts.slice(0, 10)} ${ts.slice(11, 19)},${prev},${Math.max(prev, c)},${Math.min(prev, c)},${c},1000`,
    );
    prev = c;
  }
  writeFileSync(file, out.join('\n') + '\n');
}

/** Builds the benchmark's session: SMA cross over the one-minute bars in `file`. */
export function minuteSession(file: string): LoadedSession {
  const config = parseSessionConfig({
    name: 'bench-sma-1m',
    data: [{ symbol: 'ORCL', file, format: 'ohlcv', interval: '1m', calendar: '24h' }],
    strategies: [
      {
        module: 'strategies/examples/simple_ma_cross',
        isolation: 'inline',
        config: { symbols: ['ORCL'], interval: '1m', fast_period: 10, slow_period: 30, position_size: 10 },
      },
    ],
  });
  return { config, name: 'bench-sma-1m', file: join(ROOT, 'bench.json'), root: ROOT };
}

/** Every risk limit, set so high that none ever refuses an order of the benchmark's strategy. */
const GENEROUS_RISK = {
  max_position_shares: 1e9,
  max_position_notional: 1e12,
  max_order_notional: 1e12,
  max_gross_exposure: 1e12,
  max_open_orders: 1_000_000,
  daily_loss_limit: 1e12,
} as const;

/** Returns the session with every risk limit on, for the account and for each strategy (none binds). */
export function withRiskLimits(session: LoadedSession): LoadedSession {
  const c = session.config;
  return {
    ...session,
    config: {
      ...c,
      broker: { ...c.broker, risk: GENEROUS_RISK },
      strategies: c.strategies.map((s) => ({ ...s, risk: GENEROUS_RISK })),
    },
  };
}

/**
 * SMA cross over >= 1,000,000 one-minute bars through the whole pipeline, storage writes included: the
 * threaded SQLite store, as the CLI uses it; the run phase ends when its events are stored. The same run
 * without a store shows what storage costs the engine's thread.
 */
export async function backtestBench(options: {
  session: LoadedSession;
  dir: string;
  runs: number;
}): Promise<Figure[]> {
  const { session, dir } = options;
  const rates: number[] = [];
  const bareRates: number[] = [];
  const riskRates: number[] = [];
  const risky = withRiskLimits(session);
  let riskTrades = 0;
  const loads: number[] = [];
  let bytesPerBar = NaN;
  let trades = 0;
  let bars = 0;
  for (let run = 0; run < options.runs; run++) {
    const store = new ThreadedSqliteStore(join(dir, `bench-${run}.db`));
    try {
      const { engine, result, facts } = await runBacktestWithResult({
        session,
        runId: `bench-${run}`,
        startedAt: 0,
        store,
      });
      const series = engine.loaded.sources[0]!.series;
      bytesPerBar = series.bytes / series.written;
      trades = result.trades.length;
      bars = result.bars;
      rates.push(result.bars / (facts.timings.runMs / 1000));
      loads.push(facts.timings.setupMs);
    } finally {
      store.close();
    }
    // The same run, store included, with every risk limit checked on every order.
    const riskStore = new ThreadedSqliteStore(join(dir, `bench-risk-${run}.db`));
    try {
      const { result, facts } = await runBacktestWithResult({
        session: risky,
        runId: `bench-risk-${run}`,
        startedAt: 0,
        store: riskStore,
      });
      riskTrades = result.trades.length;
      riskRates.push(result.bars / (facts.timings.runMs / 1000));
    } finally {
      riskStore.close();
    }
    const bare = await runBacktestWithResult({ session, runId: `bench-bare-${run}`, startedAt: 0 });
    bareRates.push(bare.result.bars / (bare.facts.timings.runMs / 1000));
  }
  const n = bars.toLocaleString('en-US');
  return [
    {
      key: 'bars_per_s',
      label: `SMA cross, ${n} 1m bars, strategy + broker + portfolio + threaded SQLite writes (${trades} trades)`,
      value: median(rates),
      unit: 'bars/s',
      target: 2_000_000,
      better: 'higher',
    },
    {
      key: 'bars_per_s_risk',
      label: `the same run with every risk limit on, none binding (${riskTrades} trades)`,
      value: median(riskRates),
      unit: 'bars/s',
      better: 'higher',
    },
    {
      key: 'bars_per_s_no_store',
      label: 'the same run without a store',
      value: median(bareRates),
      unit: 'bars/s',
      better: 'higher',
    },
    {
      key: 'bytes_per_bar',
      label: 'bar storage per bar',
      value: bytesPerBar,
      unit: 'B',
      target: 64,
      better: 'lower',
    },
    {
      key: 'load_and_setup_ms',
      label: 'load CSV and set up, store started (inside the run above)',
      value: median(loads),
      unit: 'ms',
      better: 'lower',
    },
  ];
}
