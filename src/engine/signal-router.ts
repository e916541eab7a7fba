// Turns strategies' signals into orders in the accounts they route to, the same way in backtest and live.
import { assertNever } from '../core/errors.ts';
import type { Signal } from '../model/signal.ts';
import type { Account } from './accounts.ts';
import type { RunRecorder } from './recorder.ts';

/** Which accounts a strategy's signals go to (an AccountBook, or anything that answers the same). */
export interface AccountRoutes {
  of(strategy: string): readonly Account[];
}

/**
 * Turns well-formed signals (every signal is checked where it leaves its strategy) into orders, the same
 * way in backtest and live: BUY and SELL become orders of the
 * signal's quantity, CLOSE flattens the strategy's position in the symbol, HOLD is only recorded. A
 * strategy routed to several accounts sends each of them the order, in the order it names them; a CLOSE
 * flattens the position held in each account. The signal is recorded once, with the order it became in
 * the strategy's first account.
 */
export class SignalRouter {
  readonly #routes: AccountRoutes;
  readonly #recorder: RunRecorder;

  constructor(routes: AccountRoutes, recorder: RunRecorder) {
    this.#routes = routes;
    this.#recorder = recorder;
  }

  /** Records a strategy's signal and submits the order it asks for to each of the strategy's accounts. */
  route(strategy: string, signal: Signal, ts: number): void {
    let orderId: number | undefined;
    switch (signal.action) {
      case 'BUY':
      case 'SELL':
      case 'CLOSE': {
        const accounts = this.#routes.of(strategy);
        orderId = this.#submit(accounts[0]!, strategy, signal, ts);
        for (let k = 1; k < accounts.length; k++) this.#submit(accounts[k]!, strategy, signal, ts);
        break;
      }
      case 'HOLD':
      case 'CANCEL':
      case 'REPLACE':
        break;
      default:
        // Signals are checked where they leave the strategy (src/strategy/host/signal-check.ts).
        assertNever(signal.action, 'signal action');
    }
    this.#recorder.onSignal(
      orderId === undefined ? { ts, strategy, signal } : { ts, strategy, signal, orderId },
    );
  }

  /** Submits a BUY, SELL or CLOSE signal's order to one account; undefined when a CLOSE finds it flat. */
  #submit(account: Account, strategy: string, s: Signal, ts: number): number | undefined {
    let side: 'buy' | 'sell';
    let quantity: number;
    if (s.action === 'CLOSE') {
      const held = account.portfolio.position(strategy, s.symbol);
      if (held === 0) return undefined;
      side = held > 0 ? 'sell' : 'buy';
      quantity = Math.abs(held);
    } else {
      side = s.action === 'BUY' ? 'buy' : 'sell';
      quantity = s.quantity ?? NaN;
    }
    const type = s.orderType ?? 'market';
    return account.broker.submit(
      {
        strategy,
        symbol: s.symbol,
        side,
        quantity,
        type,
        ...(s.price === undefined || type === 'market' ? {} : { price: s.price }),
        ...(s.reason === undefined ? {} : { signalReason: s.reason }),
      },
      ts,
    ).id;
  }
}
