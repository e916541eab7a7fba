// Each started strategy's type and accounts, as the plan-named Prometheus series label them.
import { basename } from 'node:path';
import type { LoadedStrategy } from '../strategy/loader.ts';
import type { AccountBook } from './accounts.ts';

/** A started strategy's type and the accounts its orders go to. */
export interface StrategyTypeRow {
  readonly strategy: string;
  /** Its registered type (`ml_momentum`), or its module's file name (`buy_and_hold`) when named by module. */
  readonly type: string;
  /** The accounts it trades in (`active_brokers`), the primary account when none is named. */
  readonly brokers: readonly string[];
}

/** Returns the type and accounts of each loaded strategy, in registration order. */
export function strategyTypeRows(
  loaded: readonly LoadedStrategy[],
  accounts: AccountBook,
): StrategyTypeRow[] {
  return loaded.map(({ strategy, entry }) => ({
    strategy: strategy.name,
    type: entry.type ?? basename(entry.module ?? strategy.name),
    brokers: accounts.of(strategy.name).map((a) => a.name),
  }));
}
