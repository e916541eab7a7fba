// The risk rules, one scope at a time (an account's limits, or one strategy's): each rule compares what an
// order would leave with its limit, and a refusal says so in numbers.
import type { RiskConfig } from '../config/orders-config.ts';
import type { Broker, OrderRequest } from './broker.ts';
import type { Portfolio } from './portfolio.ts';

/** A rule a risk refusal names: a key of the risk section, or `duplicate_ref` (the router's own). */
export type RiskRule = keyof RiskConfig | 'duplicate_ref';

/** Why an order may not reach the broker: the rule, and a reason with the numbers. */
export interface RiskRefusal {
  readonly rule: RiskRule;
  readonly reason: string;
}

/** One scope's limits: an account's (`strategy` undefined) or one strategy's in that account. */
export interface LimitScope {
  readonly limits: RiskConfig;
  /** `account default`, `strategy sma`: named in refusals. */
  readonly label: string;
  readonly strategy: string | undefined;
  /** The daily loss state (only with `daily_loss_limit`). */
  readonly day:
    | {
        start: number;
        halted: boolean;
      }
    | undefined;
  /** The scope's value now: the account's equity, or the strategy's value (`Portfolio.strategyValue`). */
  readonly value: () => number;
}

/** What one check reads. */
export interface OrderFacts {
  readonly request: OrderRequest;
  readonly portfolio: Portfolio;
  readonly broker: Broker;
  /** The symbol's last close (NaN before its first bar). */
  readonly lastClose: number;
  /** Shares the order adds: its quantity, or a REPLACE's increase. */
  readonly added: number;
  /** False for a REPLACE: the order is working already. */
  readonly newOrder: boolean;
}

/** A refusal of `rule` in `label`'s scope, with what the order would do and the limit (built only on refusal). */
function refuse(label: string, rule: RiskRule, what: string, limit: number): RiskRefusal {
  return { rule, reason: `risk ${rule}: ${what}, limit ${num(limit)} (${label})` };
}

/** Writes money or shares to at most two decimals, without trailing zeros. */
const num = (x: number): string => String(Math.round(x * 100) / 100);

/**
 * Returns the first rule of `scope` the order breaks, or undefined. A reducing order (one that brings the
 * sending strategy's position toward flat, without flipping it) passes every rule but `max_order_notional`.
 * Money is valued at the symbol's last close; an order's own value at the larger of the last close and its
 * price (a limit or stop price), so that a buy limit above the market counts at its limit.
 */
export function checkLimits(scope: LimitScope, f: OrderFacts): RiskRefusal | undefined {
  const { limits, label } = scope;
  const { request: r, portfolio, lastClose } = f;
  if (limits.max_order_notional !== undefined) {
    // The order's own price when it is higher, or when the symbol has no close yet (NaN compares false).
    const price = r.price !== undefined && !(r.price <= lastClose) ? r.price : lastClose;
    const notional = r.quantity * price;
    if (notional > limits.max_order_notional) {
      return refuse(
        label,
        'max_order_notional',
        `${num(r.quantity)} shares of ${r.symbol} at ${num(price)} are ${num(notional)}`,
        limits.max_order_notional,
      );
    }
  }
  const signed = r.side === 'buy' ? f.added : -f.added;
  const own = portfolio.position(r.strategy, r.symbol);
  if (own !== 0 && Math.sign(signed) !== Math.sign(own) && f.added <= Math.abs(own)) return undefined;
  const day = scope.day;
  if (day !== undefined && limits.daily_loss_limit !== undefined) {
    const now = scope.value();
    const loss = day.start - now;
    if (day.halted || loss > limits.daily_loss_limit) {
      day.halted = true;
      return refuse(
        label,
        'daily_loss_limit',
        `lost ${num(loss)} since the session opened (${num(day.start)} then, ${num(now)} now); new entries halted until the next session`,
        limits.daily_loss_limit,
      );
    }
  }
  if (limits.max_open_orders !== undefined && f.newOrder) {
    const open =
      scope.strategy === undefined ? f.broker.openOrderCount : f.broker.openOrderCountOf(scope.strategy);
    if (open + 1 > limits.max_open_orders) {
      return refuse(
        label,
        'max_open_orders',
        `${open} orders working, this one would be ${open + 1}`,
        limits.max_open_orders,
      );
    }
  }
  const held = scope.strategy === undefined ? portfolio.netPosition(r.symbol) : own;
  const after = Math.abs(held + signed);
  if (limits.max_position_shares !== undefined && after > limits.max_position_shares) {
    return refuse(
      label,
      'max_position_shares',
      `${num(after)} shares of ${r.symbol} after this order`,
      limits.max_position_shares,
    );
  }
  if (limits.max_position_notional !== undefined && after * lastClose > limits.max_position_notional) {
    return refuse(
      label,
      'max_position_notional',
      `${num(after)} shares of ${r.symbol} at ${num(lastClose)} are ${num(after * lastClose)} after this order`,
      limits.max_position_notional,
    );
  }
  if (limits.max_gross_exposure !== undefined) {
    // Gross exposure sums each strategy's book, so the order changes it by its own book's change.
    const change = Math.abs(own + signed) - Math.abs(own);
    const gross = portfolio.grossExposure(scope.strategy) + change * lastClose;
    if (gross > limits.max_gross_exposure) {
      return refuse(
        label,
        'max_gross_exposure',
        `gross exposure ${num(gross)} after this order`,
        limits.max_gross_exposure,
      );
    }
  }
  return undefined;
}
