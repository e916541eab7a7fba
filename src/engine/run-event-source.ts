// Where a run's user events come from: an execution listener on every account, the router's signal
// records, and the host's error reports; the events go to a RunEvents emitter.
import type { Logger } from '../core/logger.ts';
import type { ExecutionListener } from '../execution/broker.ts';
import type { Fill, Order, OrderEvent, Trade } from '../model/order.ts';
import type { SignalRecord } from '../model/run.ts';
import type { RunEvent, RunEvents } from './run-events.ts';

/** What the source reads from the run: its time and a strategy's average price in an account. */
export interface RunEventSourceOptions {
  readonly events: RunEvents;
  /** The engine's time (simulated in a backtest or replay). */
  readonly now: () => number;
  /** The average price of a strategy's position in an account (0 when flat). */
  readonly avgPrice: (account: string, strategy: string, symbol: string) => number;
}

/**
 * Turns what the accounts, the router and the host report into user events. While a signal is routed,
 * the events of its orders wait, so that a listener hears the signal first and then what it caused.
 */
export class RunEventSource implements ExecutionListener {
  readonly #o: RunEventSourceOptions;
  #routing = false;
  readonly #held: RunEvent[] = [];

  constructor(o: RunEventSourceOptions) {
    this.#o = o;
  }

  #emit(event: RunEvent): void {
    if (this.#routing) this.#held.push(event);
    else this.#o.events.emit(event);
  }

  onOrder(order: Order, event: OrderEvent, reason?: string): void {
    const ts = this.#o.now();
    this.#emit(
      reason === undefined
        ? { kind: 'order', ts, event, order }
        : { kind: 'order', ts, event, order, reason },
    );
    if (event === 'rejected' && order.riskRule !== undefined) {
      this.#emit({ kind: 'risk', ts, rule: order.riskRule, reason: order.reason ?? '', order });
    }
  }

  onFill(fill: Fill, position: number): void {
    this.#emit({ kind: 'fill', ts: fill.ts, fill });
    this.#emit({
      kind: 'position',
      ts: fill.ts,
      account: fill.account,
      strategy: fill.strategy,
      symbol: fill.symbol,
      quantity: position,
      avgPrice: position === 0 ? 0 : this.#o.avgPrice(fill.account, fill.strategy, fill.symbol),
    });
  }

  onTrade(trade: Trade): void {
    this.#emit({ kind: 'trade', ts: trade.exitTime, trade });
  }

  /** Hears a routed signal (the recorder's record, with the order it became). */
  onSignal(record: SignalRecord): void {
    const { ts, strategy, signal, orderId } = record;
    this.#o.events.emit(
      orderId === undefined
        ? { kind: 'signal', ts, strategy, signal }
        : { kind: 'signal', ts, strategy, signal, orderId },
    );
  }

  /** Routes one signal with `route`: its order events are emitted after the signal event. */
  routing(route: () => void): void {
    this.#routing = true;
    try {
      route();
    } finally {
      this.#routing = false;
      const held = this.#held.splice(0);
      for (const e of held) this.#o.events.emit(e);
    }
  }

  /**
   * Returns a logger that passes everything to `log` and turns the host's error reports about a strategy
   * (`strategy <name>: ...`, from inline runners and from strategy threads alike) into error events.
   */
  errorLogger(log: Logger, strategies: readonly string[]): Logger {
    const prefixes = strategies.map((name) => [name, `strategy ${name}: `] as const);
    return {
      debug: (m, f) => log.debug(m, f),
      info: (m, f) => log.info(m, f),
      warn: (m, f) => log.warn(m, f),
      error: (m, f) => {
        log.error(m, f);
        for (const [strategy, prefix] of prefixes) {
          if (m.startsWith(prefix)) {
            this.#o.events.emit({
              kind: 'error',
              ts: this.#o.now(),
              strategy,
              message: m.slice(prefix.length),
            });
            break;
          }
        }
      },
    };
  }
}
