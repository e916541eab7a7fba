// The kernel assembled in one pass, in order: data, strategies, subscriptions, processor, accounts,
// host, stepper. Each part is built from the ones before it; nothing is filled in later.
import type { LoadedSession } from '../config/session-config.ts';
import type { TestClock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { TradingCalendar } from '../data/calendar.ts';
import type { Interval } from '../model/interval.ts';
import { loadStrategies } from '../strategy/loader.ts';
import { strategyContext } from '../strategy/host/context.ts';
import { InlineRunner } from '../strategy/host/inline-runner.ts';
import { OrderEventQueue } from '../strategy/host/order-events.ts';
import { PositionMirror } from '../strategy/host/position-mirror.ts';
import type { StrategyRunner } from '../strategy/host/runner.ts';
import { StrategyManager } from '../strategy/host/strategy-manager.ts';
import { type SyncMode, type WaitPolicy, waitPolicy } from '../strategy/host/wait-policy.ts';
import type { RunStore } from '../storage/store.ts';
import { AccountBook, accountsInUse } from './accounts.ts';
import { BetweenSteps } from './between-steps.ts';
import { DataProcessor } from './data-processor.ts';
import { ReplayPacer } from './pacer.ts';
import { placementsOf } from '../strategy/host/placement.ts';
import { RunRecorder } from './recorder.ts';
import { RunEventSource } from './run-event-source.ts';
import type { RunEvents } from './run-events.ts';
import { appendStoredBars } from './resume-restore.ts';
import type { StoredBar } from '../model/live-state.ts';
import type { SignalRecord } from '../model/run.ts';
import { SeriesQuality } from './series-quality.ts';
import { type GrowingData, loadSessionData, resolveSubscriptions } from './session-builder.ts';
import { OrderRefs } from './order-refs.ts';
import { SignalRouter } from './signal-router.ts';
import { Stepper } from './stepper.ts';
import { type StrategyTypeRow, strategyTypeRows } from './strategy-types.ts';
import { checkTickStrategies, tickScheduleOf } from './tick-setup.ts';
import type { TickSchedule } from './tick-schedule.ts';

/** What assembling a kernel takes. */
export interface AssemblyOptions {
  readonly session: LoadedSession;
  readonly runId: string;
  readonly clock: TestClock;
  readonly log: Logger;
  readonly store?: RunStore;
  /** The run mode; by default from `speed_multiplier` (0: data-driven, else a clock-driven replay). */
  readonly syncMode?: SyncMode;
  /** A resumed live run's stored bars, appended to its sources after their bar files. */
  readonly liveBars?: readonly StoredBar[];
  /** Hears the run's events (signals, orders, fills, ...); wired only when it has listeners. */
  readonly events?: RunEvents;
}

/** The parts of an assembled kernel. */
export interface KernelParts {
  readonly loaded: GrowingData;
  readonly processor: DataProcessor;
  readonly quality: SeriesQuality;
  readonly recorder: RunRecorder;
  readonly accounts: AccountBook;
  readonly strategies: StrategyManager;
  readonly wait: WaitPolicy;
  readonly pacer: ReplayPacer | undefined;
  readonly stepper: Stepper;
  /** Turns signals into orders; its counts feed the engine's metrics. */
  readonly router: SignalRouter;
  readonly between: BetweenSteps;
  /** Copies positions into strategy threads (a resumed run's books go through it). */
  readonly mirror: PositionMirror;
  /** For a resumed live run: how many bars of each source (by symbol id) came from its bar files. */
  readonly historyCounts: readonly number[] | undefined;
  /** Each loaded strategy's type and accounts (the plan-named Prometheus series). */
  readonly strategyTypes: readonly StrategyTypeRow[];
  /** The scheduled strategies' ticks (undefined when none has a `tick_interval`). */
  readonly ticks: TickSchedule | undefined;
}

/**
 * Loads the session and builds every part of its kernel, starting its strategies (setup, inline or in
 * threads). Fails with TF_ERR_NO_STRATEGIES, naming the reasons, when none started.
 */
export async function assembleKernel(o: AssemblyOptions): Promise<KernelParts> {
  const { session, clock, log } = o;
  const speed = session.config.speed_multiplier;
  // 1. Data: every source's bars in memory, none published yet. A live run's history ends at `live.start`:
  // the bars from there on come from its feed.
  const liveStart = o.syncMode === 'live' ? session.config.live?.start : undefined;
  const loaded = loadSessionData(
    session,
    log,
    liveStart === undefined ? {} : { historyUntilMs: Date.parse(liveStart) },
  );
  const historyCounts = o.liveBars && appendStoredBars(loaded, o.liveBars);
  // 2. Strategies: modules imported, configs validated, instances made; nothing started.
  const strategies = await loadStrategies(session.root, session.config.strategies);
  checkTickStrategies(strategies);
  // 3. Subscriptions, resolved against the data (aggregated series are created here).
  const resolved = strategies.map((s) =>
    resolveSubscriptions(s.strategy.name, s.strategy.getSubscriptions(), loaded),
  );
  // 4. The processor over every series a strategy subscribes to, each one's quality tracked.
  const processor = new DataProcessor(loaded, resolved.flat());
  const quality = new SeriesQuality();
  for (const slot of processor.slots) quality.track(slot.series, loaded.sources[slot.symbolId]!.calendar);
  // 5. Accounts: every execution goes to the recorder, then to the host's position mirror (then to the
  // user's events, when anyone listens; the host's error reports reach them through its logger).
  // The accounts open after their listeners exist: a fill's average price is read from them once they do.
  const late: { book?: AccountBook } = {};
  const source =
    o.events?.listened === true
      ? new RunEventSource({
          events: o.events,
          now: () => clock.now(),
          avgPrice: (account, strategy, symbol) =>
            late.book?.all
              .find((a) => a.name === account)
              ?.portfolio.openPositions()
              .find((p) => p.strategy === strategy && p.symbol === symbol)?.avgPrice ?? 0,
        })
      : undefined;
  o.events?.useLogger(log);
  const hostLog = source
    ? source.errorLogger(
        log,
        strategies.map((s) => s.strategy.name),
      )
    : log;
  const recorder = new RunRecorder({
    runId: o.runId,
    ...(o.store ? { store: o.store } : {}),
    ...(source ? { onSignal: (r: SignalRecord) => source.onSignal(r) } : {}),
  });
  const homes = new Map(strategies.map((s) => [s.strategy.name, s.entry.active_brokers[0]!]));
  const mirror = new PositionMirror(homes, loaded.symbols);
  // Then to the order refs, which learn each order's name from its events (bracket exits included), and to
  // the strategies' own queues of order events (delivered at their next step).
  const refs = new OrderRefs();
  const events = new OrderEventQueue();
  const listeners = [recorder, mirror, refs, events];
  const accounts = new AccountBook({
    terms: accountsInUse(session.config),
    symbols: loaded.symbols,
    listeners: source ? [...listeners, source] : listeners,
  });
  late.book = accounts;
  for (const s of strategies) accounts.assign(s.strategy.name, s.entry.active_brokers, s.entry.risk);
  const strategyTypes = strategyTypeRows(strategies, accounts);
  // 6. The host: how the run waits for its strategies is chosen here, once; then they start.
  const pacer = speed > 0 ? new ReplayPacer(speed) : undefined;
  const wait = waitPolicy(
    o.syncMode ?? (speed > 0 ? 'clock' : 'data'),
    pacer && ((next) => pacer.budgetMs(next)),
  );
  const now = () => clock.now();
  const host = new StrategyManager({
    log: hostLog,
    wait,
    mirror,
    events,
    symbols: loaded.symbols,
    series: () => loaded.data.descriptors(),
    calendars: session.config.data
      .filter((d) => d.join_at === undefined)
      .map((d) => ({ symbol: d.symbol, spec: d.calendar })),
    quality: (symbol, interval) => quality.get(symbol, interval as Interval, now()),
    cash: (strategy) => accounts.home(strategy).portfolio.cash,
    equity: (strategy) => accounts.home(strategy).portfolio.equity(),
    lastClose: (symbolId) => accounts.primary.portfolio.lastClose(symbolId),
    now,
  });
  const calendarOf = (symbol: string): TradingCalendar | undefined =>
    loaded.sources.find((s) => s.symbol === symbol)?.calendar;
  const subsOf = new Map(strategies.map((s, i) => [s.strategy.name, resolved[i]!]));
  await host.start({
    loaded: strategies,
    placements: await placementsOf(strategies, {
      wait,
      data: {
        series: (symbol, interval) => loaded.data.get(symbol, interval),
        calendar: calendarOf,
        cash: (strategy) => accounts.home(strategy).portfolio.cash,
      },
    }),
    contextFor: (runner: StrategyRunner) => {
      // Positions and cash are read from the strategy's first account (its home); others only take orders.
      const home = accounts.home(runner.name).portfolio;
      return strategyContext({
        name: runner.name,
        log,
        subscribes: (key) => host.subscribes(runner, key),
        series: (symbol, interval) => loaded.data.get(symbol, interval)?.descriptor,
        quality: (symbol, interval) => quality.get(symbol, interval, now()),
        calendar: calendarOf,
        position: (symbol) => home.position(runner.name, symbol),
        cash: () => home.cash,
        equity: () => home.equity(),
        lastClose: (symbol) => accounts.lastClose(symbol),
        // The strategy's own book (a thread keeps its own, built from the same events).
        openOrders: runner instanceof InlineRunner ? () => runner.book.orders() : () => [],
        now,
      });
    },
    slotsOf: (runner) =>
      (subsOf.get(runner.name) ?? []).map((sub) => processor.slotOf(loaded.data, sub.symbol, sub.interval)),
    slotCount: processor.slots.length,
  });
  if (host.runners.length === 0) {
    const why = host.failures.map((f) => `${f.name}: ${f.reason}`).join('; ');
    throw new TradeflowError(
      'TF_ERR_NO_STRATEGIES',
      `no strategy started${why ? ` (${why})` : ' (none is enabled)'}`,
    );
  }
  // 7. The stepper, and the changes that happen between its steps; ticks only when a strategy has them.
  const router = new SignalRouter({ routes: accounts, recorder, refs, listeners, log });
  const ticks = tickScheduleOf(strategies, host.runners, processor, loaded);
  const stepper = new Stepper({
    ...(ticks ? { ticks } : {}),
    processor,
    strategies: host,
    accounts: accounts.all,
    recorder,
    clock,
    quality,
    router: routerWith(router, source),
    calendar: loaded.sources[0]!.calendar,
    wait,
  });
  const between = new BetweenSteps({
    session,
    staged: loaded.staged,
    deps: { loaded, processor, quality, accounts, strategies: host, log },
    lastStep: () => {
      const last = stepper.lastTs;
      return last === last ? last : Number.NEGATIVE_INFINITY;
    },
    live: wait.mode === 'live',
    pacer,
    log,
  });
  return {
    loaded,
    processor,
    quality,
    recorder,
    accounts,
    strategies: host,
    wait,
    pacer,
    stepper,
    router,
    between,
    mirror,
    historyCounts,
    strategyTypes,
    ticks,
  };
}

/** The router the stepper calls: with user events, each signal's order events follow the signal's. */
function routerWith(router: SignalRouter, source: RunEventSource | undefined): Pick<SignalRouter, 'route'> {
  if (!source) return router;
  return { route: (strategy, signal, ts) => source.routing(() => router.route(strategy, signal, ts)) };
}
