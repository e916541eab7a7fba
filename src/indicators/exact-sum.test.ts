import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { ExactSum } from './exact-sum.ts';
import { readYahooDaily } from './bars.fixture.ts';
import { exactSum } from './reference.fixture.ts';

const fsum = (values: readonly number[]): number => {
  const s = new ExactSum();
  for (const v of values) s.add(v);
  return s.value;
};

const naiveSum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** Parses a C99 hex float such as `0x1.df11f45f4e61ap+2` (Python's float.hex) exactly. */
function hexFloat(text: string): number {
  const m = /^(-?)0x([01])\.([0-9a-f]{13})p([+-]\d+)$/.exec(text);
  if (!m) throw new Error(`not a hex float: ${text}`);
  const mantissa = parseInt(`${m[2]}${m[3]}`, 16); // < 2^53, so exact
  return (m[1] === '-' ? -1 : 1) * mantissa * 2 ** (Number(m[4]) - 52);
}

/** A small deterministic PRNG (mulberry32) so that random sweeps are repeatable. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Draws values that make naive sums drift: wide magnitudes, cancelling pairs, decimal prices. */
function hardValue(random: () => number): number {
  const kind = random();
  const sign = random() < 0.5 ? -1 : 1;
  if (kind < 0.4) return sign * (1 + random()) * 2 ** Math.floor(random() * 120 - 60);
  if (kind < 0.7) return Math.round((1 + random() * 99) * 1e6) / 1e6;
  return sign * random() * 1e-3;
}

describe('ExactSum against known math.fsum results', () => {
  const cases: [string, number[], number][] = [
    ['empty', [], 0],
    ['zero', [0], 0],
    ['[0.1] * 10', Array<number>(10).fill(0.1), 1],
    ['huge cancelling terms', [1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50], 1e-100],
    ['rounds down across partials', [2 ** 53, -0.5, -(2 ** -54)], 2 ** 53 - 1],
    ['rounds up across partials', [2 ** 53, 1.0, 2 ** -100], 2 ** 53 + 2],
    ['rounds up across partials, larger', [2 ** 53 + 10, 1.0, 2 ** -100], 2 ** 53 + 12],
    ['rounds to odd neighbour', [2 ** 53 - 4, 0.5, 2 ** -54], 2 ** 53 - 3],
    ['half-even fix-up', [1e16, 1, 1e-16], 10000000000000002],
    ['exact cancellation', [1e16 - 2, 1 - 2 ** -53, -(1e16 - 2), -(1 - 2 ** -53)], 0],
    [
      'harmonic series',
      Array.from({ length: 1000 }, (_, i) => 1 / (i + 1)),
      hexFloat('0x1.df11f45f4e61ap+2'),
    ],
    [
      'alternating harmonic series',
      Array.from({ length: 1000 }, (_, i) => (-1) ** (i + 1) / (i + 1)),
      hexFloat('-0x1.62a2af1bd3624p-1'),
    ],
    [
      'hundreds of partials (grows the array)',
      [
        ...Array.from({ length: 1023 }, (_, k) => {
          const n = -1074 + 2 * k;
          return 2 ** n - 2 ** (n + 50) + 2 ** (n + 52);
        }),
        -(2 ** 1022),
      ],
      hexFloat('0x1.5555555555555p+970'),
    ],
  ];

  it.each(cases)('%s', (_name, values, expected) => {
    expect(fsum(values)).toBe(expected);
    expect(fsum([...values].reverse())).toBe(expected);
    expect(exactSum(values)).toBe(expected); // the oracle below agrees with Python too
  });

  it('differs from naive summation where the naive sum drifts', () => {
    expect(naiveSum(Array<number>(10).fill(0.1))).not.toBe(1);
    expect(naiveSum([1e16, 1, 1e-16])).not.toBe(10000000000000002);
    expect(naiveSum([1e100, 1.0, -1e100, 1e-100, 1e50, -1.0, -1e50])).not.toBe(1e-100);
  });

  it('gives the same value for every order of the inputs', () => {
    const values = [1e16, 1, 1e-16, -3.5, 0.1, 2 ** -60];
    const orders: number[][] = [[]];
    for (const v of values) {
      const next: number[][] = [];
      for (const o of orders)
        for (let i = 0; i <= o.length; i++) next.push([...o.slice(0, i), v, ...o.slice(i)]);
      orders.splice(0, orders.length, ...next);
    }
    expect(orders).toHaveLength(720);
    const results = new Set(orders.map(fsum));
    expect([...results]).toEqual([exactSum(values)]);
  });
});

describe('ExactSum against an exact BigInt computation', () => {
  it('matches on 2,000 random sums of up to 60 hard values', () => {
    const random = rng(42);
    let naiveWrong = 0;
    for (let t = 0; t < 2000; t++) {
      const values = Array.from({ length: 1 + Math.floor(random() * 60) }, () => hardValue(random));
      const expected = exactSum(values);
      expect(fsum(values)).toBe(expected);
      if (naiveSum(values) !== expected) naiveWrong++;
    }
    // The sweep must contain sums where exactness matters, or it would prove nothing.
    expect(naiveWrong).toBeGreaterThan(500);
  });

  it('matches on every step of sliding windows (add the new value, subtract the oldest)', () => {
    const random = rng(7);
    for (const period of [2, 3, 10, 30]) {
      const values = Array.from({ length: 3000 }, () => hardValue(random));
      const sum = new ExactSum();
      let maxPartials = 0;
      for (let i = 0; i < values.length; i++) {
        sum.add(values[i]!);
        if (i >= period) sum.subtract(values[i - period]!);
        maxPartials = Math.max(maxPartials, sum.partialCount);
        expect(sum.value).toBe(exactSum(values.slice(Math.max(0, i - period + 1), i + 1)));
      }
      // Subtraction must free partials, not pile them up over the 3,000 steps: a window's exact sum
      // spans about 2^-115..2^62, which a handful of partials hold.
      expect(maxPartials).toBeLessThan(16);
    }
  });

  it('keeps at most 4 partials over sliding windows of real closes, so updates stay cheap', () => {
    for (const file of ['daily/orcl-1995-2014.txt', 'daily/nvda-1999-2014.txt']) {
      const { close } = readYahooDaily(file);
      for (const period of [10, 30, 200]) {
        const sum = new ExactSum();
        let maxPartials = 0;
        for (let i = 0; i < close.length; i++) {
          sum.add(close[i]!);
          if (i >= period) sum.subtract(close[i - period]!);
          maxPartials = Math.max(maxPartials, sum.partialCount);
        }
        expect(maxPartials).toBeLessThanOrEqual(4);
        expect(sum.value).toBe(exactSum(close.slice(-period)));
      }
    }
  });

  it('returns exactly to zero after subtracting everything that was added', () => {
    const random = rng(3);
    const values = Array.from({ length: 500 }, () => hardValue(random));
    const sum = new ExactSum();
    for (const v of values) sum.add(v);
    expect(sum.value).toBe(exactSum(values));
    for (const v of values.reverse()) sum.subtract(v);
    expect(sum.value).toBe(0);
    expect(sum.partialCount).toBe(0);
  });
});

describe('ExactSum special values', () => {
  it('counts NaN and infinities so that subtracting them restores the finite sum', () => {
    const sum = new ExactSum();
    sum.add(0.1);
    sum.add(0.2);
    sum.add(Infinity);
    expect(sum.value).toBe(Infinity);
    sum.add(-Infinity);
    expect(sum.value).toBeNaN();
    sum.subtract(Infinity);
    expect(sum.value).toBe(-Infinity);
    sum.subtract(-Infinity);
    sum.add(NaN);
    expect(sum.value).toBeNaN();
    sum.subtract(NaN);
    expect(sum.value).toBe(exactSum([0.1, 0.2]));
  });

  it('throws a coded error on intermediate overflow, as fsum does', () => {
    const sum = new ExactSum();
    sum.add(Number.MAX_VALUE);
    let caught: unknown;
    try {
      sum.add(Number.MAX_VALUE);
    } catch (e) {
      caught = e;
    }
    expect(isTradeflowError(caught, 'TF_ERR_DATA_ROW')).toBe(true);
  });

  it('forgets everything on reset', () => {
    const sum = new ExactSum();
    sum.add(1e100);
    sum.add(1);
    sum.add(NaN);
    sum.reset();
    expect(sum.value).toBe(0);
    sum.add(0.5);
    expect(sum.value).toBe(0.5);
  });
});
