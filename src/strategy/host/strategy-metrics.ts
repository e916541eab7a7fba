// A strategy's state and figures as the engine reports them, read from its runner.
import type { Subscription } from '../base-strategy.ts';
import type { StrategyKind } from '../registry.ts';
import type { RunStatus, StrategyState } from './lifecycle.ts';
import type { ProcessingMetrics } from './metrics.ts';
import type { Isolation, StrategyRunner } from './runner.ts';

/** A strategy's state and figures, as `engine.getMetrics()` reports them. */
export interface StrategyMetrics extends ProcessingMetrics {
  readonly name: string;
  /** `rules`, `ml` (it has the ML capability) or `hybrid`, from the instance the engine loaded. */
  readonly kind: StrategyKind;
  readonly isolation: Isolation;
  /** Why it runs there: its entry forced it, or what the `auto` warm-up measured. */
  readonly placement: string;
  /** The state its run left it in (after teardown too): running, paused or faulted. */
  readonly status: RunStatus;
  /** Its lifecycle state now (see STRATEGY_TRANSITIONS): `stopped` once torn down. */
  readonly state: StrategyState;
  readonly faultReason?: string;
  /** Why the strategy runs on its rules without its model, when it does. */
  readonly degraded?: string;
  /** The (symbol, interval) pairs routed to it now. */
  readonly subscriptions: readonly Subscription[];
  /** Notifications waiting in the strategy's queue now. */
  readonly queueDepth: number;
  readonly backpressureEvents: number;
}

/** Reads a started strategy's state and figures from its runner. */
export function strategyMetrics(r: StrategyRunner, backpressureEvents: number): StrategyMetrics {
  const { state, reason } = r.lifecycle;
  return {
    name: r.name,
    kind: r.kind,
    isolation: r.placement.isolation,
    placement: r.placement.reason,
    status: r.lifecycle.runStatus,
    state,
    ...(state === 'faulted' && reason !== undefined ? { faultReason: reason } : {}),
    ...(r.degraded === undefined ? {} : { degraded: r.degraded }),
    subscriptions: r.subscriptions(),
    queueDepth: r.queued,
    backpressureEvents,
    ...r.metrics(),
  };
}
