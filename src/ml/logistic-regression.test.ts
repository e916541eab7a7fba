import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import { fitLogistic, sigmoid } from './logistic-regression.ts';

/** Rows from a known logistic model, labels drawn with a seeded generator. */
function synthetic(n: number, weights: readonly number[], bias: number, seed: number) {
  const random = seededRandom(seed);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = Float64Array.from(weights, () => random() * 4 - 2);
    const p = sigmoid(bias + row.reduce((s, v, j) => s + v * weights[j]!, 0));
    x.push(row);
    y.push(random() < p ? 1 : 0);
  }
  return { x, y };
}

describe('logistic regression by gradient descent', () => {
  it('recovers the weights of the model that made the labels', () => {
    const { x, y } = synthetic(20_000, [1.5, -0.8, 0], 0.3, 7);
    const fit = fitLogistic(x, y, { seed: 1, learningRate: 0.5, epochs: 300, l2: 0 });
    expect(fit.weights[0]).toBeCloseTo(1.5, 1);
    expect(fit.weights[1]).toBeCloseTo(-0.8, 1);
    expect(fit.weights[2]).toBeCloseTo(0, 1);
    expect(fit.bias).toBeCloseTo(0.3, 1);
  });

  it('gives the same weights for the same seed and rows, and other start weights for another seed', () => {
    const { x, y } = synthetic(2_000, [1, -1], 0, 3);
    const o = { seed: 42, learningRate: 0.1, epochs: 5, l2: 1e-3 };
    expect(fitLogistic(x, y, o)).toEqual(fitLogistic(x, y, o));
    expect(fitLogistic(x, y, { ...o, seed: 43 }).weights).not.toEqual(fitLogistic(x, y, o).weights);
  });

  it('shrinks the weights with the L2 penalty', () => {
    const { x, y } = synthetic(5_000, [2, -2], 0, 11);
    const free = fitLogistic(x, y, { seed: 1, learningRate: 0.5, epochs: 200, l2: 0 });
    const shrunk = fitLogistic(x, y, { seed: 1, learningRate: 0.5, epochs: 200, l2: 0.1 });
    expect(Math.abs(shrunk.weights[0]!)).toBeLessThan(Math.abs(free.weights[0]!));
  });

  it('refuses to fit no rows', () => {
    expect(() => fitLogistic([], [], { seed: 1, learningRate: 0.1, epochs: 1, l2: 0 })).toThrow(RangeError);
  });

  it('draws the same uniform numbers in [0, 1) for a seed', () => {
    const a = seededRandom(5);
    const b = seededRandom(5);
    const xs = Array.from({ length: 1000 }, () => a());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b()));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
  });
});
