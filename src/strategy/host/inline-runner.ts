import { monotonicMs } from '../../core/clock.ts';
import type { Logger } from '../../core/logger.ts';
import { prepareModel } from './model-hook.ts';
import {
  METRICS_SLOTS,
  MetricsWriter,
  type ProcessingHistogram,
  readHistogram,
  readMetrics,
  type ProcessingMetrics,
} from './metrics.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import type { BaseStrategy, StrategyContext, Subscription } from '../base-strategy.ts';

/** How a strategy's start went: started, or refused with the reason. */
export type SetupOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Runs one strategy. The inline runner calls it on the processor's thread; a thread runner will put the
 * same calls on a worker's queue. Either way the engine sees the same interface.
 */
export interface StrategyRunner {
  readonly name: string;
  /** Position in the session's strategy list: signals of a step are gathered in this order. */
  readonly index: number;
  readonly isolation: 'inline';
  /** Returns the strategy's processing figures so far. */
  metrics(): ProcessingMetrics;
  subscriptions(): readonly Subscription[];
  start(ctx: StrategyContext): Promise<SetupOutcome>;
  /** Delivers one bar notification; returns the signals raised (thrown errors are counted, not raised). */
  notify(symbol: string, interval: Interval): readonly Signal[];
  /** Hands the strategy a series' quality (0-100) if it listens for it; errors are counted. */
  qualityUpdate(symbol: string, interval: Interval, quality: number): void;
  stop(ctx: StrategyContext): Promise<void>;
}

const EMPTY: readonly Signal[] = Object.freeze([]);
/** Inline strategies time one notification in this many (a power of two). */
const TIMING_STRIDE = 16;

/** Runs a strategy on the caller's thread. */
export class InlineRunner implements StrategyRunner {
  readonly name: string;
  readonly index: number;
  readonly isolation = 'inline' as const;
  /** The strategy instance, on this thread (inspection and tests). */
  readonly strategy: BaseStrategy;
  readonly #metricsBuffer = new Float64Array(METRICS_SLOTS);
  readonly #metrics = new MetricsWriter(this.#metricsBuffer);
  #calls = 0;
  readonly #strategy: BaseStrategy;
  readonly #log: Logger;
  #degraded: string | undefined;
  #subs: readonly Subscription[];

  constructor(strategy: BaseStrategy, index: number, log: Logger) {
    this.#strategy = strategy;
    this.strategy = strategy;
    this.name = strategy.name;
    this.index = index;
    this.#log = log;
    this.#subs = strategy.getSubscriptions();
  }

  /** Returns the subscriptions the engine routes to the strategy (as it stated them at start or last change). */
  subscriptions(): readonly Subscription[] {
    return this.#subs;
  }

  /** Routes `subscriptions` to the strategy from now on. */
  setSubscriptions(subscriptions: readonly Subscription[]): void {
    this.#subs = subscriptions;
  }

  /**
   * Tells the strategy that `symbol` joined the session (when given), then returns the subscriptions it
   * states now, or why it could not (the hook threw: counted as an error).
   */
  restate(symbol?: string): readonly Subscription[] | string {
    try {
      if (symbol !== undefined) this.#strategy.symbolJoined(symbol);
    } catch (e) {
      this.#metrics.error();
      return `onSymbolAdded(${symbol}) threw: ${(e as Error).message ?? String(e)}`;
    }
    try {
      return this.#strategy.getSubscriptions();
    } catch (e) {
      this.#metrics.error();
      return `getSubscriptions() threw: ${(e as Error).message ?? String(e)}`;
    }
  }

  /** Returns why the strategy runs without its model (on its rules), or undefined when it is not degraded. */
  get degraded(): string | undefined {
    return this.#degraded;
  }

  async start(ctx: StrategyContext): Promise<SetupOutcome> {
    this.#strategy.attach(ctx);
    const model = await prepareModel(this.#strategy, this.#log, this.#metrics);
    if (!model.ok) return model;
    this.#degraded = model.degraded;
    try {
      const ok = await this.#strategy.setup(ctx);
      return ok ? { ok: true } : { ok: false, reason: 'setup returned false' };
    } catch (e) {
      return { ok: false, reason: `setup threw: ${(e as Error).message ?? String(e)}` };
    }
  }

  metrics(): ProcessingMetrics {
    return readMetrics(this.#metricsBuffer);
  }

  /** Returns the processing-time histogram of the timed notifications. */
  histogram(): ProcessingHistogram {
    return readHistogram(this.#metricsBuffer);
  }

  notify(symbol: string, interval: Interval): readonly Signal[] {
    const timed = (++this.#calls & (TIMING_STRIDE - 1)) === 0;
    const t0 = timed ? monotonicMs() : 0;
    try {
      const out = this.#strategy.onBars(symbol, interval);
      if (timed) this.#metrics.notification(monotonicMs() - t0, out.length);
      else this.#metrics.untimed(out.length);
      return out;
    } catch (e) {
      if (timed) this.#metrics.notification(monotonicMs() - t0, 0);
      else this.#metrics.untimed(0);
      // Log the first few in full; a strategy failing on every bar must not flood the output.
      if (this.#metrics.error() <= 5) {
        this.#log.error(
          `strategy ${this.name}: onBars(${symbol}, ${interval}) threw: ${(e as Error).message ?? String(e)}`,
        );
      }
      return EMPTY;
    }
  }

  qualityUpdate(symbol: string, interval: Interval, quality: number): void {
    if (!this.#strategy.onQualityUpdate) return;
    try {
      this.#strategy.onQualityUpdate(symbol, interval, quality);
    } catch (e) {
      this.#metrics.error();
      this.#log.error(
        `strategy ${this.name}: onQualityUpdate(${symbol}, ${interval}) threw: ${(e as Error).message ?? String(e)}`,
      );
    }
  }

  async stop(ctx: StrategyContext): Promise<void> {
    try {
      await this.#strategy.teardown(ctx);
    } catch (e) {
      this.#metrics.error();
      this.#log.error(`strategy ${this.name}: teardown threw: ${(e as Error).message ?? String(e)}`);
    }
  }
}
