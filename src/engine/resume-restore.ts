// A resumed live run put back together: its stored bars after the bar files, its accounts, working orders,
// id counters, step counters, recorded events, the positions its strategy threads read and, once its
// committed steps are replayed, each strategy's book of working orders.
import { TradeflowError } from '../core/errors.ts';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import type { StoredRun } from '../storage/store.ts';
import type { StrategyManager } from '../strategy/host/strategy-manager.ts';
import type { AccountBook } from './accounts.ts';
import type { KernelParts } from './assembly.ts';
import type { DataProcessor } from './data-processor.ts';
import type { Stepper } from './stepper.ts';
import type { LoadedData } from './session-builder.ts';

/** What a live run resumes from: the run as stored, and its state and bars after the last committed step. */
export interface ResumePlan {
  readonly run: StoredRun;
  /** Undefined when the run was stopped before its first step was committed. */
  readonly state: LiveState | undefined;
  readonly bars: readonly StoredBar[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Appends a resumed run's stored bars to the base series of their symbols, after the bars the session's files
 * loaded; returns how many bars of each source (by symbol id) came from its files. Fails when a bar belongs to
 * no source, has another interval, or is not after the file's last bar (the file changed since the run).
 */
export function appendStoredBars(loaded: LoadedData, bars: readonly StoredBar[]): number[] {
  const counts = loaded.sources.map((s) => s.series.written);
  for (const bar of bars) {
    const id = loaded.symbols.indexOf(bar.symbol);
    const series = loaded.sources[id]?.series;
    if (series === undefined) {
      throw new TradeflowError(
        'TF_ERR_RESUME',
        `the run received bars of ${bar.symbol}, for which the session has no data source; resume with the session the run was started with`,
      );
    }
    if (series.interval !== bar.interval) {
      throw new TradeflowError(
        'TF_ERR_RESUME',
        `the run received ${bar.interval} bars of ${bar.symbol}, the session's data of ${bar.symbol} is ${series.interval}; resume with the session the run was started with`,
      );
    }
    const last = series.written > 0 ? series.timeAt(series.written - 1) : Number.NEGATIVE_INFINITY;
    if (bar.ts <= last) {
      throw new TradeflowError(
        'TF_ERR_RESUME',
        `the data of ${bar.symbol} holds bars up to ${iso(last)}, not before the run's live bar at ${iso(bar.ts)}: its file changed since the run started; resume with the files the run started with`,
      );
    }
    series.write(bar.ts, bar.open, bar.high, bar.low, bar.close, bar.volume);
  }
  return counts;
}

/**
 * Puts a resumed run's state into a freshly assembled kernel, before any step: the recorder takes the stored
 * events as written, the accounts their cash, books, marks and working orders, the ids and step counters
 * where they were, the order refs the run used, and each strategy thread the positions of its home account.
 */
export function restoreKernel(parts: KernelParts, plan: ResumePlan): void {
  parts.recorder.preload(plan.run);
  const state = plan.state;
  if (state === undefined) return;
  const working = plan.run.orders.filter((o) => o.status === 'open');
  parts.accounts.restore(state.accounts, working, state);
  parts.stepper.restore(state);
  // Refs the run used stay used, and its working orders keep their names; daily losses count from here.
  parts.router.learn(plan.run.orders);
  parts.accounts.newSession();
  for (const a of state.accounts) {
    for (const b of a.books) parts.mirror.restore(a.account, b.strategy, b.symbol, b.qty);
  }
}

/**
 * Puts each strategy's working orders, in every account it routes to, back into its book, without events.
 * Called once the committed steps are replayed (`warmUntil`): the replay hands out the refs the strategy
 * gave then, which a seeded book would make `ctx.order` skip.
 */
export function seedOrderBooks(accounts: AccountBook, strategies: StrategyManager): void {
  strategies.seedOrders((strategy) => accounts.of(strategy).flatMap((a) => a.broker.openOrders(strategy)));
}

/** Replays a resumed run's committed steps, up to and including `lastTs`, for its strategies (Stepper.warm). */
export async function warmUntil(processor: DataProcessor, stepper: Stepper, lastTs: number): Promise<void> {
  for (let t = processor.nextTime(); t <= lastTs; t = processor.nextTime()) await stepper.warm(t);
}
