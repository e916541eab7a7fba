// The one policy for calling a strategy's hooks, used alike on the engine's thread and in a strategy
// thread: each call is tried, counted and sampled for timing, and the first errors are logged in full.
import { monotonicMs } from '../../core/clock.ts';
import { escapeText } from '../../core/escape.ts';
import type { Logger } from '../../core/logger.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import type { BaseStrategy, StrategyContext, Subscription } from '../base-strategy.ts';
import type { MetricsWriter } from './metrics.ts';
import { checkSignalAt, SignalProblem } from './signal-check.ts';
import { displayPath } from '../../ml/model-file.ts';
import { type FeatureRow, hasMlCapability, type MlCapability, requiresModel } from '../ml-capability.ts';
import { settleWithin, TimeLimitExceeded } from './watchdog.ts';
import type { OrderBook } from './order-book.ts';
import type { StrategyEvent } from './order-events.ts';

/** How a strategy's start went: started (saying why it runs without its model, if it does), or refused. */
export type SetupOutcome =
  { readonly ok: true; readonly degraded?: string } | { readonly ok: false; readonly reason: string };

/** Errors of a strategy's hooks logged in full; later ones are only counted, so a failing strategy cannot flood the log. */
export const LOGGED_ERRORS = 5;
/** Every one of a strategy's first notifications is timed (the warm-up `auto` isolation reads)... */
export const TIMED_WARMUP = 256;
/** ...then one in this many (a power of two): reading the clock twice per bar would slow a light strategy by a third. */
const TIMING_STRIDE = 16;

const EMPTY: readonly Signal[] = Object.freeze([]);

/** Names a value a hook returned, for a message. */
function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return `the string ${escapeText(JSON.stringify(value.slice(0, 40)))}`;
  if (isThenable(value)) {
    // Said here, where a non-array is already being reported: the hot path pays nothing for it.
    return 'a Promise (onBars is async or returns a promise); onBars must be synchronous and return its signals as an array, so remove "async" and compute from the bars it is given';
  }
  return value === undefined ? 'undefined' : `a ${typeof value}`;
}

function isThenable(value: unknown): boolean {
  return (
    typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function'
  );
}

/** Returns an error's message, whatever was thrown. */
export const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Names a feature row in a message, whatever the strategy passed (a row it built wrong included). */
function describeRow(features: FeatureRow | undefined): string {
  const ts = features?.tsClose;
  const at = typeof ts === 'number' && Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
  return `${String(features?.symbol)} at ${at}`;
}

/**
 * Guards a strategy's inference: when `predictSignal` throws, the call counts an inference error (the
 * `ml_inference` category, apart from the hooks' errors), logs the first few, and returns undefined (no
 * opinion), so the strategy carries on with the bar as it does without a model.
 */
function guardInference(strategy: BaseStrategy & MlCapability, log: Logger, metrics: MetricsWriter): void {
  const predict = strategy.predictSignal.bind(strategy);
  strategy.predictSignal = (features) => {
    try {
      return predict(features);
    } catch (e) {
      if (metrics.inferenceError() <= LOGGED_ERRORS) {
        log.error(
          `strategy ${strategy.name}: predictSignal(${describeRow(features)}) threw: ${messageOf(e)}; no model signal for this bar`,
          { strategy: strategy.name, category: 'ml_inference' },
        );
      }
      return undefined;
    }
  };
}

/**
 * The runners' model hook, called after `attach` and before `setup`: a rules strategy passes through
 * untouched; an ML strategy's `loadModel` runs, and when it throws the strategy is degraded (a warning
 * names the strategy and the model file) or, if its config has `require_model: true`, refused. Its
 * inference is guarded (see `guardInference`) and counted in `metrics`.
 */
export async function prepareModel(
  strategy: BaseStrategy,
  log: Logger,
  metrics: MetricsWriter,
): Promise<SetupOutcome> {
  if (!hasMlCapability(strategy)) return { ok: true };
  guardInference(strategy, log, metrics);
  try {
    await strategy.loadModel();
    return { ok: true };
  } catch (e) {
    const model = strategy.modelPath === undefined ? 'its model' : displayPath(strategy.modelPath);
    const why = messageOf(e);
    const detail = why.includes(model) ? why : `${model}: ${why}`;
    if (requiresModel(strategy)) {
      return { ok: false, reason: `require_model is true and the model did not load: ${detail}` };
    }
    log.warn(`strategy ${strategy.name}: the model did not load, running degraded on its rules: ${detail}`, {
      strategy: strategy.name,
      model,
      degraded: true,
    });
    return { ok: true, degraded: `the model did not load: ${detail}` };
  }
}

/** One step's notifications, as a strategy thread takes them from its ring. */
export interface StepNotifications {
  /** Returns the next notification, or -1 at the end of the step. */
  next(): number;
  /** Returns the subscription a bar notification names, or undefined for one that is not a bar (handled there). */
  bar(notification: number): Subscription | undefined;
}

