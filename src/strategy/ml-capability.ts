// The ML capability a strategy may offer (a model behind loadModel, extractFeatures, predictSignal), and
// how it is detected: the engine never requires ML, it looks for these methods.
import type { BarSeriesView } from '../data/session-data.ts';
import type { Interval } from '../model/interval.ts';
import type { Signal } from '../model/signal.ts';
import type { BaseStrategy } from './base-strategy.ts';

/** One bar's features, in the model's column order, and the bar they describe. Never mutated. */
export interface FeatureRow {
  readonly symbol: string;
  readonly interval: Interval;
  /** The close time of the bar, epoch ms UTC. */
  readonly tsClose: number;
  readonly values: Float64Array;
}

/**
 * The ML capability: a strategy that offers these methods has a model. The runners detect it (see
 * `hasMlCapability`) and call `loadModel` before `setup`; nothing else in the engine needs it.
 */
export interface MlCapability {
  /** The model file, named in warnings when it does not load. */
  readonly modelPath?: string;
  /** Loads the model; a throw leaves the strategy degraded (on its rules) or, with `require_model`, not started. */
  loadModel(): Promise<void> | void;
  /** Computes the newest bar's features; stateful, so call it once per new bar. Undefined while warming up. */
  extractFeatures(bars: BarSeriesView): FeatureRow | undefined;
  /** Returns the model's signal for a feature row, or undefined when the model has no opinion (or no model). */
  predictSignal(features: FeatureRow): Signal | undefined;
}

/** Returns true when a strategy offers the ML capability (all three methods). */
export function hasMlCapability<S extends object>(strategy: S): strategy is S & MlCapability {
  const s = strategy as Partial<Record<keyof MlCapability, unknown>>;
  return (
    typeof s.loadModel === 'function' &&
    typeof s.extractFeatures === 'function' &&
    typeof s.predictSignal === 'function'
  );
}

/** Returns true when the strategy's config says it must not run without its model. */
export function requiresModel(strategy: BaseStrategy): boolean {
  return (strategy.config as Readonly<Record<string, unknown>>)['require_model'] === true;
}
