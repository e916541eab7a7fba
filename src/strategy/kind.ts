// Tells a strategy's kind (rules, ml or hybrid) from what it offers, for the metrics.
import { hasMlCapability } from './ml-capability.ts';
import type { StrategyKind } from './registry.ts';

export type { StrategyKind } from './registry.ts';

/** Every strategy kind, in the order the metrics list them. */
export const STRATEGY_KINDS = ['rules', 'ml', 'hybrid'] as const satisfies readonly StrategyKind[];

function markedHybrid(o: unknown): boolean {
  return (
    (typeof o === 'object' || typeof o === 'function') && o !== null && Reflect.get(o, 'kind') === 'hybrid'
  );
}

/**
 * Returns a strategy's kind from what it offers: `hybrid` when the instance or its class says
 * `kind === 'hybrid'`, `ml` when it has the ML capability (`loadModel`, `extractFeatures`,
 * `predictSignal`), `rules` otherwise.
 */
export function strategyKind(strategy: object): StrategyKind {
  if (markedHybrid(strategy) || markedHybrid(strategy.constructor)) return 'hybrid';
  return hasMlCapability(strategy) ? 'ml' : 'rules';
}
