// Runs one time step of a run in its fixed order: publish bars, fill and mark, notify strategies, route
// their signals.
import { monotonicMs, type TestClock } from '../core/clock.ts';
import type { TradingCalendar } from '../data/calendar.ts';
import type { BarSeries } from '../data/session-data.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { Signal } from '../model/signal.ts';
import type { Account } from './accounts.ts';
import type { DataProcessor } from './data-processor.ts';
import { LatencyHistogram } from './latency.ts';
import type { RunRecorder } from './recorder.ts';
import type { SeriesQuality } from './series-quality.ts';
import type { SignalRouter } from './signal-router.ts';
import type { TickSchedule } from './tick-schedule.ts';
import type { InterruptedCall } from '../strategy/host/inline-runner.ts';
import type { StrategyManager } from '../strategy/host/strategy-manager.ts';
import type { WaitPolicy } from '../strategy/host/wait-policy.ts';

/** A replayed step's bars reach no broker and no portfolio, and its signals no router (see `Stepper.warm`). */
const IGNORE = (): void => {};

/** The collaborators one time step touches. */
export interface StepperParts {
  readonly processor: DataProcessor;
  readonly strategies: StrategyManager;
  /** Every account of the run; the first is the primary one, whose equity is recorded. */
  readonly accounts: readonly Account[];
  readonly recorder: RunRecorder;
  readonly clock: TestClock;
  readonly quality: SeriesQuality;
  readonly router: Pick<SignalRouter, 'route'>;
  /** Equity is recorded once per session day of this calendar (its last step's value). */
  readonly calendar: TradingCalendar;
  /** How the run waits for its strategies (chosen once per run). */
  readonly wait: WaitPolicy;
  /** The scheduled strategies' ticks; absent when no strategy has a `tick_interval`. */
  readonly ticks?: TickSchedule;
}

/**
 * Runs one time step in the fixed order: (on a new session day: record the last day's equity and tell
 * strategies their bar quality), publish base bars (fills at their open, marks at their close, account
 * by account), publish aggregated bars that close, notify subscribed strategies, route their signals in
 * registration order. The step is synchronous unless a strategy thread must be waited for; then it
 * returns a promise.
 */
export class Stepper {
  readonly #p: StepperParts;
  /** The primary account's portfolio: equity, cash and exposure are recorded from it. */
  readonly #portfolio: Portfolio;
  readonly #updated: number[] = [];
  readonly #onBase: (symbolId: number, s: BarSeries, i: number) => void;
  readonly #route: (strategy: string, signal: Signal, arrivalMs: number) => void;
  /** Live runs: from a bar's arrival at the feed to each order its signals submit (HOLD submits none). */
  readonly latency = new LatencyHistogram();
  #lastTs = Number.NaN;
  #lastDay = Number.NaN;
  #lastEquity: number;
  /** Where the step in progress is (see `resume`): its time, its day, and its phase. */
  #atT = Number.NaN;
  #atDay = Number.NaN;
  #phase: 'none' | 'quality' | 'bars' = 'none';
  /** The day of the last step replayed by `warm` (NaN before the first). */
  #warmDay = Number.NaN;
  steps = 0;
  exposureSteps = 0;

