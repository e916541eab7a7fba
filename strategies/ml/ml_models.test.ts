import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { MemoryLogger } from '../../src/core/logger.ts';
import { MODEL_SPECS } from '../../src/ml/model-specs.ts';
import { STRATEGY_TYPES } from '../../src/strategy/registry.ts';
import { BreakoutFeatures, MeanReversionFeatures } from '../../src/ml/bar-features.ts';
import type { BarFeatureExtractor } from '../../src/ml/bar-features.ts';
import { csvFeatureRows, onnxProbabilities } from '../../src/ml/bundled-model.fixture.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import type { ModelStrategy } from '../../src/strategy/model-strategy.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { backtest, ROOT, session } from '../../test/helpers.ts';
import * as breakout from './ml_breakout.ts';
import * as meanReversion from './ml_mean_reversion.ts';

// ml_mean_reversion and ml_breakout on real NVDA daily bars, inline and in a thread: per-bar predictions
// against onnxruntime, trades against a hand replay of the model's decisions, and the degraded rules.

const FILE = 'data/daily/nvda-1999-2014.txt';
const CSV = 'daily/nvda-1999-2014.txt';

interface Case {
  readonly type: 'ml_mean_reversion' | 'ml_breakout';
  readonly make: (config: unknown) => ModelStrategy;
  readonly extractor: () => BarFeatureExtractor;
  /** Trades the model's decisions give on NVDA 1999-2014 (pinned; the replay gives the prices). */
  readonly modelTrades: number;
  /** The degraded rule, over the row's raw features. */
  readonly rule: (values: Float64Array) => 'BUY' | 'CLOSE' | undefined;
  readonly ruleTrades: number;
}

const CASES: readonly Case[] = [
  {
    type: 'ml_mean_reversion',
    make: (c) =>
      new meanReversion.MlMeanReversionStrategy(meanReversion.configSchema.parse(c), 'ml_mean_reversion'),
    extractor: () => new MeanReversionFeatures(),
    modelTrades: 18,
    rule: (v) => (v[1]! <= -2 ? 'BUY' : v[1]! >= 0 ? 'CLOSE' : undefined),
    ruleTrades: 55,
  },
  {
    type: 'ml_breakout',
    make: (c) => new breakout.MlBreakoutStrategy(breakout.configSchema.parse(c), 'ml_breakout'),
    extractor: () => new BreakoutFeatures(),
    modelTrades: 3,
    rule: (v) => (v[0]! > 0 ? 'BUY' : v[1]! < 0 ? 'CLOSE' : undefined),
    ruleTrades: 45,
  },
];

type HandTrade = readonly [entryDate: string, entryPrice: number, exitDate: string, exitPrice: number];
const round6 = (x: number) => Number(x.toFixed(6));

/** Replays a long-only buy/close rule over the CSV, each signal filled at the next row's open. */
function replay(
  bars: ReturnType<typeof csvFeatureRows>['bars'],
  decisions: readonly { i: number; action: 'BUY' | 'CLOSE' | undefined }[],
): HandTrade[] {
  const trades: HandTrade[] = [];
  let entry: { date: string; price: number } | undefined;
  for (const { i, action } of decisions) {
    if (i + 1 >= bars.close.length) break;
    const next = { date: bars.date[i + 1]!, price: bars.open[i + 1]! };
    if (!entry && action === 'BUY') entry = next;
    else if (entry && action === 'CLOSE') {
      trades.push([entry.date, entry.price, next.date, next.price]);
      entry = undefined;
    }
  }
  return trades;
}

const tradesOf = (result: Awaited<ReturnType<typeof backtest>>['result']) =>
  result.trades.map((t) => [
    t.entry_time.slice(0, 10),
    round6(t.entry_price),
    t.exit_time.slice(0, 10),
    round6(t.exit_price),
  ]);

const entry = (type: string, isolation: string, config: Readonly<Record<string, unknown>> = {}) => ({
  data: [{ symbol: 'NVDA', file: FILE }],
  strategies: [{ type, isolation, config: { symbols: ['NVDA'], position_size: 100, ...config } }],
});

