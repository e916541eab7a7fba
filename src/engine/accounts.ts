// The paper accounts of a run: which ones the session uses, their brokers and portfolios, and which
// strategy routes to which.
import type { RiskConfig } from '../config/orders-config.ts';
import type { BrokerConfig, SessionConfig } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import type { ExecutionListener } from '../execution/broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from '../execution/costs.ts';
import { ExecutionIds } from '../execution/execution-ids.ts';
import { PaperBroker } from '../execution/paper-broker.ts';
import { Portfolio } from '../execution/portfolio.ts';
import { RiskGate } from '../execution/risk.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { AccountState } from '../model/live-state.ts';
import type { Order } from '../model/order.ts';

/** One paper account of a run: its broker and the portfolio holding its cash and positions. */
export interface Account {
  readonly name: string;
  readonly broker: PaperBroker;
  readonly portfolio: Portfolio;
  /** The account's risk limits and those of the strategies routed to it (inactive when there are none). */
  readonly risk: RiskGate;
}

/** An account's name and terms, as the session config gives them. */
export type AccountTerms = BrokerConfig & { readonly name: string };

/**
 * Returns the accounts that the session's enabled strategies route to, in a fixed order: `default` (from
 * `broker`) first when a strategy uses it, then the `accounts` in the order the config lists them. A
 * session that uses none (no strategy enabled) gets the default account, so a run always has one.
 */
export function accountsInUse(config: SessionConfig): AccountTerms[] {
  const used = new Set(config.strategies.filter((s) => s.enabled).flatMap((s) => s.active_brokers));
  const all: AccountTerms[] = [{ name: DEFAULT_ACCOUNT, ...config.broker }, ...config.accounts];
  const inUse = all.filter((a) => used.has(a.name));
  return inUse.length > 0 ? inUse : all.slice(0, 1);
}

/** What the account book needs to open its accounts. */
export interface AccountBookOptions {
  readonly terms: readonly AccountTerms[];
  /** Symbol names by id (the order of the data sources). */
  readonly symbols: readonly string[];
  /** Hear of every account's orders, fills and trades (each names its account), in this order. */
  readonly listeners: readonly ExecutionListener[];
}

/**
 * The paper accounts of a run and which strategy routes to which. Accounts share one id sequence, so order,
 * fill and trade ids are unique across them and follow the order in which accounts act: within a signal,
 * the strategy's `active_brokers` order; within a bar, the order of `all`.
 */
export class AccountBook {
  /** Every account, in the order of `accountsInUse`; the first is the primary one. */
  readonly all: readonly Account[];
  /** The account the result's top-level figures, the equity curve and the stats describe. */
  readonly primary: Account;
  readonly #byName: ReadonlyMap<string, Account>;
  readonly #byStrategy = new Map<string, readonly Account[]>();
  readonly #primaryOnly: readonly Account[];
  /** The order, fill and trade ids the accounts share. */
  readonly ids: ExecutionIds;
  /** Symbol names by id, as the accounts know them. */
  readonly #symbols: string[];
  /** Symbol ids by name, for the risk gates. */
  readonly #symbolIds: Map<string, number>;

