import type { LoadedSession } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import type { StrategyContext } from '../strategy/base-strategy.ts';
import { loadStrategies } from '../strategy/loader.ts';
import type { AccountBook } from './accounts.ts';
import { DataProcessor } from './data-processor.ts';
import type { SeriesQuality } from './series-quality.ts';
import { type LoadedData, resolveSubscriptions } from './session-builder.ts';
import type { Runner, StrategyManager } from '../strategy/host/strategy-manager.ts';

/** What starting a session's strategies works with. */
export interface StartParts {
  readonly session: LoadedSession;
  readonly loaded: LoadedData;
  readonly accounts: AccountBook;
  readonly quality: SeriesQuality;
  readonly strategies: StrategyManager;
  readonly contextOf: (runner: Runner) => StrategyContext;
}

/**
 * Loads the session's strategies, routes each to its paper accounts, builds the data processor over the
 * series they subscribe to (tracking each one's quality), and starts them (setup, in threads or inline).
 * Returns the processor; fails with TF_ERR_NO_STRATEGIES, naming the reasons, when none started.
 */
export async function startStrategies(p: StartParts): Promise<DataProcessor> {
  const { session, loaded: data } = p;
  const loaded = await loadStrategies(session.root, session.config.strategies);
  for (const s of loaded) p.accounts.assign(s.strategy.name, s.entry.active_brokers);
  const resolved = loaded.map((s) =>
    resolveSubscriptions(s.strategy.name, s.strategy.getSubscriptions(), data),
  );
  const processor = new DataProcessor(data, resolved.flat());
  for (const slot of processor.slots) p.quality.track(slot.series, data.sources[slot.symbolId]!.calendar);
  const subsOf = new Map(loaded.map((s, i) => [s.strategy.name, resolved[i]!]));
  await p.strategies.start(
    loaded,
    p.contextOf,
    (runner) =>
      (subsOf.get(runner.name) ?? []).map((sub) => processor.slotOf(data.data, sub.symbol, sub.interval)),
    processor.slots.length,
  );
  if (p.strategies.runners.length === 0) {
    const why = p.strategies.failures.map((f) => `${f.name}: ${f.reason}`).join('; ');
    throw new TradeflowError(
      'TF_ERR_NO_STRATEGIES',
      `no strategy started${why ? ` (${why})` : ' (none is enabled)'}`,
    );
  }
  return processor;
}
