import type { Logger } from '../core/logger.ts';
import type { Broker } from '../execution/broker.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { Signal } from '../model/signal.ts';
import type { RunRecorder } from './recorder.ts';

/**
 * Turns signals into orders, the same way in backtest and live: BUY and SELL become orders of the
 * signal's quantity, CLOSE flattens the strategy's position in the symbol, HOLD is only recorded.
 */
export class SignalRouter {
  readonly #broker: Broker;
  readonly #portfolio: Portfolio;
  readonly #recorder: RunRecorder;
  readonly #log: Logger;

  constructor(broker: Broker, portfolio: Portfolio, recorder: RunRecorder, log: Logger) {
    this.#log = log;
    this.#broker = broker;
    this.#portfolio = portfolio;
    this.#recorder = recorder;
  }

  /** Records a strategy's signal and submits the order it asks for. */
  route(strategy: string, signal: Signal, ts: number): void {
    const order = this.#toOrder(strategy, signal, ts);
    this.#recorder.onSignal(
      order === undefined ? { ts, strategy, signal } : { ts, strategy, signal, orderId: order },
    );
  }

  #toOrder(strategy: string, s: Signal, ts: number): number | undefined {
    const reason = s.reason === undefined ? {} : { signalReason: s.reason };
    const type = s.orderType ?? 'market';
    const price = s.price === undefined || type === 'market' ? {} : { price: s.price };
    switch (s.action) {
      case 'BUY':
      case 'SELL':
        return this.#broker.submit(
          {
            strategy,
            symbol: s.symbol,
            side: s.action === 'BUY' ? 'buy' : 'sell',
            quantity: s.quantity ?? NaN,
            type,
            ...price,
            ...reason,
          },
          ts,
        ).id;
      case 'CLOSE': {
        const held = this.#portfolio.position(strategy, s.symbol);
        if (held === 0) return undefined;
        return this.#broker.submit(
          {
            strategy,
            symbol: s.symbol,
            side: held > 0 ? 'sell' : 'buy',
            quantity: Math.abs(held),
            type,
            ...price,
            ...reason,
          },
          ts,
        ).id;
      }
      case 'HOLD':
        return undefined;
      default:
        // A strategy in plain JS can return anything: say so rather than drop it silently.
        this.#log.error(
          `strategy ${strategy}: signal with unknown action ${String((s as { action: unknown }).action)} ignored; use BUY, SELL, CLOSE or HOLD`,
        );
        return undefined;
    }
  }
}
