// The risk gate: an account's limits and its strategies' own, checked before an order reaches the broker.
// A refusal names its rule and its numbers; the router turns it into a rejected order.
import type { RiskConfig } from '../config/orders-config.ts';
import type { Order } from '../model/order.ts';
import type { Broker, OrderRequest } from './broker.ts';
import type { Portfolio } from './portfolio.ts';
import { checkLimits, type LimitScope, type RiskRefusal } from './risk-limits.ts';

export type { RiskRefusal, RiskRule } from './risk-limits.ts';

/** What a risk gate reads of its account. */
export interface RiskAccount {
  readonly name: string;
  readonly portfolio: Portfolio;
  readonly broker: Broker;
}

/** Options of a risk gate. */
export interface RiskGateOptions {
  readonly account: RiskAccount;
  /** The account's own limits (`broker.risk` or `accounts[].risk`). */
  readonly limits?: RiskConfig;
  /** A symbol's id in the account (its index among the session's symbols; -1 when unknown). */
  readonly symbolId: (symbol: string) => number;
}

/** One scope's daily loss state: the value at the session's start and whether new entries are halted. */
interface Day {
  start: number;
  halted: boolean;
}

/**
 * Checks orders bound for one account against the account's limits, then against the sending strategy's
 * own (`strategies[].risk`, measured on that strategy's positions and orders in this account). A gate with
 * no limit at all is not `active`, and the router skips it.
 */
export class RiskGate {
  readonly #o: RiskGateOptions;
  readonly #account: LimitScope | undefined;
  readonly #strategies = new Map<string, LimitScope>();

  constructor(o: RiskGateOptions) {
    this.#o = o;
    if (o.limits && Object.keys(o.limits).length > 0) {
      this.#account = this.#scope(o.limits, `account ${o.account.name}`, undefined);
    }
  }

  /** Returns true when the account or any strategy routed to it has a limit. */
  get active(): boolean {
    return this.#account !== undefined || this.#strategies.size > 0;
  }

  /** Adds a strategy's own limits (its entry's `risk`); an empty section adds nothing. */
  addStrategy(strategy: string, limits: RiskConfig): void {
    if (Object.keys(limits).length === 0) return;
    this.#strategies.set(strategy, this.#scope(limits, `strategy ${strategy}`, strategy));
  }

  /**
   * Returns why an order may not go to the broker, or undefined when it may. `replacing`: the working
   * order a REPLACE would give `request.quantity` (then only the added shares count toward positions,
   * and the order is no new open order).
   */
  check(request: OrderRequest, replacing?: Order): RiskRefusal | undefined {
    const { portfolio, broker } = this.#o.account;
    const symbolId = this.#o.symbolId(request.symbol);
    const facts = {
      request,
      portfolio,
      broker,
      lastClose: symbolId < 0 ? Number.NaN : portfolio.lastClose(symbolId),
      added: replacing ? request.quantity - replacing.quantity : request.quantity,
      newOrder: replacing === undefined,
    };
    if (this.#account) {
      const no = checkLimits(this.#account, facts);
      if (no) return no;
    }
    const own = this.#strategies.get(request.strategy);
    return own && checkLimits(own, facts);
  }

  /** A session begins: daily losses are measured from now, and halted scopes may enter again. */
  newSession(): void {
    if (this.#account?.day) this.#reset(this.#account.day, undefined);
    for (const [strategy, scope] of this.#strategies) if (scope.day) this.#reset(scope.day, strategy);
  }

  #reset(day: Day, strategy: string | undefined): void {
    day.start = this.#value(strategy);
    day.halted = false;
  }

  #value(strategy: string | undefined): number {
    const { portfolio } = this.#o.account;
    return strategy === undefined ? portfolio.equity() : portfolio.strategyValue(strategy);
  }

  #scope(limits: RiskConfig, label: string, strategy: string | undefined): LimitScope {
    const day: Day | undefined =
      limits.daily_loss_limit === undefined ? undefined : { start: this.#value(strategy), halted: false };
    return { limits, label, strategy, day, value: () => this.#value(strategy) };
  }
}
