import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { MemoryLogger } from '../../src/core/logger.ts';
import { createCalendar } from '../../src/data/calendar.ts';
import { loadBarFile } from '../../src/data/loaders/load.ts';
import { SessionData } from '../../src/data/session-data.ts';
import { BUNDLED_MODEL, csvFeatureRows, onnxProbabilities } from '../../src/ml/bundled-model.fixture.ts';
import type { StrategyContext } from '../../src/strategy/base-strategy.ts';
import { strategyContext } from '../../src/strategy/host/context.ts';
import { backtest, ROOT } from '../../test/helpers.ts';
import { configSchema, MlMomentumStrategy } from './ml_momentum.ts';

const FILE = 'data/daily/nvda-1999-2014.txt';
const csvRows = () => csvFeatureRows('daily/nvda-1999-2014.txt');

/** Reads NVDA with the project's loader and returns a view that publishes one bar at a time. */
function nvdaBars() {
  const data = new SessionData();
  const calendar = createCalendar('us_equities');
  loadBarFile({ file: join(ROOT, FILE), symbol: 'NVDA', stamper: () => calendar.stamper() }, data);
  const series = data.get('NVDA', '1d')!;
  return { series, view: data.view('NVDA', '1d') };
}

/** A context over one view, flat and with no cash, for driving a strategy by hand. */
function contextOver(view: ReturnType<typeof nvdaBars>['view'], log = new MemoryLogger()): StrategyContext {
  return {
    ...strategyContext({
      name: 'ml_momentum',
      log,
      subscribes: () => true,
      series: () => undefined,
      quality: () => 100,
      calendar: () => undefined,
      position: () => 0,
      cash: () => 0,
      equity: () => 0,
      lastClose: () => Number.NaN,
      openOrders: () => [],
      now: () => 0,
    }),
    bars: () => view,
    sessionOf: () => 0,
  };
}

describe('ml_momentum: the bundled model per bar', () => {
  it('predicts per bar what onnxruntime computes on the same real features, within 1e-6', async () => {
    const { series, view } = nvdaBars();
    const strategy = new MlMomentumStrategy(configSchema.parse({ symbols: ['NVDA'] }), 'ml_momentum');
    await strategy.loadModel();
    expect(strategy.hasModel).toBe(true);
    const ctx = contextOver(view);
    strategy.attach(ctx);
    strategy.setup(ctx);
    const rows: Float64Array[] = [];
    const perBar: number[] = [];
    for (let i = 0; i < series.written; i++) {
      series.publishNext();
      const row = strategy.extractFeatures(view);
      if (!row) continue;
      expect(row.tsClose).toBe(series.timeAt(i));
      rows.push(row.values);
      perBar.push(strategy.predictProbability(row)!);
    }
    expect(rows).toHaveLength(series.written - 20);
    const onnx = await onnxProbabilities(rows);
    const worst = Math.max(...perBar.map((p, i) => Math.abs(p - onnx[i]!)));
    expect(worst).toBeLessThanOrEqual(1e-6);
    // The model is not constant: its probabilities spread on both sides of the thresholds.
    expect(Math.min(...perBar)).toBeLessThan(0.45);
    expect(Math.max(...perBar)).toBeGreaterThan(0.55);
  });

  it('raises signals with a confidence, a reason and the probability', async () => {
    const strategy = new MlMomentumStrategy(configSchema.parse({ symbols: ['NVDA'] }), 'ml_momentum');
    await strategy.loadModel();
    const { rows } = csvRows();
    const at = (p: (x: number) => boolean) =>
      rows
        .map((r) => ({ symbol: 'NVDA', interval: '1d' as const, tsClose: 0, values: r.values }))
        .find((r) => p(strategy.predictProbability(r)!))!;
    const up = at((p) => p >= 0.55);
    const down = at((p) => p <= 0.45);
    const middle = at((p) => p > 0.45 && p < 0.55);
    const pUp = strategy.predictProbability(up)!;
    expect(strategy.predictSignal(up)).toEqual({
      symbol: 'NVDA',
      action: 'BUY',
      quantity: 1,
      confidence: pUp,
      reason: `model: P(up) ${pUp.toFixed(4)} >= 0.55`,
      metadata: { probability: pUp, source: 'model' },
    });
    const pDown = strategy.predictProbability(down)!;
    expect(strategy.predictSignal(down)).toMatchObject({ action: 'CLOSE', confidence: 1 - pDown });
    expect(strategy.predictSignal(middle)).toBeUndefined();
    // A row the model cannot score (a NaN feature) is an inference error, not a silent "no opinion".
    const broken = { ...middle, values: middle.values.map((v, i) => (i === 0 ? Number.NaN : v)) };
    expect(() => strategy.predictSignal(broken)).toThrow('the model gave P(up) NaN, not a probability');
  });
});

describe('ml_momentum config', () => {
  it('applies its defaults', () => {
    expect(configSchema.parse({ symbols: ['NVDA'] })).toEqual({
      symbols: ['NVDA'],
      interval: '1d',
      position_size: 1,
      model_path: 'models/ml_momentum.onnx',
      buy_threshold: 0.55,
      sell_threshold: 0.45,
      require_model: false,
    });
    const strategy = new MlMomentumStrategy(configSchema.parse({ symbols: ['NVDA'] }), 'ml_momentum');
    expect(strategy.modelPath).toBe(BUNDLED_MODEL);
  });

  it('rejects a sell threshold at or above the buy threshold, naming the path', async () => {
    const caught = await backtest({
      data: [{ symbol: 'NVDA', file: FILE }],
      strategies: [
        {
          module: 'strategies/ml/ml_momentum',
          config: { symbols: ['NVDA'], buy_threshold: 0.5, sell_threshold: 0.5 },
        },
      ],
    }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(caught, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect((caught as Error).message).toBe(
      'strategies[0].config.sell_threshold: must be less than buy_threshold',
    );
  });
});
