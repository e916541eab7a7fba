// A session's bars in shared columnar storage: one writer, readers in any thread that see only published
// bars.
import { TradeflowError } from '../core/errors.ts';
import type { Bar, SeriesKey } from '../model/bar.ts';
import { seriesKey } from '../model/bar.ts';
import type { Interval } from '../model/interval.ts';

/**
 * Columnar bar storage over SharedArrayBuffer: one series per (symbol, interval), one writer (the data
 * processor), any number of readers in any thread. Readers see only the published prefix, whose length
 * is read with Atomics.load, so a bar written but not yet published (for example preloaded history in a
 * backtest) is invisible: no look-ahead.
 *
 * Each bar costs 49 bytes: six float64 columns (close time, open, high, low, close, volume) and one byte
 * of flags. Buffers are growable SharedArrayBuffers, grown in place, so readers follow appends without
 * new messages. The typed arrays over them have a fixed length (the capacity when they were made) and are
 * made again after a growth: a length-tracking view of a growable buffer reads ~5x slower in V8.
 */

/** The price and volume columns, in storage order. */
export const PRICE_FIELDS = ['open', 'high', 'low', 'close', 'volume'] as const;
/** A numeric column of a bar series. */
export type BarField = 'time' | (typeof PRICE_FIELDS)[number];

/** Bytes of storage per bar (six float64 columns and a flag byte). */
export const BYTES_PER_BAR = 6 * 8 + 1;

/** What a thread needs to read a series in place: the shared buffers, sent once. */
export interface SeriesDescriptor {
  readonly symbol: string;
  readonly interval: Interval;
  readonly time: SharedArrayBuffer;
  readonly open: SharedArrayBuffer;
  readonly high: SharedArrayBuffer;
  readonly low: SharedArrayBuffer;
  readonly close: SharedArrayBuffer;
  readonly volume: SharedArrayBuffer;
  readonly flags: SharedArrayBuffer;
  /** Int32 [publishedLength]. */
  readonly meta: SharedArrayBuffer;
}

const DEFAULT_CAPACITY = 1024;

function growableSab(bytes: number, maxBytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(bytes, { maxByteLength: maxBytes });
}

/** Typed arrays over a series' columns, as long as the buffers are now. */
interface Columns {
  readonly rows: number;
  readonly time: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
  readonly flags: Uint8Array;
}

function columnsOf(d: SeriesDescriptor): Columns {
  const rows = d.flags.byteLength;
  const f64 = (b: SharedArrayBuffer) => new Float64Array(b, 0, rows);
  return {
    rows,
    time: f64(d.time),
    open: f64(d.open),
    high: f64(d.high),
    low: f64(d.low),
    close: f64(d.close),
    volume: f64(d.volume),
    flags: new Uint8Array(d.flags, 0, rows),
  };
}

/** The writable side of one series: only the data processor holds it. */
export class BarSeries {
  readonly symbol: string;
  readonly interval: Interval;
  readonly key: SeriesKey;
  readonly descriptor: SeriesDescriptor;
  #time!: Float64Array;
  #open!: Float64Array;
  #high!: Float64Array;
  #low!: Float64Array;
  #close!: Float64Array;
  #volume!: Float64Array;
  #flags!: Uint8Array;
  #meta: Int32Array;
  #written = 0;
  #capacity: number;
  readonly #maxCapacity: number;

