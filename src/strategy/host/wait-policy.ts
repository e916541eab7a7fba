// How long a step waits for the strategies it notified, chosen once per run: for all of them (a
// data-driven backtest), within the step's time budget (a replay), or never (live).
import { assertNever } from '../../core/errors.ts';

/** The run modes, as the engine names them: data-driven, clock-driven (replay) and live. */
export type SyncMode = 'data' | 'clock' | 'live';

/** How a run waits for its strategies; every part of the host that waits asks this, never the mode. */
export interface WaitPolicy {
  readonly mode: SyncMode;
  /**
   * Returns how long the step whose next step is due at `nextMs` may wait for strategies: Infinity waits
   * for every one (deterministic), 0 never waits. The last step of a run (`nextMs` Infinity) waits for all
   * in a replay, since there is no next step to leave room for.
   */
  budgetMs(nextMs: number): number;
  /** Whether anything outside a step (a quality update, the end of the run) waits for the strategies. */
  readonly waitsForAll: boolean;
  /** Whether a full queue drops its oldest notification rather than hold up the step (a live feed). */
  readonly dropsWhenFull: boolean;
}

const all = (): number => Number.POSITIVE_INFINITY;
const never = (): number => 0;

/**
 * Returns the policy of a run mode: `data` waits for all, `clock` within `budgetMs(next)` (the replay
 * pacer's budget between steps), `live` never.
 */
export function waitPolicy(mode: SyncMode, budgetMs?: (nextMs: number) => number): WaitPolicy {
  switch (mode) {
    case 'data':
      return { mode, budgetMs: all, waitsForAll: true, dropsWhenFull: false };
    case 'clock': {
      const budget = budgetMs ?? never;
      return {
        mode,
        budgetMs: (next) => (next === Number.POSITIVE_INFINITY ? next : budget(next)),
        waitsForAll: false,
        dropsWhenFull: false,
      };
    }
    case 'live':
      return { mode, budgetMs: never, waitsForAll: false, dropsWhenFull: true };
    default:
      return assertNever(mode, 'run mode');
  }
}