  constructor(p: StepperParts) {
    this.#p = p;
    const { accounts, router, clock } = p;
    const { broker, portfolio } = accounts[0]!;
    this.#portfolio = portfolio;
    // One scratch bar, filled in place for each base bar: brokers read it during the call and keep nothing.
    const bar = { ts: 0, open: 0, high: 0, low: 0, close: 0, volume: 0 };
    const read = (s: BarSeries, i: number): void => {
      bar.ts = s.timeAt(i);
      bar.open = s.openAt(i);
      bar.high = s.highAt(i);
      bar.low = s.lowAt(i);
      bar.close = s.closeAt(i);
      bar.volume = s.volumeAt(i);
    };
    // One account (the usual case) keeps the loop-free path; each further account sees every bar too.
    this.#onBase =
      accounts.length === 1
        ? (symbolId, s, i) => {
            read(s, i);
            // The bar index in the symbol's own series, so a trade's length counts that symbol's bars.
            broker.onBar(symbolId, bar, i);
            portfolio.mark(symbolId, bar.close);
          }
        : (symbolId, s, i) => {
            read(s, i);
            for (const a of accounts) {
              a.broker.onBar(symbolId, bar, i);
              a.portfolio.mark(symbolId, bar.close);
            }
          };
    this.#route = (strategy, signal, arrivalMs) => {
      router.route(strategy, signal, clock.now());
      if (arrivalMs === arrivalMs && signal.action !== 'HOLD') this.latency.record(monotonicMs() - arrivalMs);
    };
    this.#lastEquity = portfolio.equity();
  }

  /** Returns the time of the last step run (NaN before the first). */
  get lastTs(): number {
    return this.#lastTs;
  }

  /** Runs the step at time `t`; returns a promise only when it has to wait for a strategy thread. */
  step(t: number): Promise<void> | undefined {
    const day = this.#p.calendar.dayKey(t);
    if (day !== this.#lastDay && this.#lastTs === this.#lastTs) {
      const { recorder, strategies, accounts } = this.#p;
      // The last session closed at its last step: its DAY orders end there, before the new day's bars.
      for (const a of accounts) {
        a.broker.endSession(this.#lastTs);
        // Daily losses count from the new session's start; yesterday's halt lifts.
        if (a.risk.active) a.risk.newSession();
      }
      recorder.onEquity({ ts: this.#lastTs, equity: this.#lastEquity, cash: this.#portfolio.cash });
      recorder.maybeFlush();
      this.#at(t, day, 'quality');
      const wait = strategies.qualityUpdate(this.#p.wait.waitsForAll);
      if (wait) return wait.then(() => this.#bars(t, day));
    }
    return this.#bars(t, day);
  }

  #bars(t: number, day: number): Promise<void> | undefined {
    const { processor, strategies, clock, quality, wait } = this.#p;
    const updated = this.#updated;
    const slots = processor.slots;
    clock.set(t);
    this.#at(t, day, 'bars');
    const ticks = this.#p.ticks;
    let n: number;
    if (ticks === undefined) n = processor.step(t, this.#onBase, updated);
    else {
      // A tick at a bar's time comes after the bar is published (its fills heard), before `onBars`; a tick
      // between two bars' times is a step of its own, without bars.
      n = processor.nextTime() <= t ? processor.step(t, this.#onBase, updated) : 0;
      strategies.tickAt(ticks.take(t));
    }
    for (let k = 0; k < n; k++) quality.onBar(slots[updated[k]!]!.series);
    if (!strategies.notify(t, slots, updated, n, wait.budgetMs(processor.nextTime()))) {
      return strategies.finish().then(() => this.#end(t, day));
    }
    this.#end(t, day);
    return undefined;
  }

  #at(t: number, day: number, phase: 'quality' | 'bars'): void {
    this.#atT = t;
    this.#atDay = day;
    this.#phase = phase;
  }

  /**
   * Goes on with the step that the inline call `cut` was interrupted in (past its time limit; its strategy
   * is faulted by then), from where it was cut: the other strategies get their quality update or bars, and
   * the step ends as usual. Returns a promise only when it has to wait for a strategy thread.
   */
  resume(cut: InterruptedCall): Promise<void> | undefined {
    const t = this.#atT;
    const day = this.#atDay;
    const { strategies } = this.#p;
    switch (this.#phase) {
      case 'none':
        return undefined;
      case 'quality': {
        const wait = strategies.qualityUpdate(this.#p.wait.waitsForAll, cut.runner);
        return wait ? wait.then(() => this.#bars(t, day)) : this.#bars(t, day);
      }
      case 'bars':
        if (!strategies.resumeNotify(cut, t)) return strategies.finish().then(() => this.#end(t, day));
        this.#end(t, day);
        return undefined;
    }
  }

  #end(t: number, day: number): void {
    this.#phase = 'none';
    const { strategies } = this.#p;
    const portfolio = this.#portfolio;
    strategies.drain(this.#route);
    this.steps++;
    if (portfolio.hasPositions) this.exposureSteps++;
    this.#lastTs = t;
    this.#lastDay = day;
    this.#lastEquity = portfolio.equity();
  }

  /** Live runs: says when the bar of the next steps arrived at the feed (monotonic ms). */
  arriving(arrivalMs: number): void {
    this.#p.strategies.arriving(arrivalMs);
  }

  /** Returns true while a strategy thread that a live step moved on from has not been collected. */
  get lagging(): boolean {
    return this.#p.strategies.lagging;
  }

  /**
   * Between live bars: waits at most `sliceMs` for strategy threads still busy with earlier bars, and
   * routes the signals they left at once (the clock still at the last step's time, so that the orders are
   * those a backtest makes). Returns true when none is left busy.
   */
  settle(sliceMs: number): boolean {
    const done = this.#p.strategies.settle(sliceMs);
    this.#p.strategies.drain(this.#route);
    return done;
  }

  /**
   * Replays a step that a resumed live run had committed, for its strategies only: its bars are published and
   * the subscribed strategies notified as in the step (and told their bar quality on a new day), waiting for
   * every thread; their signals are dropped, as they were routed and recorded then. No order fills, nothing
   * is marked, recorded or counted: the accounts hold their state after the last step already.
   */
  async warm(t: number): Promise<void> {
    const { processor, strategies, clock, quality, calendar } = this.#p;
    const day = calendar.dayKey(t);
    if (day !== this.#warmDay && this.#warmDay === this.#warmDay) await strategies.qualityUpdate(true);
    this.#warmDay = day;
    clock.set(t);
    const updated = this.#updated;
    const n = processor.step(t, IGNORE, updated);
    for (let k = 0; k < n; k++) quality.onBar(processor.slots[updated[k]!]!.series);
    if (!strategies.notify(t, processor.slots, updated, n, Number.POSITIVE_INFINITY))
      await strategies.finish();
    strategies.drain(IGNORE);
  }

  /** Takes back a resumed live run's step counters and last step (after its accounts are restored). */
  restore(state: { readonly steps: number; readonly exposureSteps: number; readonly lastTs: number }): void {
    this.steps = state.steps;
    this.exposureSteps = state.exposureSteps;
    this.#lastTs = state.lastTs;
    this.#lastDay = this.#p.calendar.dayKey(state.lastTs);
    this.#lastEquity = this.#portfolio.equity();
  }

  /**
   * Called by the run loop between steps with the monotonic time it read: the recorder may write a batch
   * (a second since its last write by time, or enough events gathered).
   */
  onTime(nowMs: number): void {
    this.#p.recorder.onTime(nowMs);
  }

  /** Ends the run: late strategies catch up, the last equity point is recorded, open orders are cancelled. */
  async finish(cancelled: boolean): Promise<void> {
    const { strategies, recorder, accounts, wait } = this.#p;
    const portfolio = this.#portfolio;
    const lastTs = this.#lastTs;
    if (lastTs === lastTs) {
      if (!wait.waitsForAll) {
        // Late strategies catch up from their queues; their last signals still count.
        await strategies.drainAll();
        strategies.drain(this.#route);
      }
      recorder.onEquity({ ts: lastTs, equity: portfolio.equity(), cash: portfolio.cash });
      await strategies.qualityUpdate(true);
    }
    for (const a of accounts) {
      a.broker.cancelAll(lastTs === lastTs ? lastTs : 0, cancelled ? 'run cancelled' : 'run ended');
    }
    recorder.flush();
  }
}
