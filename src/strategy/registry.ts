// The strategy types tradeflow ships, usable by name from a session config (`"type": "momentum"`).
import { TradeflowError } from '../core/errors.ts';

/** What kind of strategy a type is: plain rules, an ML model, or both combined by a decision policy. */
export type StrategyKind = 'rules' | 'ml' | 'hybrid';

/** A strategy type usable by name from a session config (`"type": "momentum"`). */
export interface StrategyType {
  readonly module: string;
  readonly kind: StrategyKind;
  readonly description: string;
}

/** The strategy types tradeflow ships, by name. */
export const STRATEGY_TYPES: Readonly<Record<string, StrategyType>> = {
  momentum: {
    module: 'strategies/examples/momentum',
    kind: 'rules',
    description: 'time-series momentum: return over a lookback above a threshold, close above its SMA',
  },
  mean_reversion: {
    module: 'strategies/examples/mean_reversion',
    kind: 'rules',
    description: 'buys a close below the lower Bollinger band, closes at the middle band',
  },
  rsi: {
    module: 'strategies/examples/rsi',
    kind: 'rules',
    description: "Wilder's RSI: buys oversold, closes overbought",
  },
  sma_cross: {
    module: 'strategies/examples/simple_ma_cross',
    kind: 'rules',
    description: 'fast SMA crossing the slow SMA',
  },
  ml_momentum: {
    module: 'strategies/ml/ml_momentum',
    kind: 'ml',
    description: 'an ONNX logistic regression over engineered momentum features',
  },
  ml_mean_reversion: {
    module: 'strategies/ml/ml_mean_reversion',
    kind: 'ml',
    description: 'an ONNX logistic regression over mean-reversion features (z-score, gap to SMA(20), RSI)',
  },
  ml_breakout: {
    module: 'strategies/ml/ml_breakout',
    kind: 'ml',
    description: 'an ONNX logistic regression over breakout features (20-bar high/low, range, volume surge)',
  },
  hybrid: {
    module: 'strategies/hybrid/hybrid',
    kind: 'hybrid',
    description: 'any rules type and any ML type combined by a decision policy (config: rules, ml, policy)',
  },
  hybrid_momentum: {
    module: 'strategies/hybrid/hybrid_momentum',
    kind: 'hybrid',
    description: 'momentum rules and the ML model combined by a decision policy',
  },
  bracket_breakout: {
    module: 'strategies/examples/bracket_breakout',
    kind: 'rules',
    description: 'a breakout entry with a stop-loss and a take-profit attached, cancelled when stale',
  },
};

/** Returns a registered type, or throws an error that lists the known ones. */
export function strategyType(name: string, where: string): StrategyType {
  // Own keys only: "__proto__" or "toString" must be unknown types, not Object.prototype's members.
  const t = Object.hasOwn(STRATEGY_TYPES, name) ? STRATEGY_TYPES[name] : undefined;
  if (t !== undefined) return t;
  throw new TradeflowError(
    'TF_ERR_CONFIG_INVALID',
    `${where}: unknown strategy type "${name}"; known types: ${Object.keys(STRATEGY_TYPES).join(', ')}`,
  );
}