describe.each(CASES)('$type', (c) => {
  const modelFile = `${ROOT}/models/${c.type}.onnx`;

  it('predicts per bar what onnxruntime computes on the same real features, within 1e-6', async () => {
    const strategy = c.make({ symbols: ['NVDA'] });
    await strategy.loadModel();
    expect(strategy.hasModel).toBe(true);
    const { rows } = csvFeatureRows(CSV, c.extractor());
    const row = (values: Float64Array) => ({ symbol: 'NVDA', interval: '1d' as const, tsClose: 0, values });
    const perBar = rows.map((r) => strategy.predictProbability(row(r.values))!);
    const onnx = await onnxProbabilities(
      rows.map((r) => r.values),
      modelFile,
    );
    expect(Math.max(...perBar.map((p, i) => Math.abs(p - onnx[i]!)))).toBeLessThanOrEqual(1e-6);
    // The model is not constant: it crosses both thresholds on NVDA.
    expect(Math.min(...perBar)).toBeLessThan(0.45);
    expect(Math.max(...perBar)).toBeGreaterThan(0.55);
  });

  it.each(['inline', 'thread'])('trades exactly where onnxruntime says (%s)', async (isolation) => {
    const store = new MemoryStore();
    const log = new MemoryLogger();
    const { result } = await runBacktestWithResult({
      session: session(entry(c.type, isolation)),
      runId: 'ml',
      startedAt: 0,
      store,
      logger: log,
    });
    expect(result.strategies.map((s) => [s.name, s.status])).toEqual([[c.type, 'ran']]);
    const { bars, rows } = csvFeatureRows(CSV, c.extractor());
    const p = await onnxProbabilities(
      rows.map((r) => r.values),
      modelFile,
    );
    const decide = (x: number) => (x >= 0.55 ? 'BUY' : x <= 0.45 ? 'CLOSE' : undefined);
    const hand = replay(
      bars,
      rows.map((r, k) => ({ i: r.i, action: decide(p[k]!) })),
    );
    expect(hand).toHaveLength(c.modelTrades);
    expect(tradesOf(result)).toEqual(hand);
    for (const { signal } of store.readRun('ml')!.signals) {
      expect((signal.metadata as { source: string }).source).toBe('model');
    }
  });

  it('runs degraded on its rules when the model file is missing, trading as the hand replay says', async () => {
    const { result, log } = await backtest(entry(c.type, 'inline', { model_path: 'models/missing.onnx' }));
    expect(result.strategies.map((s) => [s.name, s.status])).toEqual([[c.type, 'ran']]);
    expect(
      log.records.filter((r) => r.level === 'warn' && !r.msg.startsWith('backpressure:')).map((r) => r.msg),
    ).toEqual([
      `strategy ${c.type}: the model did not load, running degraded on its rules: model file models/missing.onnx does not exist`,
    ]);
    const { bars, rows } = csvFeatureRows(CSV, c.extractor());
    const hand = replay(
      bars,
      rows.map((r) => ({ i: r.i, action: c.rule(r.values) })),
    );
    expect(hand).toHaveLength(c.ruleTrades);
    expect(tradesOf(result)).toEqual(hand);
  });

  it('refuses the other model (trained on other features) by name, and thresholds out of order', async () => {
    const other = c.type === 'ml_breakout' ? 'ml_mean_reversion' : 'ml_breakout';
    const strategy = c.make({ symbols: ['NVDA'], model_path: `models/${other}.onnx` });
    await expect(strategy.loadModel()).rejects.toThrow(
      `model file models/${other}.onnx was trained on features`,
    );
    expect(() => c.make({ symbols: ['NVDA'], buy_threshold: 0.4, sell_threshold: 0.5 })).toThrow(
      'must be less than buy_threshold',
    );
  });
});

describe('the bundled ML types', () => {
  it('are exactly the registered ML types, each with its model and sidecar in models/', () => {
    const ml = Object.entries(STRATEGY_TYPES).filter(([, t]) => t.kind === 'ml');
    expect(ml.map(([name]) => name)).toEqual(Object.keys(MODEL_SPECS));
    for (const [name, t] of ml) {
      expect(t.module, name).toBe(`strategies/ml/${name}`);
      for (const ext of ['onnx', 'json'])
        expect(existsSync(`${ROOT}/models/${name}.${ext}`), name).toBe(true);
    }
  });
});
