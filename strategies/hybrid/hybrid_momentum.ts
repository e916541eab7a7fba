// Hybrid strategy: momentum rules and the ML model, combined bar by bar by a decision policy.
import { z } from 'zod';
import {
  baseStrategySchema,
  DECISION_POLICIES,
  type DecisionPolicy,
  decisionPolicy,
  type FeatureRow,
  type Interval,
  MOMENTUM_FEATURES,
  NO_SIGNALS,
  type Signal,
} from 'tradeflow';
import { MlMomentumStrategy, mlMomentumFields, thresholdsInOrder } from '../ml/ml_momentum.ts';

/** Config of HybridMomentum: the ML strategy's keys plus the decision policy that combines it with the rules. */
export const configSchema = baseStrategySchema
  .extend({
    ...mlMomentumFields,
    policy: z.enum(DECISION_POLICIES).default('majority_vote'),
    min_ml_confidence: z.number().min(0).max(1).default(0.6),
    rules_confidence: z.number().min(0).max(1).default(0.6),
  })
  .refine(thresholdsInOrder, { path: ['sell_threshold'], message: 'must be less than buy_threshold' });

type Config = z.output<typeof configSchema>;

const [RET_20, SMA20_GAP] = [MOMENTUM_FEATURES.indexOf('ret_20'), MOMENTUM_FEATURES.indexOf('sma20_gap')];

/**
 * Momentum rules and the ML model, combined bar by bar by a decision policy (`majority_vote` by default:
 * agreeing signals combine, a model signal at least `min_ml_confidence` sure wins, otherwise the rules).
 * Without a model it is its rules alone, as the policy gets no model opinion.
 */
export class HybridMomentumStrategy extends MlMomentumStrategy {
  /** Marks the strategy's kind for metrics (rules, ml or hybrid). */
  static readonly kind = 'hybrid';
  readonly #policy: DecisionPolicy;
  readonly #rulesConfidence: number;

  constructor(config: Config, name: string) {
    super(config, name);
    this.#policy = decisionPolicy(config.policy, config.min_ml_confidence);
    this.#rulesConfidence = config.rules_confidence;
  }

  /** Returns the rules processor's opinion on a feature row: momentum and trend in the same direction. */
  rulesSignal(row: FeatureRow): Signal | undefined {
    const ret20 = row.values[RET_20]!;
    const gap = row.values[SMA20_GAP]!;
    const base = { symbol: row.symbol, confidence: this.#rulesConfidence, metadata: { source: 'rules' } };
    if (ret20 > 0 && gap > 0) {
      return { ...base, action: 'BUY', quantity: this.config.position_size, reason: 'rules: momentum up' };
    }
    if (ret20 < 0 && gap < 0) return { ...base, action: 'CLOSE', reason: 'rules: momentum down' };
    return undefined;
  }

  override onBars(symbol: string, interval: Interval): readonly Signal[] {
    const bars = this.ctx.bars(symbol, interval);
    const row = this.extractFeatures(bars);
    if (!row) return NO_SIGNALS;
    const signal = this.#policy.decide(this.rulesSignal(row), this.predictSignal(row));
    if (!signal) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if ((signal.action === 'BUY' && held === 0) || (signal.action === 'CLOSE' && held > 0)) {
      return [signal.action === 'BUY' ? { ...signal, quantity: this.config.position_size } : signal];
    }
    return NO_SIGNALS;
  }
}
