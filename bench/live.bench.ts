// Benchmark of the live path: from a bar's arrival at the feed adapter to each of its signals reaching the
// broker, with thread strategies that signal on every bar, fed at a realistic pace in process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { delay } from '../src/core/clock.ts';
import type { BarFeed, FeedBar } from '../src/data/feeds/bar-feed.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { writeMinuteBars } from './backtest.bench.ts';
import type { Figure } from './harness.ts';

const BENCH_ROOT = join(import.meta.dirname, 'strategies-root');
/** Warm-up bars on disk before the live ones. */
const HISTORY = 50;
/** Wall time between two live bars: a busy feed, yet room for the strategies to finish each bar. */
const GAP_MS = 3;

function liveSession(file: string, strategies: number): LoadedSession {
  const config = parseSessionConfig({
    name: 'bench-live',
    data: [{ symbol: 'ORCL', file, format: 'ohlcv', interval: '1m', calendar: '24h' }],
    strategies: Array.from({ length: strategies }, (_, i) => ({
      module: 'strategies/flip_flop',
      name: `flip${i}`,
      isolation: 'thread',
      config: { symbols: ['ORCL'], interval: '1m', position_size: 1 },
    })),
  });
  return { config, name: 'bench-live', file: join(BENCH_ROOT, 'bench-live.json'), root: BENCH_ROOT };
}

/** Turns rows of an ohlcv file written by `writeMinuteBars` into live bars (stamped at their close). */
function barsOf(rows: readonly string[]): FeedBar[] {
  return rows.map((row) => {
    const [ts, open, high, low, close, volume] = row.split(',');
    return {
      symbol: 'ORCL',
      interval: '1m',
      tsClose: Date.parse(`${ts!.replace(' ', 'T')}Z`) + 60_000,
      open: Number(open),
      high: Number(high),
      low: Number(low),
      close: Number(close),
      volume: Number(volume),
    };
  });
}

/** An in-process feed that delivers `bars` `GAP_MS` apart, then completes. */
function pacedFeed(bars: readonly FeedBar[]): BarFeed {
  let stopped = false;
  return {
    name: 'bench feed',
    history: () => Promise.resolve([]),
    start: (_subscriptions, h) => {
      void (async () => {
        for (const bar of bars) {
          await delay(GAP_MS).promise;
          if (stopped) return;
          h.onBar(bar);
        }
        h.onEnd({ outcome: 'completed', reason: 'bench bars delivered' });
      })();
    },
    subscribe: () => {},
    unsubscribe: () => {},
    stop: () => {
      stopped = true;
    },
  };
}

/** Live latency of one run, in microseconds, with the orders timed and the overruns counted. */
interface LiveFigures {
  readonly p50Us: number;
  readonly p99Us: number;
  readonly orders: number;
  readonly overruns: number;
}

/** Runs `bars` live bars through `strategies` thread strategies after a short warm-up history on disk. */
async function liveRun(dir: string, bars: number, strategies: number): Promise<LiveFigures> {
  const file = join(dir, `orcl-live-${strategies}.csv`);
  writeMinuteBars(file, HISTORY + bars);
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n');
  writeFileSync(file, [header, ...rows.slice(0, HISTORY)].join('\n') + '\n');
  const { facts } = await runBacktestWithResult({
    session: liveSession(file, strategies),
    runId: `bench-live-${strategies}`,
    startedAt: 0,
    feed: pacedFeed(barsOf(rows.slice(HISTORY))),
  });
  for (const m of facts.metrics.strategies) {
    if (m.status !== 'running') throw new Error(`bench strategy ${m.name} ${m.status}`);
  }
  const l = facts.metrics.system.liveLatency;
  return {
    p50Us: l.p50Ms * 1000,
    p99Us: l.p99Ms * 1000,
    orders: l.count,
    overruns: facts.metrics.strategies.reduce((n, m) => n + m.overruns, 0),
  };
}

/**
 * The live path with 1 and with 5 thread strategies that signal on every bar, fed a bar every 3 ms: the
 * time from a bar's arrival at the feed adapter to each of its signals reaching the broker (p50, p99).
 */
export async function liveBench(options: { dir: string; quick: boolean }): Promise<Figure[]> {
  const bars = options.quick ? 1000 : 3000;
  const one = await liveRun(options.dir, bars, 1);
  const five = await liveRun(options.dir, bars, 5);
  const us = (key: string, label: string, value: number, target?: number): Figure => ({
    key,
    label,
    value,
    unit: 'us',
    ...(target === undefined ? {} : { target }),
    better: 'lower',
  });
  return [
    us('live_latency_p50_us', 'live bar to broker p50, 1 thread strategy', one.p50Us),
    us('live_latency_p99_us', 'live bar to broker p99, 1 thread strategy', one.p99Us, 1000),
    us('live5_latency_p50_us', 'live bar to broker p50, 5 thread strategies', five.p50Us),
    us('live5_latency_p99_us', 'live bar to broker p99, 5 thread strategies', five.p99Us, 1000),
    {
      key: 'live_overruns',
      label: `live overruns over ${bars} bars (1 and 5 strategies)`,
      value: one.overruns + five.overruns,
      unit: '',
      better: 'lower',
    },
  ];
}
