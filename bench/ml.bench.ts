// Benchmark of ML strategies: the cost of each onBars call with feature extraction and model inference.
import { join, resolve } from 'node:path';
import { monotonicMs } from '../src/core/clock.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import { createCalendar } from '../src/data/calendar.ts';
import { loadBarFile } from '../src/data/loaders/load.ts';
import { type BarSeries, SessionData } from '../src/data/session-data.ts';
import type { BaseStrategy, StrategyContext } from '../src/strategy/base-strategy.ts';
import { strategyContext } from '../src/strategy/host/context.ts';
import * as mlMomentum from '../strategies/ml/ml_momentum.ts';
import * as maCross from '../strategies/examples/simple_ma_cross.ts';
import * as hybridMomentum from '../strategies/hybrid/hybrid_momentum.ts';
import type { Figure } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const FILES = [
  ['ORCL', 'data/daily/orcl-1995-2014.txt'],
  ['YHOO', 'data/daily/yhoo-1996-2014.txt'],
  ['NVDA', 'data/daily/nvda-1999-2014.txt'],
] as const;

/** Returns the q-quantile (0..1) of sorted values, by rank. */
function quantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** Loads the bundled daily files with the project's loader; nothing is published yet. */
function loadDaily(): { data: SessionData; series: BarSeries[] } {
  const data = new SessionData();
  const calendar = createCalendar('us_equities');
  for (const [symbol, file] of FILES) {
    loadBarFile({ file: join(ROOT, file), symbol, stamper: () => calendar.stamper() }, data);
  }
  return { data, series: FILES.map(([symbol]) => data.get(symbol, '1d')!) };
}

/**
 * Runs one strategy over the three daily series, bar by bar, and times every onBars call. Fills are
 * immediate (a BUY sets the position, a CLOSE clears it), so the strategy takes its trading branches.
 */
async function timePass(
  make: () => BaseStrategy,
  prepare: (s: BaseStrategy) => Promise<void>,
): Promise<number[]> {
  const { data, series } = loadDaily();
  const positions = new Map<string, number>();
  const ctx: StrategyContext = {
    ...strategyContext({
      name: 'bench',
      log: new MemoryLogger(),
      subscribes: () => true,
      series: () => undefined,
      quality: () => 100,
      calendar: () => undefined,
      position: (symbol) => positions.get(symbol) ?? 0,
      cash: () => 1e9,
      equity: () => 1e9,
      lastClose: () => Number.NaN,
      openOrders: () => [],
      now: () => 0,
    }),
    bars: (symbol, interval) => data.view(symbol, interval),
    sessionOf: () => 0,
  };
  const strategy = make();
  strategy.attach(ctx);
  await prepare(strategy);
  await strategy.setup(ctx);
  const times: number[] = [];
  const longest = Math.max(...series.map((s) => s.written));
  for (let i = 0; i < longest; i++) {
    for (const s of series) {
      if (i >= s.written) continue;
      s.publishNext();
      const t0 = monotonicMs();
      const out = strategy.onBars(s.symbol, '1d');
      times.push(monotonicMs() - t0);
      for (const signal of out) {
        if (signal.action === 'BUY') positions.set(signal.symbol, signal.quantity ?? 0);
        else if (signal.action === 'CLOSE') positions.set(signal.symbol, 0);
      }
    }
  }
  return times;
}

/** Times `passes` runs (after one warm-up pass) and returns p50 and p99 in ms and the bars timed. */
async function perBar(
  make: () => BaseStrategy,
  passes: number,
  prepare: (s: BaseStrategy) => Promise<void> = () => Promise.resolve(),
): Promise<{ p50: number; p99: number; bars: number }> {
  await timePass(make, prepare);
  const all: number[] = [];
  for (let p = 0; p < passes; p++) all.push(...(await timePass(make, prepare)));
  const sorted = Float64Array.from(all).sort();
  return { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), bars: sorted.length };
}

/**
 * Per-bar processing time (one onBars call) of the rules example (simple_ma_cross), the ML strategy
 * (ml_momentum with the bundled model: features, the logistic forward pass, the signal) and the hybrid
 * (hybrid_momentum: rules and model through the majority_vote policy) over the bundled
 * daily data, and how long loading the model takes (onnxruntime session, checks, probe rows).
 */
export async function mlBench(options: { quick: boolean }): Promise<Figure[]> {
  const passes = options.quick ? 3 : 20;
  const symbols = FILES.map(([s]) => s);
  const rules = await perBar(
    () =>
      new maCross.SimpleMaCrossStrategy(
        maCross.configSchema.parse({ symbols, position_size: 10 }),
        'simple_ma_cross',
      ),
    passes,
  );
  const makeMl = () =>
    new mlMomentum.MlMomentumStrategy(mlMomentum.configSchema.parse({ symbols }), 'ml_momentum');
  const loads: number[] = [];
  const ml = await perBar(makeMl, passes, async (s) => {
    const t0 = monotonicMs();
    await (s as mlMomentum.MlMomentumStrategy).loadModel();
    loads.push(monotonicMs() - t0);
  });
  const hybrid = await perBar(
    () =>
      new hybridMomentum.HybridMomentumStrategy(
        hybridMomentum.configSchema.parse({ symbols }),
        'hybrid_momentum',
      ),
    passes,
    (s) => (s as hybridMomentum.HybridMomentumStrategy).loadModel(),
  );
  const n = (x: number) => x.toLocaleString('en-US');
  return [
    {
      key: 'rules_p50_ms',
      label: `per-bar processing, rules (simple_ma_cross), ${n(rules.bars)} daily bars of 3 symbols: p50`,
      value: rules.p50,
      unit: 'ms',
      better: 'lower',
    },
    {
      key: 'rules_p99_ms',
      label: 'the same: p99',
      value: rules.p99,
      unit: 'ms',
      target: 0.05,
      better: 'lower',
    },
    {
      key: 'ml_p50_ms',
      label: `per-bar processing, ML (ml_momentum: features + logistic model), ${n(ml.bars)} bars: p50`,
      value: ml.p50,
      unit: 'ms',
      better: 'lower',
    },
    { key: 'ml_p99_ms', label: 'the same: p99', value: ml.p99, unit: 'ms', target: 1, better: 'lower' },
    {
      key: 'hybrid_p50_ms',
      label: `per-bar processing, hybrid (momentum rules + model, majority_vote), ${n(hybrid.bars)} bars: p50`,
      value: hybrid.p50,
      unit: 'ms',
      better: 'lower',
    },
    {
      key: 'hybrid_p99_ms',
      label: 'the same: p99',
      value: hybrid.p99,
      unit: 'ms',
      target: 1,
      better: 'lower',
    },
    {
      key: 'ml_model_load_ms',
      label: 'loading the ONNX model (onnxruntime session, graph checks, probe rows): median',
      value: loads.sort((a, b) => a - b)[loads.length >> 1]!,
      unit: 'ms',
      better: 'lower',
    },
  ];
}
