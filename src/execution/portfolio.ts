// A paper account's cash and positions per strategy and symbol: marks positions at the last close and
// turns fills into round-trip trades.
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { AccountState, BookState } from '../model/live-state.ts';
import type { Fill, Position, Trade } from '../model/order.ts';
import { ExecutionIds } from './execution-ids.ts';

/** A position and the round trip it belongs to, per (strategy, symbol). */
interface Book {
  readonly strategy: string;
  readonly symbol: string;
  readonly symbolId: number;
  qty: number;
  avgPrice: number;
  // The open round trip: entries and exits summed so averages are exact over partial fills.
  entryTime: number;
  entryQty: number;
  entryValue: number;
  exitQty: number;
  exitValue: number;
  realized: number;
  commission: number;
  maxAbsQty: number;
  entryStep: number;
  direction: 1 | -1;
}

/** Options of a portfolio beyond its cash and symbol count. */
export interface PortfolioOptions {
  /** The account name stamped on trades (default `default`). */
  readonly account?: string;
  /** Id sequences shared with the run's other accounts (default: the portfolio's own). */
  readonly ids?: ExecutionIds;
}

/**
 * One cash account shared by the strategies routed to it, with positions per strategy and symbol. Marks
 * positions at each symbol's last close and turns fills into round-trip trades (flat -> position -> flat).
 */
export class Portfolio {
  #cash: number;
  readonly initialCash: number;
  /** The account's name. */
  readonly account: string;
  readonly #ids: ExecutionIds;
  #lastClose: Float64Array;
  // Keyed by strategy, then symbol: no string building on the per-signal path.
  readonly #books = new Map<string, Map<string, Book>>();
  readonly #open: Book[] = [];
  /** Each strategy's cash flows (fills and commissions), for its own P&L (`strategyValue`). */
  readonly #flows = new Map<string, number>();

  constructor(initialCash: number, symbolCount: number, options: PortfolioOptions = {}) {
    this.#cash = initialCash;
    this.initialCash = initialCash;
    this.account = options.account ?? DEFAULT_ACCOUNT;
    this.#ids = options.ids ?? new ExecutionIds();
    this.#lastClose = new Float64Array(symbolCount).fill(NaN);
  }

  /** Returns the account's cash. */
  get cash(): number {
    return this.#cash;
  }

