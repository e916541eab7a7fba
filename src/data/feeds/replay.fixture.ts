// A small two-symbol session for the replay feed and feed server tests: 1m ohlcv files in a temp folder,
// `live.start` after the fourth minute, so four bars of each are history and the rest are played.
import type { LoadedSession } from '../../config/session-config.ts';
import { session, tempFiles } from '../../../test/helpers.ts';

/** Close time of minute `m` of the fixture (minute 0 closes at 2024-01-02 00:01 UTC). */
export const closeAt = (m: number): number => Date.UTC(2024, 0, 2) + (m + 1) * 60_000;
/** Where the played part starts: the close of minute 4. */
export const LIVE_START = closeAt(4);

function rows(minutes: readonly number[], base: number): string {
  const lines = minutes.map((m) => {
    const open = base + m;
    const time = new Date(closeAt(m) - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    return `${time},${open},${open + 1},${open - 1},${open + 0.5},${100 + m}`;
  });
  return ['timestamp,open,high,low,close,volume', ...lines].join('\n') + '\n';
}

/** A: minutes 0-9; B: minutes 0-9 but 6. */
export function replaySession(live: Readonly<Record<string, unknown>> = { start: new Date(LIVE_START).toISOString() }): LoadedSession {
  const dir = tempFiles({
    'A.csv': rows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 100),
    'B.csv': rows([0, 1, 2, 3, 4, 5, 7, 8, 9], 200),
  });
  return session(
    {
      data: [
        { symbol: 'A', file: `${dir}/A.csv`, format: 'ohlcv', calendar: '24h' },
        { symbol: 'B', file: `${dir}/B.csv`, format: 'ohlcv', calendar: '24h' },
      ],
      strategies: [
        {
          module: 'strategies/examples/buy_and_hold',
          isolation: 'inline',
          config: { symbols: ['A'], interval: '1m', position_size: 1 },
        },
      ],
      live,
    },
    'replay-test',
  );
}
