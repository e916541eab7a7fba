// A batch of run events in columns: what the SQLite writer binds, and what the threaded store hands its
// worker without a copy.
import type { Fill, Order, Trade } from '../model/order.ts';
import type { EquityPoint, SignalRecord } from '../model/run.ts';
import { screenBatch } from './row-checks.ts';
import { COLUMNS, IS_TEXT, TEXT, type EventTable } from './flat-columns.ts';
import type { RunBatch, SkippedRow } from './store.ts';

export { COLUMNS, IS_TEXT, type EventTable } from './flat-columns.ts';

/*
 * A batch in columns: per table, the numbers of every row in one Float64Array and the strings as codes
 * (Int32Array) into one string list for the whole batch, row after row in the order of the columns below
 * (run_id excluded; flat-columns.ts lists them). This is what the SQLite writer binds, and what the threaded store hands its worker:
 * the typed arrays move between threads without a copy (transferred), and the strings of a batch are a
 * handful (names, sides, statuses), so a batch costs the engine's thread one pass over its events.
 * The encoding is the one of rows.ts (absent optional fields are null, metadata is JSON). A batch is
 * screened first (row-checks.ts): a row that SQLite would store wrongly (NaN becomes NULL) or that could not
 * be read back is left out and listed in `skipped`, which frees NaN to stand for an absent optional number,
 * as code -1 does for an absent string.
 */

/** A value bound to a column. */
export type Cell = string | number | null;

/** One table's rows: numbers and string codes, each row's values in column order. */
export interface FlatTable {
  readonly rows: number;
  /** The number columns of each row (NaN: absent). */
  readonly numbers: Float64Array;
  /** The text columns of each row, as indexes into the batch's `strings` (-1: absent). */
  readonly texts: Int32Array;
}

/** A batch in columns; see the top of this file. */
export interface FlatBatch {
  readonly strings: readonly string[];
  readonly tables: { readonly [T in EventTable]: FlatTable };
  /** Rows of the batch left out because they cannot be stored, each with why. */
  readonly skipped: readonly SkippedRow[];
  /** Closing keys (row-checks.ts) of the fills left out, whose trades the writer leaves out too. */
  readonly skippedFills: readonly string[];
}

/** Returns the buffers of a batch, to transfer them to another thread instead of copying them. */
export function batchBuffers(flat: FlatBatch): ArrayBuffer[] {
  return Object.values(flat.tables).flatMap((t) => [t.numbers.buffer, t.texts.buffer] as ArrayBuffer[]);
}

/** Returns row `row` of a table as cells in column order (to name a failing row, or to read back). */
export function rowCells(flat: FlatBatch, table: EventTable, row: number): Cell[] {
  const isText = IS_TEXT[table];
  const t = flat.tables[table];
  const textWidth = TEXT[table].length;
  let n = row * (isText.length - textWidth);
  let s = row * textWidth;
  return isText.map((text) => {
    if (text) {
      const code = t.texts[s++]!;
      return code < 0 ? null : flat.strings[code]!;
    }
    const v = t.numbers[n++]!;
    return v === v ? v : null;
  });
}

/** Fills one table's arrays, row by row; `code` turns a string into its index in the batch's list. */
class TableBuilder {
  readonly numbers: Float64Array;
  readonly texts: Int32Array;
  #n = 0;
  #s = 0;

  constructor(table: EventTable, rows: number) {
    const textWidth = TEXT[table].length;
    this.numbers = new Float64Array(rows * (COLUMNS[table].length - textWidth));
    this.texts = new Int32Array(rows * textWidth);
  }

