// Turns strategies' signals into orders in the accounts they route to, the same way in backtest and live:
// new orders pass the risk gate first; CANCEL and REPLACE find the order a ref names in each account.
import { assertNever } from '../core/errors.ts';
import type { Logger } from '../core/logger.ts';
import type { Broker, ExecutionListener, OrderRequest } from '../execution/broker.ts';
import type { Portfolio } from '../execution/portfolio.ts';
import type { RiskGate } from '../execution/risk.ts';
import type { Order } from '../model/order.ts';
import type { Signal } from '../model/signal.ts';
import type { OrderRefs } from './order-refs.ts';
import type { RunRecorder } from './recorder.ts';
import { RouterCounts } from './router-counts.ts';

/** What the router uses of an account: its broker, its portfolio, and its risk gate when it has one. */
export interface RoutedAccount {
  readonly name: string;
  readonly broker: Broker;
  readonly portfolio: Portfolio;
  readonly risk?: RiskGate;
}

/** Which accounts a strategy's signals go to (an AccountBook, or anything that answers the same). */
export interface AccountRoutes {
  of(strategy: string): readonly RoutedAccount[];
}

/** What a router needs. */
export interface SignalRouterOptions {
  readonly routes: AccountRoutes;
  readonly recorder: RunRecorder;
  /** The refs of the run's orders; it must be among the accounts' listeners. */
  readonly refs: OrderRefs;
  /** Told of a REPLACE a risk limit refused (`replace_rejected`): the accounts' listeners. */
  readonly listeners?: readonly ExecutionListener[];
  readonly log?: Logger;
}

/** Signals naming an unknown ref are logged this many times per strategy, then only counted. */
const LOGGED_UNKNOWN = 3;

/**
 * Turns well-formed signals (every signal is checked where it leaves its strategy) into orders, the same
 * way in backtest and live: BUY and SELL become orders of the signal's quantity and terms, CLOSE flattens
 * the strategy's position in the symbol, CANCEL and REPLACE change the order the signal's ref names, HOLD
 * is only recorded. A strategy routed to several accounts sends each of them the order, in the order it
 * names them. Before a new order reaches a broker, a ref the strategy used already rejects it
 * (`duplicate_ref`), then the account's risk gate may refuse it (a rejected order naming the rule). The
 * signal is recorded once, with the order it became (or changed) in the strategy's first account.
 */
export class SignalRouter {
  readonly #o: SignalRouterOptions;
  /** Risk refusals and signals naming unknown refs, per strategy. */
  readonly counts = new RouterCounts();

  constructor(o: SignalRouterOptions) {
    this.#o = o;
  }

  /** Learns the refs of orders placed before this router ran (a resumed run's stored orders, in id order). */
  learn(orders: readonly Order[]): void {
    for (const o of orders) this.#o.refs.onOrder(o, 'accepted');
  }

