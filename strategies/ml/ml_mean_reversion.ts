// ML strategy: trades on the bundled logistic-regression model over mean-reversion features, with a
// Bollinger-style rule when there is no model.
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import {
  type FeatureRow,
  MEAN_REVERSION_FEATURES,
  MeanReversionFeatures,
  ModelStrategy,
  modelStrategySchema,
  type Signal,
} from 'tradeflow';

// The context carries no project root, so a relative model_path is resolved against this file's place.
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Config of MlMeanReversion: the model file, the probability thresholds, and whether the model is required. */
export const configSchema = modelStrategySchema('models/ml_mean_reversion.onnx');

type Config = z.output<typeof configSchema>;

const ZSCORE = MEAN_REVERSION_FEATURES.indexOf('zscore_20');

/**
 * Trades on a logistic-regression model (models/ml_mean_reversion.onnx) of the 5-bar forward return over
 * the distance from the 20-bar mean, its z-score, RSI(14) and short returns. Without a model (degraded) it
 * buys a close two deviations below SMA(20) and closes when the close is back at the mean.
 */
export class MlMeanReversionStrategy extends ModelStrategy<Config> {
  constructor(config: Config, name: string) {
    super(config, name, {
      root: PROJECT_ROOT,
      features: MEAN_REVERSION_FEATURES,
      extractor: () => new MeanReversionFeatures(),
    });
  }

  protected override rulesSignal(row: FeatureRow): Signal | undefined {
    const z = row.values[ZSCORE]!;
    const { symbol } = row;
    const metadata = { source: 'rules' };
    if (z <= -2) {
      const reason = 'rules (no model): close two deviations below SMA(20)';
      return { symbol, action: 'BUY', quantity: this.config.position_size, reason, metadata };
    }
    if (z >= 0)
      return { symbol, action: 'CLOSE', reason: 'rules (no model): close back at SMA(20)', metadata };
    return undefined;
  }
}
