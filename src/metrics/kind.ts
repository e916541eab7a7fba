import type { LoadedSession } from '../config/session-config.ts';
import { hasMlCapability } from '../ml/capability.ts';
import { loadStrategies } from '../strategy/loader.ts';
import type { StrategyKind } from '../strategy/registry.ts';

export type { StrategyKind } from '../strategy/registry.ts';

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

/**
 * Returns the kind of each enabled strategy of a session, by instance name. It loads and constructs the
 * strategies on this thread (as the engine does before it starts them), because a thread strategy's
 * instance lives in its worker, where nothing else can inspect it.
 */
export async function strategyKinds(session: LoadedSession): Promise<ReadonlyMap<string, StrategyKind>> {
  const loaded = await loadStrategies(session.root, session.config.strategies);
  return new Map(loaded.map((s) => [s.strategy.name, strategyKind(s.strategy)]));
}
