// What the API's routes share: the run store, the run manager and the app's collaborators.
import type { Clock } from '../core/clock.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import type { ScreenerStrategy } from '../screener/types.ts';
import type { ProgressStore } from '../storage/runs-progress.ts';
import type { RequestLimits } from './backtest-request.ts';
import type { RecentResultsCache } from './progress-json.ts';
import type { RunManager } from './run-manager.ts';

/** What the routes share: the store they read, the manager that runs, and the app's collaborators. */
export interface ApiContext {
  readonly store: ProgressStore;
  readonly manager: RunManager;
  readonly source: TickerSource;
  readonly clock: Clock;
  readonly screeners: Readonly<Record<string, ScreenerStrategy>>;
  /** The `last_results` text of the progress endpoint, by run and completed count. */
  readonly recentResults: RecentResultsCache;
  /** The project root: strategies/ and data/ for backtests. */
  readonly root: string;
  /** The most strategy entries and data sources one backtest request may name. */
  readonly limits: RequestLimits;
}