  /** Makes room for a symbol that joined the session; returns its id (the next one). */
  addSymbol(): number {
    const id = this.#lastClose.length;
    const bigger = new Float64Array(id + 1).fill(NaN);
    bigger.set(this.#lastClose);
    this.#lastClose = bigger;
    return id;
  }

  /** Records a symbol's latest close, used to mark positions. */
  mark(symbolId: number, close: number): void {
    this.#lastClose[symbolId] = close;
  }

  /** Returns the last close seen for a symbol (NaN before its first bar). */
  lastClose(symbolId: number): number {
    return this.#lastClose[symbolId] as number;
  }

  /** Returns cash plus every open position marked at its symbol's last close. */
  equity(): number {
    let e = this.#cash;
    for (const b of this.#open) e += b.qty * (this.#lastClose[b.symbolId] as number);
    return e;
  }

  /** Returns true when any position is open. */
  get hasPositions(): boolean {
    return this.#open.length > 0;
  }

  /** Returns a strategy's signed position in a symbol. */
  position(strategy: string, symbol: string): number {
    return this.#books.get(strategy)?.get(symbol)?.qty ?? 0;
  }

  /** Applies a fill to cash and the position; returns the trade it closed, if any. `barIndex` is the fill bar's index in the symbol's series, so a trade knows how many bars it was held. */
  applyFill(fill: Fill, symbolId: number, barIndex: number): Trade | undefined {
    const signed = fill.side === 'buy' ? fill.quantity : -fill.quantity;
    this.#cash -= signed * fill.price + fill.commission;
    this.#flows.set(
      fill.strategy,
      (this.#flows.get(fill.strategy) ?? 0) - signed * fill.price - fill.commission,
    );
    let byStrategy = this.#books.get(fill.strategy);
    if (!byStrategy) {
      byStrategy = new Map();
      this.#books.set(fill.strategy, byStrategy);
    }
    let b = byStrategy.get(fill.symbol);
    if (!b) {
      b = newBook(fill.strategy, fill.symbol, symbolId);
      byStrategy.set(fill.symbol, b);
    }
    const opposite = b.qty !== 0 && Math.sign(signed) !== Math.sign(b.qty);
    // Fractional sizes leave float dust (0.1 + 0.2 - 0.3 !== 0): a fill within 1e-9 (relative) of the position flattens it.
    const flattens = opposite && Math.abs(Math.abs(signed) - Math.abs(b.qty)) <= 1e-9 * Math.abs(b.qty);
    const closing = flattens ? Math.abs(signed) : opposite ? Math.min(Math.abs(signed), Math.abs(b.qty)) : 0;
    const opening = Math.abs(signed) - closing;
    const dir = Math.sign(signed);
    let trade: Trade | undefined;
    if (closing > 0) {
      const share = closing / Math.abs(signed);
      b.exitQty += closing;
      b.exitValue += closing * fill.price;
      b.realized += closing * (fill.price - b.avgPrice) * Math.sign(b.qty);
      b.commission += fill.commission * share;
      b.qty = flattens ? 0 : b.qty + dir * closing;
      if (b.qty === 0) {
        trade = this.#closeTrip(b, fill.ts, barIndex);
        this.#open.splice(this.#open.indexOf(b), 1);
      }
    }
    if (opening > 0) {
      if (b.qty === 0) {
        startTrip(b, fill.ts, barIndex, dir > 0 ? 1 : -1);
        this.#open.push(b);
      }
      const share = opening / Math.abs(signed);
      b.avgPrice = (Math.abs(b.qty) * b.avgPrice + opening * fill.price) / (Math.abs(b.qty) + opening);
      b.qty += dir * opening;
      b.entryQty += opening;
      b.entryValue += opening * fill.price;
      b.commission += fill.commission * share;
      b.maxAbsQty = Math.max(b.maxAbsQty, Math.abs(b.qty));
    }
    return trade;
  }

  /** Returns the account's net position in a symbol: every strategy's, summed. */
  netPosition(symbol: string): number {
    let q = 0;
    for (const b of this.#open) if (b.symbol === symbol) q += b.qty;
    return q;
  }

  /** Returns the sum of absolute position values at the last closes: the account's, or one strategy's. */
  grossExposure(strategy?: string): number {
    let e = 0;
    for (const b of this.#open) {
      if (strategy === undefined || b.strategy === strategy)
        e += Math.abs(b.qty) * (this.#lastClose[b.symbolId] as number);
    }
    return e;
  }

  /**
   * Returns what a strategy's trading is worth in this account: the cash its fills and commissions moved,
   * plus its open positions at the last closes. Its change between two times is its realized and
   * unrealized P&L over that span.
   */
  strategyValue(strategy: string): number {
    let v = this.#flows.get(strategy) ?? 0;
    for (const b of this.#open)
      if (b.strategy === strategy) v += b.qty * (this.#lastClose[b.symbolId] as number);
    return v;
  }

  /** Returns the open positions in a stable order (strategy, then symbol). */
  openPositions(): Position[] {
    return [...this.#open]
      .sort((a, b) => (a.strategy === b.strategy ? cmp(a.symbol, b.symbol) : cmp(a.strategy, b.strategy)))
      .map((b) => ({ strategy: b.strategy, symbol: b.symbol, quantity: b.qty, avgPrice: b.avgPrice }));
  }

  /**
   * Returns the account's state: cash, each open book with its round trip, and the last close marked per
   * symbol (`symbols`: names by id), what a live run commits after each step so that it can resume.
   */
  state(symbols: readonly string[]): AccountState {
    const marks: Record<string, number> = {};
    symbols.forEach((symbol, id) => {
      const close = this.#lastClose[id];
      if (close !== undefined && close === close) marks[symbol] = close;
    });
    const books = this.#open.map(({ symbolId: _id, ...b }): BookState => ({ ...b }));
    return { account: this.account, cash: this.#cash, books, marks };
  }

  /** Puts back the state `state` returned (a resumed live run), before any fill; `symbols`: names by id. */
  restore(state: AccountState, symbols: readonly string[]): void {
    this.#cash = state.cash;
    for (const [symbol, close] of Object.entries(state.marks)) {
      const id = symbols.indexOf(symbol);
      if (id >= 0) this.#lastClose[id] = close;
    }
    for (const saved of state.books) {
      const b: Book = { ...saved, symbolId: symbols.indexOf(saved.symbol) };
      let byStrategy = this.#books.get(b.strategy);
      if (!byStrategy) {
        byStrategy = new Map();
        this.#books.set(b.strategy, byStrategy);
      }
      byStrategy.set(b.symbol, b);
      this.#open.push(b);
    }
  }

  #closeTrip(b: Book, ts: number, step: number): Trade {
    const entryPrice = b.entryValue / b.entryQty;
    const exitPrice = b.exitValue / b.exitQty;
    const trade: Trade = {
      id: this.#ids.nextTrade++,
      account: this.account,
      strategy: b.strategy,
      symbol: b.symbol,
      direction: b.direction,
      quantity: b.maxAbsQty,
      entryTime: b.entryTime,
      entryPrice,
      exitTime: ts,
      exitPrice,
      pnl: b.realized - b.commission,
      commission: b.commission,
      bars: step - b.entryStep,
    };
    b.avgPrice = 0;
    return trade;
  }
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function newBook(strategy: string, symbol: string, symbolId: number): Book {
  return {
    strategy,
    symbol,
    symbolId,
    qty: 0,
    avgPrice: 0,
    entryTime: 0,
    entryQty: 0,
    entryValue: 0,
    exitQty: 0,
    exitValue: 0,
    realized: 0,
    commission: 0,
    maxAbsQty: 0,
    entryStep: 0,
    direction: 1,
  };
}

function startTrip(b: Book, ts: number, step: number, direction: 1 | -1): void {
  b.direction = direction;
  b.entryTime = ts;
  b.entryQty = 0;
  b.entryValue = 0;
  b.exitQty = 0;
  b.exitValue = 0;
  b.realized = 0;
  b.commission = 0;
  b.maxAbsQty = 0;
  b.entryStep = step;
}