/** Calls one strategy's hooks under the policy; its figures go to `metrics`. */
export class HookCaller {
  readonly #strategy: BaseStrategy;
  readonly #name: string;
  readonly #log: Logger;
  readonly #metrics: MetricsWriter;
  #calls = 0;

  constructor(strategy: BaseStrategy, log: Logger, metrics: MetricsWriter) {
    this.#strategy = strategy;
    this.#name = strategy.name;
    this.#log = log;
    this.#metrics = metrics;
  }

  /**
   * Attaches the context, loads the model of an ML strategy, then runs `setup`; the model load and `setup`
   * each have `limitMs` (`setup_timeout_ms`), past which the strategy is refused (see watchdog.ts).
   */
  async start(ctx: StrategyContext, limitMs = Number.POSITIVE_INFINITY): Promise<SetupOutcome> {
    const strategy = this.#strategy;
    strategy.attach(ctx);
    let model: SetupOutcome;
    try {
      model = await settleWithin(() => prepareModel(strategy, this.#log, this.#metrics), limitMs);
    } catch (e) {
      if (!(e instanceof TimeLimitExceeded)) throw e;
      return { ok: false, reason: `its model did not load within ${limitMs} ms (setup_timeout_ms)` };
    }
    if (!model.ok) return model;
    try {
      if (!(await settleWithin(() => strategy.setup(ctx), limitMs))) {
        return { ok: false, reason: 'setup returned false' };
      }
    } catch (e) {
      if (e instanceof TimeLimitExceeded) {
        return { ok: false, reason: `setup did not finish within ${limitMs} ms (setup_timeout_ms)` };
      }
      return { ok: false, reason: `setup threw: ${messageOf(e)}` };
    }
    return model.degraded === undefined ? { ok: true } : { ok: true, degraded: model.degraded };
  }

  /**
   * Calls `onBars`; returns clean copies of the well-formed signals raised (see `#take`), or none when it
   * failed. The check is a call away, so that a bar without signals runs no more code than before.
   */
  onBars(symbol: string, interval: Interval): readonly Signal[] {
    const n = ++this.#calls;
    const timed = n <= TIMED_WARMUP || (n & (TIMING_STRIDE - 1)) === 0;
    const t0 = timed ? monotonicMs() : 0;
    let out: readonly Signal[] = EMPTY;
    try {
      const returned: unknown = this.#strategy.onBars(symbol, interval);
      // Strategy modules are not type-checked when loaded: anything but an array is that strategy's error.
      if (Array.isArray(returned)) {
        if (returned.length !== 0) out = this.#taken(returned, symbol, interval);
      } else this.#notSignals(symbol, interval, returned);
    } catch (e) {
      this.#threw(symbol, interval, e);
    }
    if (timed) this.#metrics.notification(monotonicMs() - t0, out.length);
    else this.#metrics.untimed(out.length);
    return out;
  }

  /**
   * Calls `onBars` for every bar notification of one step, under the same policy as `onBars`, and pushes
   * the signals into `signals`. The strategy is called in this loop itself, not one call deeper: in a
   * strategy thread that keeps a busy strategy as fast as a direct call (one call deeper cost five 20 us
   * strategies on two cores about 12 % more CPU). The signals are checked before they are pushed, so that
   * only clean values are written to the thread's outbox.
   */
  onStep(step: StepNotifications, signals: Signal[]): void {
    const strategy = this.#strategy;
    const metrics = this.#metrics;
    for (let v = step.next(); v >= 0; v = step.next()) {
      const sub = step.bar(v);
      if (sub === undefined) continue;
      const symbol = sub[0];
      const interval = sub[1];
      const n = ++this.#calls;
      const timed = n <= TIMED_WARMUP || (n & (TIMING_STRIDE - 1)) === 0;
      const t0 = timed ? monotonicMs() : 0;
      let raised = 0;
      try {
        const returned: unknown = strategy.onBars(symbol, interval);
        if (Array.isArray(returned)) {
          if (returned.length !== 0) raised = this.#take(returned, symbol, interval, signals);
        } else this.#notSignals(symbol, interval, returned);
      } catch (e) {
        this.#threw(symbol, interval, e);
      }
      if (timed) metrics.notification(monotonicMs() - t0, raised);
      else metrics.untimed(raised);
    }
  }

  /** Returns clean copies of the well-formed signals of a non-empty array (see `#take`). */
  #taken(returned: readonly unknown[], symbol: string, interval: Interval): readonly Signal[] {
    const taken: Signal[] = [];
    this.#take(returned, symbol, interval, taken);
    return taken;
  }

  /** Counts a return that is not an array as an invalid signal and the strategy's error. */
  #notSignals(symbol: string, interval: Interval, returned: unknown): void {
    this.#metrics.invalidSignal();
    this.#notArray(symbol, interval, returned);
  }