  constructor(o: AccountBookOptions) {
    const ids = new ExecutionIds();
    this.ids = ids;
    this.#symbols = [...o.symbols];
    const symbolIds = new Map(o.symbols.map((s, i) => [s, i]));
    this.#symbolIds = symbolIds;
    const symbolId = (symbol: string): number => symbolIds.get(symbol) ?? -1;
    this.all = o.terms.map((t) => {
      const portfolio = new Portfolio(t.initial_cash, o.symbols.length, { account: t.name, ids });
      const broker = new PaperBroker({
        portfolio,
        symbols: o.symbols,
        commission: perShareAndBpsCommission({
          perShare: t.commission.per_share,
          bps: t.commission.bps,
          minimum: t.commission.minimum,
        }),
        slippage: bpsSlippage(t.slippage_bps),
        allowShort: t.allow_short,
        intrabar: t.intrabar,
        ...(t.max_volume_share === undefined ? {} : { maxVolumeShare: t.max_volume_share }),
        listeners: o.listeners,
        account: t.name,
        ids,
      });
      const risk = new RiskGate({
        account: { name: t.name, broker, portfolio },
        symbolId,
        ...(t.risk === undefined ? {} : { limits: t.risk }),
      });
      return { name: t.name, broker, portfolio, risk };
    });
    if (this.all.length === 0)
      throw new TradeflowError('TF_ERR_INTERNAL', 'a run needs at least one account');
    this.primary = this.all[0]!;
    this.#primaryOnly = [this.primary];
    this.#byName = new Map(this.all.map((a) => [a.name, a]));
  }
  /** Opens a symbol that joined the session in every account (it takes the next symbol id). */
  addSymbol(symbol: string): void {
    this.#symbolIds.set(symbol, this.#symbols.length);
    this.#symbols.push(symbol);
    for (const a of this.all) {
      a.portfolio.addSymbol();
      a.broker.addSymbol(symbol);
    }
  }

  /** Returns a symbol's last close as the accounts marked it (NaN before its first bar or for an unknown symbol). */
  lastClose(symbol: string): number {
    const id = this.#symbols.indexOf(symbol);
    return id < 0 ? Number.NaN : this.primary.portfolio.lastClose(id);
  }

  /** Returns every account's state (cash, open books, marks), in the order of `all`. */
  states(): AccountState[] {
    return this.all.map((a) => a.portfolio.state(this.#symbols));
  }

  /**
   * Puts back what a resumed live run had committed: each account's state (by name), the working orders
   * stored as open, and the id counters. Fails naming an account the run had and the session does not.
   */
  restore(
    states: readonly AccountState[],
    working: readonly Order[],
    next: Pick<ExecutionIds, 'nextOrder' | 'nextFill' | 'nextTrade'>,
  ): void {
    for (const state of states) {
      const account = this.#byName.get(state.account);
      if (!account) {
        throw new TradeflowError(
          'TF_ERR_RESUME',
          `the run had account "${state.account}", which the session does not use; resume with the session the run was started with`,
        );
      }
      account.portfolio.restore(state, this.#symbols);
    }
    for (const a of this.all) a.broker.restoreWorking(working);
    this.ids.nextOrder = next.nextOrder;
    this.ids.nextFill = next.nextFill;
    this.ids.nextTrade = next.nextTrade;
  }

  /**
   * Routes a strategy's signals to the named accounts, in that order (its entry's `active_brokers`); `risk`
   * (its entry's) is checked in each of them after the account's own limits.
   */
  assign(strategy: string, accountNames: readonly string[], risk?: RiskConfig): void {
    this.#byStrategy.set(
      strategy,
      accountNames.map((name) => {
        const account = this.#byName.get(name);
        if (!account) {
          throw new TradeflowError(
            'TF_ERR_CONFIG_INVALID',
            `strategy ${strategy}: unknown account "${name}"; known accounts: ${[...this.#byName.keys()].join(', ')}`,
          );
        }
        if (risk) account.risk.addStrategy(strategy, risk);
        return account;
      }),
    );
  }

  /** A trading session begins: every risk gate measures daily losses from now and lifts its halts. */
  newSession(): void {
    for (const a of this.all) if (a.risk.active) a.risk.newSession();
  }

  /** Returns the accounts a strategy's signals go to (the primary one for a strategy never assigned). */
  of(strategy: string): readonly Account[] {
    return this.#byStrategy.get(strategy) ?? this.#primaryOnly;
  }

  /** Returns the account whose positions and cash a strategy reads: the first it routes to. */
  home(strategy: string): Account {
    return this.#byStrategy.get(strategy)?.[0] ?? this.primary;
  }
}
