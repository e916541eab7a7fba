// ML strategy: trades on the bundled logistic-regression model of the 5-bar forward return, with a
// momentum rule when there is no model.
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  type FeatureRow,
  type Interval,
  loadLogisticModelFile,
  type LogisticModel,
  logisticProbability,
  type MlCapability,
  MOMENTUM_FEATURES,
  MomentumFeatures,
  NO_SIGNALS,
  PerSymbol,
  type Signal,
  type StrategyContext,
} from 'tradeflow';

// The context carries no project root, so a relative model_path is resolved against this file's place.
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The model's config keys, shared with strategies that build on this one. */
export const mlMomentumFields = {
  /** Relative to the project root, or absolute. */
  model_path: z.string().min(1).default('models/ml_momentum.onnx'),
  buy_threshold: z.number().gt(0).lt(1).default(0.55),
  sell_threshold: z.number().gt(0).lt(1).default(0.45),
  require_model: z.boolean().default(false),
};

/** Checks that the thresholds leave a band between them. */
export function thresholdsInOrder(c: { sell_threshold: number; buy_threshold: number }): boolean {
  return c.sell_threshold < c.buy_threshold;
}

/** Config of MlMomentum: the model file, the probability thresholds, and whether the model is required. */
export const configSchema = baseStrategySchema.extend(mlMomentumFields).refine(thresholdsInOrder, {
  path: ['sell_threshold'],
  message: 'must be less than buy_threshold',
});

type Config = z.output<typeof configSchema>;

const [RET_20, SMA20_GAP] = [MOMENTUM_FEATURES.indexOf('ret_20'), MOMENTUM_FEATURES.indexOf('sma20_gap')];

/**
 * Trades on a logistic-regression model (models/ml_momentum.onnx) of the 5-bar forward return: buys
 * `position_size` when flat and P(up) >= `buy_threshold`, closes a long when P(up) <= `sell_threshold`.
 * Without a model (degraded) it trades a momentum rule instead: buy when the 20-bar return and the gap
 * to SMA(20) are both positive, close when both are negative.
 */
export class MlMomentumStrategy extends BaseStrategy<Config> implements MlCapability {
  /** The model file, resolved to an absolute path. */
  readonly modelPath: string;
  readonly #state = new PerSymbol(
    (symbol) => ({ bars: this.ctx.bars(symbol, this.config.interval), features: new MomentumFeatures() }),
    (s, close) => s.features.update(close),
  );
  #model: LogisticModel | undefined;

  constructor(config: Config, name: string) {
    super(config, name);
    this.modelPath = resolve(PROJECT_ROOT, config.model_path);
  }

  /** Returns true when a model is loaded; false means the strategy trades on its rules. */
  get hasModel(): boolean {
    return this.#model !== undefined;
  }

  /** Loads and checks the model with onnxruntime, keeping its weights for the per-bar forward pass. */
  async loadModel(): Promise<void> {
    this.#model = undefined;
    this.#model = await loadLogisticModelFile(this.modelPath, { features: MOMENTUM_FEATURES });
  }

  override setup(_ctx: StrategyContext): boolean {
    for (const symbol of this.symbols) this.#state.get(symbol);
    return true;
  }

  /** Feeds the newest close of `bars` to its symbol's features; returns the row once warmed up. */
  extractFeatures(bars: BarSeriesView): FeatureRow | undefined {
    const state = this.#state.get(bars.symbol);
    const values = state.features.update(bars.close(-1));
    if (values === undefined) return undefined;
    return { symbol: bars.symbol, interval: bars.interval, tsClose: bars.time(-1), values };
  }

  /** Returns the model's P(up over the next 5 bars) for a row, or undefined without a model. */
  predictProbability(features: FeatureRow): number | undefined {
    return this.#model && logisticProbability(this.#model, features.values);
  }

  /**
   * Returns BUY (confidence P(up)) at or above `buy_threshold`, CLOSE (confidence 1 - P(up)) at or below
   * `sell_threshold`, and undefined in between or without a model. Independent of the position.
   */
  predictSignal(features: FeatureRow): Signal | undefined {
    const p = this.predictProbability(features);
    if (p === undefined) return undefined;
    if (!(p >= 0 && p <= 1)) throw new Error(`the model gave P(up) ${p}, not a probability`);
    const { buy_threshold: buy, sell_threshold: sell } = this.config;
    const { symbol } = features;
    const metadata = { probability: p, source: 'model' };
    if (p >= buy) {
      const reason = `model: P(up) ${p.toFixed(4)} >= ${buy}`;
      return { symbol, action: 'BUY', quantity: this.config.position_size, confidence: p, reason, metadata };
    }
    if (p <= sell) {
      return {
        symbol,
        action: 'CLOSE',
        confidence: 1 - p,
        reason: `model: P(up) ${p.toFixed(4)} <= ${sell}`,
        metadata,
      };
    }
    return undefined;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const row = this.extractFeatures(this.ctx.bars(symbol, this.config.interval));
    if (!row) return NO_SIGNALS;
    const signal = this.#model ? this.predictSignal(row) : this.#rulesSignal(row);
    if (!signal) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if ((signal.action === 'BUY' && held === 0) || (signal.action === 'CLOSE' && held > 0)) return [signal];
    return NO_SIGNALS;
  }

  /** The degraded mode's momentum rule, over the same (raw) features. */
  #rulesSignal(row: FeatureRow): Signal | undefined {
    const ret20 = row.values[RET_20]!;
    const gap = row.values[SMA20_GAP]!;
    const { symbol } = row;
    const metadata = { source: 'rules' };
    if (ret20 > 0 && gap > 0) {
      const reason = 'rules (no model): 20-bar return > 0 and close above SMA(20)';
      return { symbol, action: 'BUY', quantity: this.config.position_size, reason, metadata };
    }
    if (ret20 < 0 && gap < 0) {
      return {
        symbol,
        action: 'CLOSE',
        reason: 'rules (no model): 20-bar return < 0 and close below SMA(20)',
        metadata,
      };
    }
    return undefined;
  }
}