  /**
   * Checks each value of a non-empty array `onBars` returned (`checkSignalAt`) and pushes a clean copy of
   * each well-formed signal into `into`; returns how many it pushed. Any other value is not routed and
   * never stored: it is the strategy's error, counted also as an invalid signal (as is a return that is
   * not an array), and the first errors are logged with the field and the value at fault. Called only for
   * bars that raised signals, so a bar without signals costs no more than the length check before it.
   */
  #take(returned: readonly unknown[], symbol: string, interval: Interval, into: Signal[]): number {
    let taken = 0;
    for (let i = 0; i < returned.length; i++) {
      const checked = checkSignalAt(returned, i);
      if (!(checked instanceof SignalProblem)) {
        into.push(checked);
        taken++;
        continue;
      }
      this.#metrics.invalidSignal();
      if (this.#metrics.error() <= LOGGED_ERRORS) {
        this.#log.error(
          `strategy ${this.#name}: onBars(${symbol}, ${interval}) returned an invalid signal (${i + 1} of ${returned.length}), dropped: ${checked.message}`,
        );
      }
    }
    return taken;
  }

  #notArray(symbol: string, interval: Interval, returned: unknown): void {
    const error = new Error(
      isThenable(returned)
        ? `returned ${describe(returned)}`
        : `returned ${describe(returned)}, not an array of signals`,
    );
    // A promise the strategy dropped must not reject unhandled (that would end the process).
    if (isThenable(returned)) (returned as PromiseLike<unknown>).then(undefined, () => undefined);
    this.#failed(`onBars(${symbol}, ${interval})`, error, 'returned');
  }

  #threw(symbol: string, interval: Interval, e: unknown): void {
    this.#failed(`onBars(${symbol}, ${interval})`, e);
  }

  /**
   * Hands the strategy its order events in the order they happened: each update goes into its book first
   * (so that `ctx.openOrders` in `onOrder` already reflects it), then to `onOrder`; each fill to `onFill`.
   * A hook that throws is the strategy's error (counted, the first logged); the next event still comes.
   */
  onEvents(events: readonly StrategyEvent[], book: OrderBook): void {
    const strategy = this.#strategy;
    for (const e of events) {
      if (e.type === 'order') {
        book.apply(e.update);
        if (!strategy.onOrder) continue;
        try {
          strategy.onOrder(e.update);
        } catch (err) {
          const { order, event } = e.update;
          this.#failed(`onOrder(${event} ${order.ref ?? `#${order.id}`})`, err);
        }
      } else if (strategy.onFill) {
        try {
          strategy.onFill(e.fill);
        } catch (err) {
          this.#failed(`onFill(order #${e.fill.orderId})`, err);
        }
      }
    }
  }

  /** Hands the strategy a series' quality (0-100) if it listens for it. */
  onQualityUpdate(symbol: string, interval: Interval, quality: number): void {
    if (!this.#strategy.onQualityUpdate) return;
    try {
      this.#strategy.onQualityUpdate(symbol, interval, quality);
    } catch (e) {
      this.#failed(`onQualityUpdate(${symbol}, ${interval})`, e);
    }
  }

  /**
   * Tells the strategy that `symbol` joined the session (when given), then returns the subscriptions it
   * states now, or why it could not (the hook threw: counted, and the caller reports it).
   */
  restate(symbol?: string): readonly Subscription[] | string {
    try {
      if (symbol !== undefined) this.#strategy.symbolJoined(symbol);
    } catch (e) {
      this.#metrics.error();
      return `onSymbolAdded(${symbol}) threw: ${messageOf(e)}`;
    }
    try {
      return this.#strategy.getSubscriptions();
    } catch (e) {
      this.#metrics.error();
      return `getSubscriptions() threw: ${messageOf(e)}`;
    }
  }

  /**
   * Runs `teardown` within `limitMs` (`teardown_timeout_ms`); an error is counted and logged, and shutdown
   * goes on. Returns why the strategy is faulted when teardown did not finish in time, else undefined.
   */
  async teardown(ctx: StrategyContext, limitMs = Number.POSITIVE_INFINITY): Promise<string | undefined> {
    try {
      await settleWithin(() => this.#strategy.teardown(ctx), limitMs);
    } catch (e) {
      this.#metrics.error();
      if (e instanceof TimeLimitExceeded) {
        return `teardown did not finish within ${limitMs} ms (teardown_timeout_ms)`;
      }
      this.#log.error(`strategy ${this.#name}: teardown threw: ${messageOf(e)}`);
    }
    return undefined;
  }

  #failed(call: string, e: unknown, how: 'threw' | 'returned' = 'threw'): void {
    if (this.#metrics.error() <= LOGGED_ERRORS) {
      const what = how === 'threw' ? `threw: ${messageOf(e)}` : messageOf(e);
      this.#log.error(`strategy ${this.#name}: ${call} ${what}`);
    }
  }
}
