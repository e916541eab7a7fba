// What the indicator tests check against: an exact BigInt oracle for fsum, a bar-by-bar series
// comparison, and an adapter of trading-signals to the seeding convention used here.
import { EMA, SMA } from 'trading-signals';

const scratch = new DataView(new ArrayBuffer(8));

/** Returns x * 2^1074 as a BigInt: every finite double is an integer multiple of 2^-1074. */
function scaled(x: number): bigint {
  scratch.setFloat64(0, x);
  const bits = scratch.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const magnitude = exponent === 0 ? fraction : (fraction | (1n << 52n)) << BigInt(exponent - 1);
  return bits >> 63n ? -magnitude : magnitude;
}

/** Rounds n * 2^-1074 to the nearest double, ties to even: the exact oracle for fsum. */
function roundScaled(n: bigint): number {
  if (n === 0n) return 0;
  const negative = n < 0n;
  const m = negative ? -n : n;
  const length = m.toString(2).length;
  if (length <= 53) return (negative ? -1 : 1) * Number(m) * Number.MIN_VALUE; // exact: subnormal range
  let shift = length - 53;
  let q = m >> BigInt(shift);
  const rest = m - (q << BigInt(shift));
  const half = 1n << BigInt(shift - 1);
  if (rest > half || (rest === half && (q & 1n) === 1n)) q++;
  if (q === 1n << 53n) {
    q >>= 1n;
    shift++;
  }
  const biasedExponent = shift + 1;
  if (biasedExponent >= 2047) return negative ? -Infinity : Infinity;
  scratch.setBigUint64(0, (negative ? 1n << 63n : 0n) | (BigInt(biasedExponent) << 52n) | (q - (1n << 52n)));
  return scratch.getFloat64(0);
}

/** Returns math.fsum(values), computed independently with BigInt arithmetic. */
export const exactSum = (values: readonly number[]): number =>
  roundScaled(values.reduce((a, v) => a + scaled(v), 0n));

/** Describes how two series compared on the bars where the reference has a value. */
export interface SeriesComparison {
  /** Bars where both series have a value and were compared. */
  readonly compared: number;
  /** The first bar where both have a value. */
  readonly firstIndex: number;
  /** The largest `|ours - theirs| / max(|ours|, |theirs|)` seen. */
  readonly worstRelative: number;
  /** Bars where only one side has a value, or the values differ by more than the tolerance. */
  readonly mismatches: readonly string[];
}

/** Compares `ours` (NaN = no value yet) with `theirs` (null = no value yet) on every bar. */
export function compareSeries(
  ours: readonly number[],
  theirs: readonly (number | null)[],
  relative = 1e-9,
): SeriesComparison {
  if (ours.length !== theirs.length) throw new Error(`lengths differ: ${ours.length} vs ${theirs.length}`);
  const mismatches: string[] = [];
  let compared = 0;
  let firstIndex = -1;
  let worstRelative = 0;
  for (let i = 0; i < ours.length; i++) {
    const a = ours[i]!;
    const b = theirs[i] ?? NaN;
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (Number.isNaN(a) !== Number.isNaN(b)) {
      mismatches.push(`bar ${i}: ours ${a}, theirs ${b}`);
      continue;
    }
    if (firstIndex < 0) firstIndex = i;
    compared++;
    const scale = Math.max(Math.abs(a), Math.abs(b));
    const err = scale === 0 ? 0 : Math.abs(a - b) / scale;
    worstRelative = Math.max(worstRelative, err);
    if (err > relative) mismatches.push(`bar ${i}: ours ${a}, theirs ${b}, relative ${err}`);
  }
  return { compared, firstIndex, worstRelative, mismatches };
}

/**
 * Adapts trading-signals' `EMA` (which starts from the first input) to the SMA seed used by
 * backtrader and by our `Ema`: it feeds trading-signals' own `SMA` of the first `interval` inputs as
 * the EMA's first input, then the inputs after it. Before that, `update` returns NaN.
 */
export class SmaSeededEMA extends EMA {
  readonly #seed: SMA;
  #seeded = false;

  constructor(interval: number) {
    super(interval);
    this.#seed = new SMA(interval);
  }

  override update(price: number, replace: boolean): number {
    if (this.#seeded) return super.update(price, replace);
    const sma = this.#seed.update(price, replace);
    if (sma === null) return NaN;
    this.#seeded = true;
    return super.update(sma, replace);
  }
}