  constructor(symbol: string, interval: Interval, options: { capacity?: number; maxCapacity?: number } = {}) {
    this.symbol = symbol;
    this.interval = interval;
    this.key = seriesKey(symbol, interval);
    this.#capacity = Math.max(1, options.capacity ?? DEFAULT_CAPACITY);
    this.#maxCapacity = Math.max(this.#capacity, options.maxCapacity ?? Math.max(4 * this.#capacity, 1 << 20));
    const f64 = () => growableSab(this.#capacity * 8, this.#maxCapacity * 8);
    this.descriptor = {
      symbol,
      interval,
      time: f64(),
      open: f64(),
      high: f64(),
      low: f64(),
      close: f64(),
      volume: f64(),
      flags: growableSab(this.#capacity, this.#maxCapacity),
      meta: new SharedArrayBuffer(8),
    };
    this.#map();
    this.#meta = new Int32Array(this.descriptor.meta);
  }

  /** Makes the typed arrays over the columns as long as the buffers are now. */
  #map(): void {
    ({
      time: this.#time,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: this.#volume,
      flags: this.#flags,
    } = columnsOf(this.descriptor));
  }

  /** Rows written, published or not. */
  get written(): number {
    return this.#written;
  }

  /** Rows readers can see. */
  get length(): number {
    return Atomics.load(this.#meta, 0);
  }

  /** Bytes held by this series' columns (its current capacity). */
  get bytes(): number {
    return this.#capacity * BYTES_PER_BAR;
  }

  /** Writes a bar after the last one without publishing it. Validation happens where data enters. */
  write(tsClose: number, open: number, high: number, low: number, close: number, volume: number, flags = 0): void {
    const i = this.#written;
    if (i === this.#capacity) this.#grow(i + 1);
    this.#time[i] = tsClose;
    this.#open[i] = open;
    this.#high[i] = high;
    this.#low[i] = low;
    this.#close[i] = close;
    this.#volume[i] = volume;
    this.#flags[i] = flags;
    this.#written = i + 1;
  }

  /** Writes and publishes a bar. */
  append(tsClose: number, open: number, high: number, low: number, close: number, volume: number, flags = 0): void {
    this.write(tsClose, open, high, low, close, volume, flags);
    Atomics.store(this.#meta, 0, this.#written);
  }

  /** Publishes the next written bar; returns its index. */
  publishNext(): number {
    const n = Atomics.load(this.#meta, 0);
    if (n >= this.#written) throw new TradeflowError('TF_ERR_INTERNAL', `${this.key}: nothing left to publish`);
    Atomics.store(this.#meta, 0, n + 1);
    return n;
  }

  /** Publishes every written bar up to `count`. */
  publishTo(count: number): void {
    Atomics.store(this.#meta, 0, Math.min(count, this.#written));
  }

  /** Returns the close time of written row `i` (published or not): the processor's look at what comes next. */
  timeAt(i: number): number {
    return i < this.#written ? (this.#time[i] as number) : Number.POSITIVE_INFINITY;
  }

  /** Returns a written row's open (writer side: no atomics, no bounds check beyond the typed array). */
  openAt(i: number): number {
    return this.#open[i] as number;
  }
  /** Returns a written row's high. */
  highAt(i: number): number {
    return this.#high[i] as number;
  }
  /** Returns a written row's low. */
  lowAt(i: number): number {
    return this.#low[i] as number;
  }
  /** Returns a written row's close. */
  closeAt(i: number): number {
    return this.#close[i] as number;
  }
  /** Returns a written row's volume. */
  volumeAt(i: number): number {
    return this.#volume[i] as number;
  }
  /** Returns a written row's flags. */
  flagsAt(i: number): number {
    return this.#flags[i] as number;
  }

  /** Makes room for at least `rows` bars; readers' arrays follow because the buffers grow in place. */
  reserve(rows: number): void {
    if (rows > this.#capacity) this.#grow(rows);
  }

  #grow(minRows: number): void {
    if (minRows > this.#maxCapacity) {
      throw new TradeflowError(
        'TF_ERR_INTERNAL',
        `${this.key}: more than ${this.#maxCapacity} bars; raise maxCapacity when creating the series`,
      );
    }
    const rows = Math.min(this.#maxCapacity, Math.max(minRows, this.#capacity * 2));
    const d = this.descriptor;
    for (const sab of [d.time, d.open, d.high, d.low, d.close, d.volume]) sab.grow(rows * 8);
    d.flags.grow(rows);
    this.#capacity = rows;
    this.#map();
  }
}

/** A read-only view of one series: accessors over the shared columns, bounded by the published length. */
export class BarSeriesView {
  readonly symbol: string;
  readonly interval: Interval;
  readonly #descriptor: SeriesDescriptor;
  #rows = 0;
  #time!: Float64Array;
  #open!: Float64Array;
  #high!: Float64Array;
  #low!: Float64Array;
  #close!: Float64Array;
  #volume!: Float64Array;
  #flags!: Uint8Array;
  readonly #meta: Int32Array;

  constructor(d: SeriesDescriptor) {
    this.symbol = d.symbol;
    this.interval = d.interval;
    this.#descriptor = d;
    this.#meta = new Int32Array(d.meta);
    this.#map();
  }

  /** Returns the number of published bars. */
  get length(): number {
    return Atomics.load(this.#meta, 0);
  }

  /** Resolves `i` (negative counts from the end) to a published index, or -1. */
  #at(i: number): number {
    const n = this.#published();
    const j = i < 0 ? n + i : i;
    return j >= 0 && j < n ? j : -1;
  }

  /** Returns the published length, first making the arrays cover it if the buffers grew since. */
  #published(): number {
    const n = Atomics.load(this.#meta, 0);
    // The writer grows the buffers before it publishes the rows that needed it.
    if (n > this.#rows) this.#map();
    return n;
  }

  #map(): void {
    ({
      rows: this.#rows,
      time: this.#time,
      open: this.#open,
      high: this.#high,
      low: this.#low,
      close: this.#close,
      volume: this.#volume,
      flags: this.#flags,
    } = columnsOf(this.#descriptor));
  }

  /** Returns the close time (epoch ms) of bar `i`; negative `i` counts from the end; NaN when out of range. */
  time(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#time[j] as number);
  }
  /** Returns the open of bar `i` (see `time`). */
  open(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#open[j] as number);
  }
  /** Returns the high of bar `i` (see `time`). */
  high(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#high[j] as number);
  }
  /** Returns the low of bar `i` (see `time`). */
  low(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#low[j] as number);
  }
  /** Returns the close of bar `i` (see `time`). */
  close(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#close[j] as number);
  }
  /** Returns the volume of bar `i` (see `time`). */
  volume(i: number): number {
    const j = this.#at(i);
    return j < 0 ? NaN : (this.#volume[j] as number);
  }
  /** Returns the flags of bar `i` (see BarFlags); 0 when out of range. */
  flags(i: number): number {
    const j = this.#at(i);
    return j < 0 ? 0 : (this.#flags[j] as number);
  }

  /** Returns bar `i` as a value (allocates: for code off the hot path). */
  bar(i: number): Bar | undefined {
    const j = this.#at(i);
    if (j < 0) return undefined;
    return {
      tsClose: this.#time[j] as number,
      open: this.#open[j] as number,
      high: this.#high[j] as number,
      low: this.#low[j] as number,
      close: this.#close[j] as number,
      volume: this.#volume[j] as number,
    };
  }

  /** Copies the last `count` published values of a column (fewer when fewer exist). */
  last(field: BarField, count: number): Float64Array {
    const n = this.#published();
    const from = Math.max(0, n - count);
    const col = field === 'time' ? this.#time : field === 'open' ? this.#open : field === 'high' ? this.#high
      : field === 'low' ? this.#low : field === 'close' ? this.#close : this.#volume;
    return col.slice(from, n);
  }
}

/** All bar series of a session, by (symbol, interval). */
export class SessionData {
  readonly #series = new Map<SeriesKey, BarSeries>();

  /** Creates a series, or returns the existing one. */
  create(symbol: string, interval: Interval, options: { capacity?: number; maxCapacity?: number } = {}): BarSeries {
    const key = seriesKey(symbol, interval);
    let s = this.#series.get(key);
    if (!s) {
      s = new BarSeries(symbol, interval, options);
      this.#series.set(key, s);
    }
    return s;
  }

  /** Returns the series, or undefined. */
  get(symbol: string, interval: Interval): BarSeries | undefined {
    return this.#series.get(seriesKey(symbol, interval));
  }

  /** Returns true when the series exists. */
  has(symbol: string, interval: Interval): boolean {
    return this.#series.has(seriesKey(symbol, interval));
  }

  /** Returns a read-only view of a series. */
  view(symbol: string, interval: Interval): BarSeriesView {
    const s = this.get(symbol, interval);
    if (!s) throw new TradeflowError('TF_ERR_SUBSCRIPTION', `no bar series for ${symbol} at ${interval}`);
    return new BarSeriesView(s.descriptor);
  }

  /** Returns every series in creation order. */
  all(): readonly BarSeries[] {
    return [...this.#series.values()];
  }

  /** Returns the descriptors a thread needs to read every series in place. */
  descriptors(): readonly SeriesDescriptor[] {
    return this.all().map((s) => s.descriptor);
  }

  /** Returns the bytes held by all series. */
  get bytes(): number {
    let b = 0;
    for (const s of this.#series.values()) b += s.bytes;
    return b;
  }
}
