// Where a screen finds tickers' daily bars: files on disk (the bundled ones by default), or synthetic
// tickers made from them for benchmarks and demos.
import { relative, resolve } from 'node:path';
import { TradeflowError } from '../core/errors.ts';
import { readDailyBars } from './daily-bars.ts';
import type { DailyBars } from './types.ts';

/**
 * Where a screen finds a ticker's daily bars. `load` throws TF_ERR_TICKER_UNKNOWN for a ticker it does not
 * know, and the loaders' errors (TF_ERR_DATA_FILE, TF_ERR_DATA_ROW) for a file it cannot read; a screen
 * records either for that ticker and goes on.
 */
export interface TickerSource {
  /** Returns the tickers it knows, sorted. */
  tickers(): readonly string[];
  /** Returns whether it knows `ticker` (case-insensitive). */
  has(ticker: string): boolean;
  /** Returns the ticker's daily bars, oldest first. */
  load(ticker: string): DailyBars;
  /** Describes how to build this source again in another thread (see `tickerSourceFrom`). */
  readonly spec: TickerSourceSpec;
}

/**
 * A ticker source as plain data, which a worker thread takes to build the same source: the daily files
 * by ticker under a root, the synthetic universe over a base, or a module's factory (for sources of one's
 * own, tests' among them), called with `args` (plain data) and returning the source.
 */
export type TickerSourceSpec =
  | { readonly kind: 'files'; readonly files: Readonly<Record<string, string>>; readonly root: string }
  | { readonly kind: 'synthetic'; readonly base: TickerSourceSpec; readonly count: number }
  | {
      readonly kind: 'module';
      /** The module's URL (`import.meta.url` of the file that exports the factory). */
      readonly url: string;
      /** The name the factory is exported under: `(...args) => TickerSource | Promise<TickerSource>`. */
      readonly export: string;
      readonly args: readonly unknown[];
    };

/** Builds the ticker source a spec describes (in a run's thread); throws TF_ERR_CONFIG_INVALID for a bad module. */
export async function tickerSourceFrom(spec: TickerSourceSpec): Promise<TickerSource> {
  switch (spec.kind) {
    case 'files':
      return new FileTickerSource(spec.files, spec.root);
    case 'synthetic':
      return new SyntheticTickerSource(await tickerSourceFrom(spec.base), spec.count);
    case 'module': {
      const mod = (await import(spec.url)) as Record<string, unknown>;
      const factory = Object.hasOwn(mod, spec.export) ? mod[spec.export] : undefined;
      if (typeof factory !== 'function') {
        throw new TradeflowError(
          'TF_ERR_CONFIG_INVALID',
          `tickerSource: ${spec.url} exports no function "${spec.export}"; a module source names the factory that builds it`,
        );
      }
      return (await (factory as (...a: unknown[]) => unknown)(...spec.args)) as TickerSource;
    }
  }
}

/** The bundled real daily files, by ticker, relative to the project root. */
export const BUNDLED_DAILY_FILES: Readonly<Record<string, string>> = {
  NVDA: 'data/daily/nvda-1999-2014.txt',
  ORCL: 'data/daily/orcl-1995-2014.txt',
  YHOO: 'data/daily/yhoo-1996-2014.txt',
};

/** The project root (where data/ and strategies/ live). */
export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');

function unknownTicker(ticker: string, known: readonly string[]): TradeflowError {
  const sample =
    known.length <= 10 ? known.join(', ') : `${known.slice(0, 10).join(', ')}, ... (${known.length})`;
  return new TradeflowError(
    'TF_ERR_TICKER_UNKNOWN',
    `${ticker}: unknown ticker; this server knows ${sample || 'no tickers'}`,
  );
}

/**
 * Tickers read from daily bar files, one file per ticker. A file is read on its first use and kept (the
 * map is fixed at construction, so the cache is bounded by it); a file that fails is read again next time.
 */
export class FileTickerSource implements TickerSource {
  readonly #files = new Map<string, string>();
  readonly #root: string;
  readonly #cache = new Map<string, DailyBars>();
  readonly #sorted: readonly string[];
  readonly spec: TickerSourceSpec;

  /** `files` maps tickers to paths, relative paths resolving against `root`. */
  constructor(files: Readonly<Record<string, string>>, root = PROJECT_ROOT) {
    this.#root = root;
    for (const [ticker, file] of Object.entries(files)) this.#files.set(ticker.toUpperCase(), file);
    this.#sorted = [...this.#files.keys()].sort();
    this.spec = { kind: 'files', files: { ...files }, root };
  }

