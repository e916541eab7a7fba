// Where each strategy runs: on the engine's thread or in its own, as its entry says, or for `auto`
// from the run's wait policy and, in a data-driven backtest, the strategy's cost per bar in a warm-up.
import { availableParallelism } from 'node:os';
import { monotonicMs } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import type { TradingCalendar } from '../../data/calendar.ts';
import type { BarSeries, SeriesDescriptor } from '../../data/session-data.ts';
import { type SeriesKey, seriesKey } from '../../model/bar.ts';
import type { Interval } from '../../model/interval.ts';
import type { BaseStrategy } from '../base-strategy.ts';
import type { LoadedStrategy } from '../loader.ts';
import { strategyContext } from './context.ts';
import { HookCaller, messageOf } from './hooks.ts';
import { METRICS_SLOTS, MetricsWriter } from './metrics.ts';
import type { Placement } from './runner.ts';
import type { WaitPolicy } from './wait-policy.ts';
import { runWithin, TimeLimitExceeded } from './watchdog.ts';

/**
 * A strategy whose bar costs at least this much runs in a thread under `auto`: handing a step to a thread
 * and collecting it costs the engine about 10-30 us (the notify latency with several threads), so below
 * this a thread's parallel work cannot repay its wake-ups.
 */
export const THREAD_PAYS_US = 25;
/** Notifications the warm-up delivers at most, and the first ones left out of its timing (the JIT's). */
const TRIAL_NOTIFICATIONS = 256;
const TRIAL_UNTIMED = 32;
/**
 * The slowest share of the timed notifications left out of the cost: a busy machine can stop the thread
 * for milliseconds in the middle of one call, which would otherwise decide the placement alone.
 */
const TRIAL_OUTLIERS = 0.05;
/** Wall time a warm-up may take at most, per strategy. */
const TRIAL_MS = 50;

/** What the warm-up reads: the session's bars, loaded and not yet published. */
export interface TrialData {
  /** Returns a series with its loaded bars, or undefined (an aggregated series has none before the run). */
  series(symbol: string, interval: Interval): BarSeries | undefined;
  calendar(symbol: string): TradingCalendar | undefined;
  /** Returns the cash of the account a strategy reads. */
  cash(strategy: string): number;
}

/** What choosing placements takes. */
export interface PlacementOptions {
  readonly wait: WaitPolicy;
  readonly data: TrialData;
  /** Cores the process may use (default: the machine's). */
  readonly cores?: number;
}

/** Returns each loaded strategy's placement, in `loaded` order. */
export async function placementsOf(
  loaded: readonly LoadedStrategy[],
  o: PlacementOptions,
): Promise<readonly Placement[]> {
  const placements: Placement[] = [];
  for (const s of loaded) placements.push(await placementOf(s, o));
  return placements;
}

async function placementOf(s: LoadedStrategy, o: PlacementOptions): Promise<Placement> {
  const isolation = s.entry.isolation;
  if (isolation !== 'auto') return { isolation, reason: `isolation "${isolation}" in its entry` };
  if (!o.wait.waitsForAll) {
    const run = o.wait.mode === 'live' ? 'a live run' : 'a replay';
    return { isolation: 'thread', reason: `auto: in ${run}, each strategy is isolated in its own thread` };
  }
  if ((o.cores ?? availableParallelism()) < 2) {
    return { isolation: 'inline', reason: 'auto: one core, so a thread could not run beside the engine' };
  }
  const cost = await warmUpCost(s, o.data);
  if (cost instanceof TimeLimitExceeded) {
    return {
      isolation: 'thread',
      reason: `auto: its warm-up onBars did not return within ${cost.limitMs} ms (step_timeout_ms), so it runs in a thread, where its step timeout can end it`,
    };
  }
  if (typeof cost === 'string') return { isolation: 'inline', reason: `auto: ${cost}` };
  const measured = `measured ${cost < 1 ? cost.toFixed(2) : cost.toFixed(0)} us per bar in a warm-up`;
  return cost >= THREAD_PAYS_US
    ? { isolation: 'thread', reason: `auto: ${measured}, at least the ${THREAD_PAYS_US} us a thread repays` }
    : { isolation: 'inline', reason: `auto: ${measured}, under the ${THREAD_PAYS_US} us a thread repays` };
}

