// ML strategy: trades on the bundled logistic-regression model over breakout features, with a channel
// breakout rule when there is no model.
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import {
  BREAKOUT_FEATURES,
  BreakoutFeatures,
  type FeatureRow,
  ModelStrategy,
  modelStrategySchema,
  type Signal,
} from 'tradeflow';

// The context carries no project root, so a relative model_path is resolved against this file's place.
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Config of MlBreakout: the model file, the probability thresholds, and whether the model is required. */
export const configSchema = modelStrategySchema('models/ml_breakout.onnx');

type Config = z.output<typeof configSchema>;

const [HIGH_GAP, LOW_GAP] = [BREAKOUT_FEATURES.indexOf('high20_gap'), BREAKOUT_FEATURES.indexOf('low20_gap')];

/**
 * Trades on a logistic-regression model (models/ml_breakout.onnx) of the 10-bar forward return over the
 * distance to the previous 20 bars' high and low, range expansion and volume surge. Without a model
 * (degraded) it trades a channel breakout: buy a close above the previous 20 bars' highest high, close
 * on a close below their lowest low.
 */
export class MlBreakoutStrategy extends ModelStrategy<Config> {
  constructor(config: Config, name: string) {
    super(config, name, {
      root: PROJECT_ROOT,
      features: BREAKOUT_FEATURES,
      extractor: () => new BreakoutFeatures(),
    });
  }

  protected override rulesSignal(row: FeatureRow): Signal | undefined {
    const { symbol } = row;
    const metadata = { source: 'rules' };
    if (row.values[HIGH_GAP]! > 0) {
      const reason = 'rules (no model): close above the 20-bar high';
      return { symbol, action: 'BUY', quantity: this.config.position_size, reason, metadata };
    }
    if (row.values[LOW_GAP]! < 0) {
      return { symbol, action: 'CLOSE', reason: 'rules (no model): close below the 20-bar low', metadata };
    }
    return undefined;
  }
}