  tickers(): readonly string[] {
    return this.#sorted;
  }

  has(ticker: string): boolean {
    return this.#files.has(ticker.toUpperCase());
  }

  load(ticker: string): DailyBars {
    const key = ticker.toUpperCase();
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const file = this.#files.get(key);
    if (file === undefined) throw unknownTicker(ticker, this.#sorted);
    const path = resolve(this.#root, file);
    const bars = readDailyBars(key, path, relative(this.#root, path));
    this.#cache.set(key, bars);
    return bars;
  }
}

/** Returns the source of the bundled ORCL, NVDA and YHOO daily files. */
export function bundledTickerSource(root = PROJECT_ROOT): FileTickerSource {
  return new FileTickerSource(BUNDLED_DAILY_FILES, root);
}

/** Returns the name of synthetic ticker `i` (1-based): `SYN0001`. */
export function syntheticTicker(i: number): string {
  return `SYN${String(i).padStart(4, '0')}`;
}

/**
 * A universe for benchmarks and demos: the base source's tickers plus `count` synthetic ones (SYN0001 ...)
 * built deterministically from the base series. Synthetic ticker i takes base series (i - 1) mod n, drops
 * a tail of up to 995 bars (so each one's last bar falls on another date), and scales prices and volume
 * by factors fixed by i. Scaling keeps every bar valid (prices positive, high >= low).
 */
export class SyntheticTickerSource implements TickerSource {
  readonly #base: TickerSource;
  readonly #baseTickers: readonly string[];
  readonly #count: number;
  readonly #all: readonly string[];
  readonly spec: TickerSourceSpec;

  constructor(base: TickerSource, count: number) {
    if (!Number.isInteger(count) || count < 0 || count > 9999) {
      throw new TradeflowError(
        'TF_ERR_CONFIG_INVALID',
        `synthetic tickers: count must be 0-9999, got ${count}`,
      );
    }
    this.#base = base;
    this.#baseTickers = base.tickers();
    this.#count = count;
    const synthetic = Array.from({ length: count }, (_, i) => syntheticTicker(i + 1));
    this.#all = [...this.#baseTickers, ...synthetic].sort();
    this.spec = { kind: 'synthetic', base: base.spec, count };
  }

  tickers(): readonly string[] {
    return this.#all;
  }

  has(ticker: string): boolean {
    return this.#index(ticker) !== undefined || this.#base.has(ticker);
  }

  load(ticker: string): DailyBars {
    const i = this.#index(ticker);
    if (i === undefined) {
      if (this.#base.has(ticker)) return this.#base.load(ticker);
      throw unknownTicker(ticker, this.#all);
    }
    const baseTicker = this.#baseTickers[(i - 1) % this.#baseTickers.length];
    if (baseTicker === undefined) throw unknownTicker(ticker, this.#all);
    const base = this.#base.load(baseTicker);
    const k = Math.floor((i - 1) / this.#baseTickers.length);
    const cut = Math.min((k * 5) % 1000, Math.max(0, base.length - 1));
    const priceScale = 0.25 + ((i * 7919) % 1000) / 250;
    const volumeScale = 0.5 + ((i * 104_729) % 1000) / 500;
    const n = base.length - cut;
    // One buffer for the five scaled columns, and the base's times shared: a screen of the synthetic
    // universe loads thousands of these, and fewer, larger allocations keep garbage collection short.
    const buffer = new ArrayBuffer(5 * n * Float64Array.BYTES_PER_ELEMENT);
    const scaled = (k: number, from: Float64Array, by: number) => {
      const to = new Float64Array(buffer, k * n * Float64Array.BYTES_PER_ELEMENT, n);
      for (let j = 0; j < n; j++) to[j] = (from[j] as number) * by;
      return to;
    };
    const volume = scaled(4, base.volume, volumeScale);
    for (let j = 0; j < n; j++) volume[j] = Math.round(volume[j] as number);
    return {
      ticker: syntheticTicker(i),
      length: n,
      time: base.time.subarray(0, n),
      open: scaled(0, base.open, priceScale),
      high: scaled(1, base.high, priceScale),
      low: scaled(2, base.low, priceScale),
      close: scaled(3, base.close, priceScale),
      volume,
    };
  }

  /** Returns i for `SYN000i` when 1 <= i <= count. */
  #index(ticker: string): number | undefined {
    const m = /^SYN(\d{4})$/i.exec(ticker);
    if (!m) return undefined;
    const i = Number(m[1]);
    return i >= 1 && i <= this.#count ? i : undefined;
  }
}