/**
 * Runs a second instance of the strategy over the first bars of its subscriptions that are loaded (in
 * time order, each series seen only up to the bar being delivered), through the same hook policy, and
 * returns its cost per bar in microseconds, or why it could not be measured. Its signals are ignored and
 * nothing it does reaches the run.
 */
async function warmUpCost(s: LoadedStrategy, data: TrialData): Promise<number | string | TimeLimitExceeded> {
  const series: { key: SeriesKey; bars: BarSeries; descriptor: SeriesDescriptor; length: Int32Array }[] = [];
  for (const [symbol, interval] of s.strategy.getSubscriptions()) {
    const bars = data.series(symbol, interval);
    if (bars === undefined || bars.written === 0) continue;
    // The same columns behind a length of the warm-up's own: the session's series stay unpublished.
    const meta = new SharedArrayBuffer(4);
    series.push({
      key: seriesKey(symbol, interval),
      bars,
      descriptor: { ...bars.descriptor, meta },
      length: new Int32Array(meta),
    });
  }
  if (series.length === 0) return 'no loaded bars to measure it on before the run (inline)';
  let now = Number.NaN;
  /** The last close delivered per symbol, as the account would have marked it. */
  const closes = new Map<string, number>();
  const byKey = new Map(series.map((x) => [x.key, x]));
  const name = s.strategy.name;
  const ctx = strategyContext({
    name,
    log: silentLogger,
    subscribes: (key) => byKey.has(key),
    series: (symbol, interval) => byKey.get(seriesKey(symbol, interval))?.descriptor,
    quality: () => 100,
    calendar: (symbol) => data.calendar(symbol),
    position: () => 0,
    cash: () => data.cash(name),
    // The warm-up measures cost only: the strategy is flat, its orders go nowhere.
    equity: () => data.cash(name),
    lastClose: (symbol) => closes.get(symbol) ?? Number.NaN,
    openOrders: () => [],
    now: () => now,
  });
  let hooks: HookCaller;
  try {
    const Strategy = s.strategy.constructor as new (config: unknown, name: string) => BaseStrategy;
    hooks = new HookCaller(
      new Strategy(s.strategy.config, name),
      silentLogger,
      new MetricsWriter(new Float64Array(METRICS_SLOTS)),
    );
  } catch (e) {
    return `a second instance for the warm-up could not be made (${messageOf(e)}); inline`;
  }
  const started = await hooks.start(ctx, s.entry.setup_timeout_ms);
  if (!started.ok) return `its warm-up instance did not start (${started.reason}); inline`;
  let delivered = 0;
  const times: number[] = [];
  const t0 = monotonicMs();
  // The warm-up runs on the engine's thread: bounded like an inline strategy's calls, so that one that
  // never returns is found out here instead of freezing the run.
  const deliver = (): void => {
    for (;;) {
      // The next close time among the series, then every series with a bar at that time.
      now = Number.POSITIVE_INFINITY;
      for (const x of series)
        if (x.length[0]! < x.bars.written) now = Math.min(now, x.bars.timeAt(x.length[0]!));
      if (now === Number.POSITIVE_INFINITY) break;
      for (const x of series) {
        const i = x.length[0]!;
        if (i >= x.bars.written || x.bars.timeAt(i) !== now) continue;
        x.length[0] = i + 1;
        closes.set(x.bars.symbol, x.bars.closeAt(i));
        const before = monotonicMs();
        hooks.onBars(x.bars.symbol, x.bars.interval);
        if (++delivered > TRIAL_UNTIMED) times.push(monotonicMs() - before);
      }
      if (delivered >= TRIAL_NOTIFICATIONS || monotonicMs() - t0 > TRIAL_MS) break;
    }
  };
  try {
    runWithin(deliver, s.entry.step_timeout_ms);
  } catch (e) {
    if (e instanceof TimeLimitExceeded) return e;
    throw e;
  }
  await hooks.teardown(ctx, s.entry.teardown_timeout_ms);
  if (times.length === 0) return 'too few loaded bars to measure it on before the run (inline)';
  times.sort((a, b) => a - b);
  const kept = times.slice(0, times.length - Math.floor(times.length * TRIAL_OUTLIERS));
  return (kept.reduce((sum, ms) => sum + ms, 0) * 1000) / kept.length;
}