  /** Records a strategy's signal and carries it out in each of the strategy's accounts. */
  route(strategy: string, signal: Signal, ts: number): void {
    let orderId: number | undefined;
    switch (signal.action) {
      case 'BUY':
      case 'SELL':
      case 'CLOSE': {
        const accounts = this.#o.routes.of(strategy);
        orderId = this.#submit(accounts[0]!, strategy, signal, ts);
        for (let k = 1; k < accounts.length; k++) this.#submit(accounts[k]!, strategy, signal, ts);
        break;
      }
      case 'CANCEL':
      case 'REPLACE':
        orderId = this.#change(strategy, signal, ts);
        break;
      case 'HOLD':
        break;
      default:
        // Signals are checked where they leave the strategy (src/strategy/host/signal-check.ts).
        assertNever(signal.action, 'signal action');
    }
    this.#o.recorder.onSignal(
      orderId === undefined ? { ts, strategy, signal } : { ts, strategy, signal, orderId },
    );
  }

  /** Submits a BUY, SELL or CLOSE signal's order to one account; undefined when a CLOSE finds it flat. */
  #submit(account: RoutedAccount, strategy: string, s: Signal, ts: number): number | undefined {
    if (s.action === 'CLOSE') {
      const held = account.portfolio.position(strategy, s.symbol);
      if (held === 0) return undefined;
      const close: OrderRequest = {
        strategy,
        symbol: s.symbol,
        side: held > 0 ? 'sell' : 'buy',
        quantity: Math.abs(held),
        type: 'market',
        ...(s.ref === undefined ? {} : { ref: s.ref }),
        ...(s.reason === undefined ? {} : { signalReason: s.reason }),
      };
      return this.#place(account, close, ts).id;
    }
    return this.#place(account, orderRequest(strategy, s), ts).id;
  }

  /** Sends a new order to an account's broker, unless its ref is used already or a risk limit refuses it. */
  #place(account: RoutedAccount, request: OrderRequest, ts: number): Order {
    const { broker } = account;
    const { ref, strategy } = request;
    if (ref !== undefined && this.#o.refs.find(account.name, strategy, ref) !== undefined) {
      this.counts.refusal(strategy, 'duplicate_ref');
      const why = `duplicate_ref: strategy ${strategy} already sent an order named "${ref}" in this run; give each order its own ref`;
      return broker.reject(request, ts, why, 'duplicate_ref');
    }
    const risk = account.risk;
    if (risk?.active) {
      const no = risk.check(request);
      if (no) {
        this.counts.refusal(strategy, no.rule);
        return broker.reject(request, ts, no.reason, no.rule);
      }
    }
    return broker.submit(request, ts);
  }

  /** Carries out a CANCEL or REPLACE in each account; returns the order's id in the first one. */
  #change(strategy: string, s: Signal, ts: number): number | undefined {
    const ref = s.ref!;
    const accounts = this.#o.routes.of(strategy);
    let first: number | undefined;
    let unknown = false;
    for (let k = 0; k < accounts.length; k++) {
      const account = accounts[k]!;
      const id = this.#o.refs.find(account.name, strategy, ref);
      if (id === undefined) {
        unknown = true;
        continue;
      }
      if (k === 0) first = id;
      if (s.action === 'CANCEL') account.broker.cancel(id, ts, s.reason ?? 'cancelled by the strategy');
      else this.#replace(account, strategy, id, s, ts);
    }
    if (unknown) this.#unknownRef(strategy, s);
    return first;
  }

  /** Replaces an order, unless it would grow past a risk limit (then the listeners hear `replace_rejected`). */
  #replace(account: RoutedAccount, strategy: string, id: number, s: Signal, ts: number): void {
    const changes = {
      ...(s.price === undefined ? {} : { price: s.price }),
      ...(s.stopPrice === undefined ? {} : { stopPrice: s.stopPrice }),
      ...(s.quantity === undefined ? {} : { quantity: s.quantity }),
    };
    const risk = account.risk;
    if (risk?.active && s.quantity !== undefined) {
      const order = account.broker.openOrders(strategy).find((o) => o.id === id);
      if (order && s.quantity > order.quantity) {
        const price = s.price ?? order.price;
        const grown: OrderRequest = {
          strategy,
          symbol: order.symbol,
          side: order.side,
          quantity: s.quantity,
          type: order.type,
          ...(price === undefined ? {} : { price }),
        };
        const no = risk.check(grown, order);
        if (no) {
          this.counts.refusal(strategy, no.rule);
          for (const l of this.#o.listeners ?? []) l.onOrder?.(order, 'replace_rejected', no.reason);
          return;
        }
      }
    }
    account.broker.replace(id, changes, ts);
  }

  #unknownRef(strategy: string, s: Signal): void {
    const n = this.counts.unknownRef(strategy);
    if (n <= LOGGED_UNKNOWN) {
      this.#o.log?.warn(
        `strategy ${strategy}: ${s.action} names no order of this strategy ("${s.ref}"); the signal is recorded and counted as invalid${n === LOGGED_UNKNOWN ? ' (further ones are only counted)' : ''}`,
        { strategy, ref: s.ref },
      );
    }
  }
}

/** Returns the order a BUY or SELL signal asks for, with every term it gives. */
function orderRequest(strategy: string, s: Signal): OrderRequest {
  const type = s.orderType ?? 'market';
  return {
    strategy,
    symbol: s.symbol,
    side: s.action === 'BUY' ? 'buy' : 'sell',
    quantity: s.quantity ?? Number.NaN,
    type,
    ...(s.price === undefined || type === 'market' ? {} : { price: s.price }),
    ...(s.stopPrice === undefined ? {} : { stopPrice: s.stopPrice }),
    ...(s.trailAmount === undefined ? {} : { trailAmount: s.trailAmount }),
    ...(s.trailPercent === undefined ? {} : { trailPercent: s.trailPercent }),
    ...(s.timeInForce === undefined ? {} : { timeInForce: s.timeInForce }),
    ...(s.bracket === undefined ? {} : { bracket: s.bracket }),
    ...(s.ref === undefined ? {} : { ref: s.ref }),
    ...(s.reason === undefined ? {} : { signalReason: s.reason }),
  };
}
