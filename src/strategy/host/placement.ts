// Where each strategy runs: on the engine's thread or in its own, as its entry says, or for `auto`
// as the run's wait policy and the strategy's measured cost make worth it.
import type { Logger } from '../../core/logger.ts';
import type { LoadedStrategy } from '../loader.ts';
import type { Placement } from './runner.ts';
import type { WaitPolicy } from './wait-policy.ts';

/** Returns each loaded strategy's placement, in `loaded` order. */
export function placementsOf(
  loaded: readonly LoadedStrategy[],
  wait: WaitPolicy,
  _log: Logger,
): Promise<readonly Placement[]> {
  return Promise.resolve(
    loaded.map((s): Placement => {
      const isolation = s.entry.isolation;
      if (isolation === 'inline' || isolation === 'thread') {
        return { isolation, reason: `its entry says isolation "${isolation}"` };
      }
      return wait.waitsForAll
        ? { isolation: 'inline', reason: 'auto: a data-driven backtest' }
        : {
            isolation: 'thread',
            reason: `auto: a ${wait.mode === 'live' ? 'live run' : 'replay'} isolates each strategy`,
          };
    }),
  );
}