  num(v: number | undefined): void {
    this.numbers[this.#n++] = v ?? Number.NaN;
  }

  text(code: number): void {
    this.texts[this.#s++] = code;
  }
}

/** The strings of one batch, each once. */
class StringList {
  readonly list: string[] = [];
  readonly #codes = new Map<string, number>();
  // A column mostly repeats the string of the row before (one strategy, one symbol): each text column of a
  // table (`column`, its place among them) compares with its last string before hashing.
  readonly #last: (string | undefined)[] = [];
  readonly #lastCode: number[] = [];

  code(s: string | null | undefined, column: number): number {
    if (s === undefined || s === null) return -1;
    if (s === this.#last[column]) return this.#lastCode[column]!;
    let c = this.#codes.get(s);
    if (c === undefined) {
      c = this.list.length;
      this.list.push(s);
      this.#codes.set(s, c);
    }
    this.#last[column] = s;
    this.#lastCode[column] = c;
    return c;
  }
}

/** Screens a batch and encodes the rows that can be stored in columns, listing those that cannot. */
export function flattenBatch(whole: RunBatch): FlatBatch {
  const screened = screenBatch(whole);
  const batch = screened.batch;
  const strings = new StringList();
  const table = (t: EventTable, rows: number, fill: (b: TableBuilder) => void): FlatTable => {
    const b = new TableBuilder(t, rows);
    fill(b);
    return { rows, numbers: b.numbers, texts: b.texts };
  };
  const tables = {
    orders: table('orders', batch.orders.length, (b) => flatOrders(batch.orders, b, strings)),
    fills: table('fills', batch.fills.length, (b) => flatFills(batch.fills, b, strings)),
    trades: table('trades', batch.trades.length, (b) => flatTrades(batch.trades, b, strings)),
    signals: table('signals', batch.signals.length, (b) => flatSignals(batch.signals, b, strings)),
    equity: table('equity', batch.equity.length, (b) => flatEquity(batch.equity, b)),
  };
  return {
    strings: strings.list,
    tables,
    skipped: screened.skipped,
    skippedFills: [...screened.skippedFills],
  };
}

function flatOrders(orders: readonly Order[], b: TableBuilder, s: StringList): void {
  for (const o of orders) {
    const { id, quantity, price, tsCreated, tsClosed } = o;
    b.num(id);
    b.text(s.code(o.strategy, 0));
    b.text(s.code(o.symbol, 1));
    b.text(s.code(o.side, 2));
    b.num(quantity);
    b.text(s.code(o.type, 3));
    b.num(price);
    b.num(tsCreated);
    b.text(s.code(o.status, 4));
    b.num(tsClosed);
    b.text(s.code(o.reason, 5));
    b.text(s.code(o.signalReason, 6));
    b.text(s.code(o.account, 7));
    b.text(s.code(o.ref, 8));
    b.text(s.code(o.timeInForce ?? 'GTC', 9));
    b.num(o.stopPrice);
    b.num(o.trailAmount);
    b.num(o.trailPercent);
    b.num(o.triggered === true ? 1 : 0);
    b.num(o.filledQuantity ?? 0);
    b.num(o.avgFillPrice);
    b.num(o.bracket?.stopLoss);
    b.num(o.bracket?.takeProfit);
    b.num(o.parentId);
    b.num(o.ocoId);
    b.text(s.code(o.riskRule, 10));
  }
}

function flatFills(fills: readonly Fill[], b: TableBuilder, s: StringList): void {
  for (const f of fills) {
    const { id, orderId, quantity, price, commission, ts } = f;
    b.num(id);
    b.num(orderId);
    b.text(s.code(f.strategy, 0));
    b.text(s.code(f.symbol, 1));
    b.text(s.code(f.side, 2));
    b.num(quantity);
    b.num(price);
    b.num(commission);
    b.num(ts);
    b.text(s.code(f.account, 3));
  }
}

function flatTrades(trades: readonly Trade[], b: TableBuilder, s: StringList): void {
  for (const t of trades) {
    b.num(t.id);
    b.text(s.code(t.strategy, 0));
    b.text(s.code(t.symbol, 1));
    b.num(t.direction);
    b.num(t.quantity);
    b.num(t.entryTime);
    b.num(t.entryPrice);
    b.num(t.exitTime);
    b.num(t.exitPrice);
    b.num(t.pnl);
    b.num(t.commission);
    b.num(t.bars);
    b.text(s.code(t.account, 2));
  }
}

function flatSignals(signals: readonly SignalRecord[], b: TableBuilder, s: StringList): void {
  for (const r of signals) {
    const g = r.signal;
    b.num(r.ts);
    b.text(s.code(r.strategy, 0));
    b.text(s.code(g.symbol, 1));
    b.text(s.code(g.action, 2));
    b.num(g.quantity);
    b.num(g.price);
    b.text(s.code(g.orderType, 3));
    b.text(s.code(g.reason, 4));
    b.num(g.confidence);
    b.text(s.code(g.metadata === undefined ? undefined : JSON.stringify(g.metadata), 5));
    b.num(r.orderId);
  }
}

function flatEquity(points: readonly EquityPoint[], b: TableBuilder): void {
  for (const p of points) {
    b.num(p.ts);
    b.num(p.equity);
    b.num(p.cash);
  }
}
