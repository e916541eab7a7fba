// The shape the bundled ML strategies share: a logistic model over one feature extractor, buy/close
// thresholds on its probability, and a rule of their own when the model is missing.
import { resolve } from 'node:path';
import { z } from 'zod';
import type { BarSeriesView } from '../data/session-data.ts';
import type { BarFeatureExtractor } from '../ml/bar-features.ts';
import { loadLogisticModelFile } from '../ml/model-file.ts';
import { type LogisticModel, logisticProbability } from '../ml/onnx-logistic.ts';
import type { Interval } from '../model/interval.ts';
import { NO_SIGNALS, type Signal } from '../model/signal.ts';
import { BaseStrategy, baseStrategySchema, type StrategyContext } from './base-strategy.ts';
import type { FeatureRow, MlCapability } from './ml-capability.ts';

/** Returns the config keys of a model strategy whose model file defaults to `modelPath`. */
export function modelFields(modelPath: string) {
  return {
    /** Relative to the project root, or absolute. */
    model_path: z.string().min(1).default(modelPath),
    buy_threshold: z.number().gt(0).lt(1).default(0.55),
    sell_threshold: z.number().gt(0).lt(1).default(0.45),
    require_model: z.boolean().default(false),
  };
}

/** Returns the config schema of a model strategy: the base keys, the model keys, thresholds in order. */
export function modelStrategySchema(modelPath: string) {
  return baseStrategySchema.extend(modelFields(modelPath)).refine((c) => c.sell_threshold < c.buy_threshold, {
    path: ['sell_threshold'],
    message: 'must be less than buy_threshold',
  });
}

/** The config a model strategy reads. */
export type ModelStrategyConfig = z.output<ReturnType<typeof modelStrategySchema>>;

/** What a model strategy is built from besides its config and name. */
export interface ModelStrategyParts {
  /** The folder a relative `model_path` is resolved against (the project root). */
  readonly root: string;
  /** The model's feature names, in column order: a model trained on others is refused at load. */
  readonly features: readonly string[];
  /** Returns a fresh feature extractor for one symbol. */
  readonly extractor: () => BarFeatureExtractor;
}

/**
 * A strategy that trades on a logistic model of the forward return: buys `position_size` when flat and
 * P(up) >= `buy_threshold`, closes a long when P(up) <= `sell_threshold`. Without a model (degraded) it
 * trades `rulesSignal`, its rule over the same raw features.
 */
export abstract class ModelStrategy<C extends ModelStrategyConfig = ModelStrategyConfig>
  extends BaseStrategy<C>
  implements MlCapability
{
  /** The model file, resolved to an absolute path. */
  readonly modelPath: string;
  readonly #parts: ModelStrategyParts;
  readonly #extractors = new Map<string, BarFeatureExtractor>();
  #model: LogisticModel | undefined;

  constructor(config: C, name: string, parts: ModelStrategyParts) {
    super(config, name);
    this.#parts = parts;
    this.modelPath = resolve(parts.root, config.model_path);
  }

  /** Returns the degraded mode's opinion on a row of raw features (BUY, CLOSE or undefined). */
  protected abstract rulesSignal(row: FeatureRow): Signal | undefined;

  /** Returns true when a model is loaded; false means the strategy trades on its rules. */
  get hasModel(): boolean {
    return this.#model !== undefined;
  }

  /** Loads and checks the model with onnxruntime, keeping its weights for the per-bar forward pass. */
  async loadModel(): Promise<void> {
    this.#model = undefined;
    this.#model = await loadLogisticModelFile(this.modelPath, { features: this.#parts.features });
  }

  override setup(_ctx: StrategyContext): boolean {
    for (const symbol of this.symbols) this.#extractor(this.ctx.bars(symbol, this.config.interval));
    return true;
  }

  /** Feeds the newest bar of `bars` to its symbol's extractor; returns the row once warmed up. */
  extractFeatures(bars: BarSeriesView): FeatureRow | undefined {
    const values = this.#extractor(bars).update(bars.close(-1), bars.high(-1), bars.low(-1), bars.volume(-1));
    if (values === undefined) return undefined;
    return { symbol: bars.symbol, interval: bars.interval, tsClose: bars.time(-1), values };
  }

  /** Returns the model's P(up) for a row, or undefined without a model. */
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
      const reason = `model: P(up) ${p.toFixed(4)} <= ${sell}`;
      return { symbol, action: 'CLOSE', confidence: 1 - p, reason, metadata };
    }
    return undefined;
  }

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const row = this.extractFeatures(this.ctx.bars(symbol, this.config.interval));
    if (!row) return NO_SIGNALS;
    const signal = this.#model ? this.predictSignal(row) : this.rulesSignal(row);
    if (!signal) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if ((signal.action === 'BUY' && held === 0) || (signal.action === 'CLOSE' && held > 0)) return [signal];
    return NO_SIGNALS;
  }

  /** The symbol's extractor, made on first use and fed the series' history (all but the newest bar). */
  #extractor(bars: BarSeriesView): BarFeatureExtractor {
    let f = this.#extractors.get(bars.symbol);
    if (f === undefined) {
      f = this.#parts.extractor();
      for (let i = 0; i < bars.length - 1; i++)
        f.update(bars.close(i), bars.high(i), bars.low(i), bars.volume(i));
      this.#extractors.set(bars.symbol, f);
    }
    return f;
  }
}
