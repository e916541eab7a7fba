// Live runs for the engine tests: pace sessions whose bar file is warm-up history, fed by an in-process
// feed that delivers bars at a wall-clock pace and then ends as told.
import { delay } from '../src/core/clock.ts';
import type { LoadedSession } from '../src/config/session-config.ts';
import { MemoryLogger } from '../src/core/logger.ts';
import type { BarFeed, FeedBar, FeedEnd, FeedHandlers } from '../src/data/feeds/bar-feed.ts';
import { scriptedFeed } from '../src/data/feeds/feed.fixture.ts';
import { type BacktestOutcome, runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import type { RunStore } from '../src/storage/store.ts';
import { MIN, T0 } from './pace-sessions.ts';

/**
 * Returns `count` 1m bars of `symbol` that follow `history` bars of a pace session (the first closes a
 * minute after the last history bar), zigzagging as the history does so that the pace probe trades.
 */
export function liveBars(count: number, history: number, symbol = 'X'): FeedBar[] {
  return Array.from({ length: count }, (_, k) => {
    const i = history + k;
    const open = 100 + ((i * 7) % 11);
    const close = open + 0.5;
    return {
      symbol,
      interval: '1m',
      tsClose: T0 + (i + 1) * MIN,
      open,
      high: close + 0.25,
      low: open - 0.25,
      close,
      volume: 100 + i,
    };
  });
}

/** One thing a scripted live feed does: deliver a bar, or call a handler (a reject, a connection event). */
export type FeedStep = FeedBar | ((h: FeedHandlers) => void);

/**
 * A feed that performs `steps` `gapMs` of wall time apart (the first after `gapMs`), then ends with `end`
 * (completed by default). Stopping it stops the script.
 */
export function pacedFeed(
  steps: readonly FeedStep[],
  gapMs: number,
  end: FeedEnd = { outcome: 'completed', reason: 'script done' },
): BarFeed {
  let stopped = false;
  let timer: ReturnType<typeof delay> | undefined;
  return scriptedFeed(
    'ws://127.0.0.1:9/scripted',
    (h) => {
      void (async () => {
        for (const step of steps) {
          timer = delay(gapMs);
          await timer.promise;
          if (stopped) return;
          if (typeof step === 'function') step(h);
          else h.onBar(step);
        }
        if (!stopped) h.onEnd(end);
      })();
    },
    () => {
      stopped = true;
      timer?.cancel();
    },
  );
}

/** Runs a session live on `feed`; returns the outcome and the log. */
export async function runLive(
  session: LoadedSession,
  feed: BarFeed,
  store?: RunStore,
): Promise<BacktestOutcome & { log: MemoryLogger }> {
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({
    session,
    runId: 'live-test',
    startedAt: 0,
    logger: log,
    feed,
    ...(store ? { store } : {}),
  });
  return { ...outcome, log };
}
