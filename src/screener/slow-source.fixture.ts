// A ticker source for tests whose loads take a few ms, so that a screen is still going when a test's next
// request comes; describable, so that a screen's thread builds the same source.
import { monotonicMs } from '../core/clock.ts';
import { type TickerSource, type TickerSourceSpec, tickerSourceFrom } from './ticker-source.ts';

/** Returns `base` with each load taking at least `loadMs` ms (a busy wait, as a slow parser would). */
export function slowTickerSource(base: TickerSource, loadMs: number): TickerSource {
  return {
    tickers: () => base.tickers(),
    has: (t) => base.has(t),
    load: (t) => {
      const until = monotonicMs() + loadMs;
      while (monotonicMs() < until);
      return base.load(t);
    },
    spec: { kind: 'module', url: import.meta.url, export: 'slowTickerSourceOf', args: [base.spec, loadMs] },
  };
}

/** Builds the slow source a spec's args describe (its base's spec and the load time), in a run's thread. */
export async function slowTickerSourceOf(base: TickerSourceSpec, loadMs: number): Promise<TickerSource> {
  return slowTickerSource(await tickerSourceFrom(base), loadMs);
}
