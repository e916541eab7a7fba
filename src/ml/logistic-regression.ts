/**
 * Logistic regression trained by plain full-batch gradient descent, in float64, with an L2 penalty on
 * the weights (not the bias). Deterministic: the only randomness is the initial weights, drawn from a
 * seeded generator, and every sum runs in a fixed order.
 */
import { seededRandom } from '../core/random.ts';

/** Training settings; the same settings and rows always give the same weights. */
export interface GradientDescentOptions {
  readonly seed: number;
  readonly learningRate: number;
  readonly epochs: number;
  /** The L2 penalty on the weights. */
  readonly l2: number;
}

/** Returns the logistic function of z. */
export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Fits weights and a bias to rows `x` (standardised features) and labels `y` (0 or 1). */
export function fitLogistic(
  x: readonly Float64Array[],
  y: ArrayLike<number>,
  o: GradientDescentOptions,
): {
  weights: Float64Array;
  bias: number;
  /** Mean log loss plus penalty in the last epoch. */ loss: number;
} {
  const n = x.length;
  const f = x[0]?.length ?? 0;
  if (n === 0 || f === 0) throw new RangeError('fitLogistic: no rows to fit');
  const random = seededRandom(o.seed);
  const w = new Float64Array(f);
  for (let j = 0; j < f; j++) w[j] = (random() - 0.5) * 0.02;
  let b = 0;
  const grad = new Float64Array(f);
  let loss = NaN;
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    grad.fill(0);
    let gb = 0;
    let sumLoss = 0;
    for (let i = 0; i < n; i++) {
      const row = x[i]!;
      let z = b;
      for (let j = 0; j < f; j++) z += w[j]! * row[j]!;
      const p = sigmoid(z);
      const yi = y[i]!;
      const err = p - yi;
      for (let j = 0; j < f; j++) grad[j]! += err * row[j]!;
      gb += err;
      // log(1 + e^-z) for y = 1 and log(1 + e^z) for y = 0, written to stay finite for large |z|.
      const m = yi === 1 ? -z : z;
      sumLoss += m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    }
    let penalty = 0;
    for (let j = 0; j < f; j++) {
      penalty += w[j]! * w[j]!;
      w[j]! -= o.learningRate * (grad[j]! / n + o.l2 * w[j]!);
    }
    b -= o.learningRate * (gb / n);
    loss = sumLoss / n + (o.l2 / 2) * penalty;
  }
  return { weights: w, bias: b, loss };
}
