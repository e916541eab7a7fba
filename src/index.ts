// The public entry, `import { ... } from 'tradeflow'`: everything a strategy module needs, and nothing
// of the engine. Strategies import only from here (a test holds strategies/ to it); the rest of src/ may change.

// Strategies: the base class, its config schema, what the engine hands it, per-symbol state.
export { BaseStrategy, baseStrategySchema } from './strategy/base-strategy.ts';
export type { BaseStrategyConfig, StrategyContext, Subscription } from './strategy/base-strategy.ts';
export { PerSymbol } from './strategy/per-symbol.ts';
export type { TickSnapshot } from './strategy/base-strategy.ts';
export type { Logger } from './core/logger.ts';

// Signals, and the policies that arbitrate between a rules signal and a model signal.
export { NO_SIGNALS } from './model/signal.ts';
export type { OrderType, Signal, SignalAction } from './model/signal.ts';

// Orders a strategy manages: what its order events and fills carry, and what ctx.order and sizing take.
export type { Bracket, TimeInForce } from './model/signal.ts';
export type { Fill, Order, OrderEvent, OrderStatus, OrderUpdate, Side } from './model/order.ts';
export type { OrderSignal, SizingOptions } from './strategy/base-strategy.ts';
export { DECISION_POLICIES, decisionPolicy, majorityVote, unanimous } from './strategy/decision-policy.ts';
export type { DecisionPolicy } from './strategy/decision-policy.ts';

// Bars: intervals and the read-only view of a series.
export { INTERVALS, intervalMs, isInterval } from './model/interval.ts';
export type { Interval } from './model/interval.ts';
export type { BarField, BarSeriesView } from './data/session-data.ts';
export { BarFlags } from './model/bar.ts';
export type { Bar } from './model/bar.ts';

// Incremental indicators.
export { Atr } from './indicators/atr.ts';
export { Bollinger } from './indicators/bollinger.ts';
export { CrossOver } from './indicators/cross-over.ts';
export { Ema } from './indicators/ema.ts';
export { ExactSum } from './indicators/exact-sum.ts';
export { ExpSmoothing } from './indicators/exp-smoothing.ts';
export { Macd } from './indicators/macd.ts';
export type { MacdOptions } from './indicators/macd.ts';
export { Rsi } from './indicators/rsi.ts';
export { Sma } from './indicators/sma.ts';
export { Vwap } from './indicators/vwap.ts';
export type { VwapSessionKey } from './indicators/vwap.ts';

// Errors.
export { isTradeflowError, TradeflowError } from './core/errors.ts';
export type { ErrorCode } from './core/errors.ts';

// ML: the capability a strategy with a model offers, the momentum features, the logistic model.
export type { FeatureRow, MlCapability } from './strategy/ml-capability.ts';
export { hasMlCapability } from './strategy/ml-capability.ts';
export { STRATEGY_TYPES } from './strategy/registry.ts';
export type { StrategyKind, StrategyType } from './strategy/registry.ts';
export { classNameForModule } from './strategy/names.ts';
export { MOMENTUM_FEATURES, MomentumFeatures } from './ml/features.ts';
export {
  BREAKOUT_FEATURES,
  BreakoutFeatures,
  MEAN_REVERSION_FEATURES,
  MeanReversionFeatures,
} from './ml/bar-features.ts';
export type { BarFeatureExtractor } from './ml/bar-features.ts';
export { ModelStrategy, modelStrategySchema } from './strategy/model-strategy.ts';
export type { ModelStrategyConfig, ModelStrategyParts } from './strategy/model-strategy.ts';
export { loadLogisticModelFile } from './ml/model-file.ts';
export { logisticProbability } from './ml/onnx-logistic.ts';
export type { LogisticModel } from './ml/onnx-logistic.ts';
