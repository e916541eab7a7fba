// The bundled model as its tests run it: onnxruntime's probabilities for features computed over a real CSV.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { readYahooDaily } from '../indicators/bars.fixture.ts';
import type { BarFeatureExtractor } from './bar-features.ts';
import { MomentumFeatures } from './features.ts';

/** The bundled model file. */
export const BUNDLED_MODEL = join(import.meta.dirname, '../../models/ml_momentum.onnx');

/** Runs onnxruntime on feature rows (float32 [N, F]) and returns each row's probability. */
export async function onnxProbabilities(
  rows: readonly Float64Array[],
  modelFile: string = BUNDLED_MODEL,
): Promise<Float32Array> {
  const f = rows[0]!.length;
  const input = new Float32Array(rows.length * f);
  rows.forEach((r, i) => input.set(r, i * f));
  const s = await ort.InferenceSession.create(modelFile);
  try {
    const out = await s.run({ features: new ort.Tensor('float32', input, [rows.length, f]) });
    const p = out['probability']!;
    if (p.dims.join() !== `${rows.length},1`) throw new Error(`probability has dims [${p.dims.join(', ')}]`);
    return p.data as Float32Array;
  } finally {
    await s.release();
  }
}

/** Features of every close of a bundled daily CSV (e.g. `daily/nvda-1999-2014.txt`), with each row's index. */
export function csvFeatureRows(relativePath: string, features: BarFeatureExtractor = new MomentumFeatures()) {
  const bars = readYahooDaily(relativePath);
  const rows: { date: string; values: Float64Array; i: number }[] = [];
  bars.close.forEach((c, i) => {
    const values = features.update(c, bars.high[i]!, bars.low[i]!, bars.volume[i]!);
    if (values) rows.push({ date: bars.date[i]!, values, i });
  });
  return { bars, rows };
}
