import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { seededRandom } from '../core/random.ts';
import {
  decodeLogisticOnnx,
  encodeLogisticOnnx,
  type LogisticModel,
  logisticProbability,
  ModelShapeError,
} from './onnx-logistic.ts';
import { decodeFields, ProtoError, ProtoWriter } from './protobuf.ts';

const model: LogisticModel = {
  featureNames: ['a', 'b', 'c'],
  mean: Float32Array.of(0.1, -2, 30),
  std: Float32Array.of(0.5, 3, 0.25),
  weights: Float32Array.of(0.7, -1.3, 0.05),
  bias: Math.fround(-0.2),
  metadata: { note: 'test', another: 'x' },
};
const options = { graphName: 'test', doc: 'a test model' };

/** Rewrites a model's metadata properties (ModelProto field 14), keeping every other field. */
function withProps(bytes: Uint8Array, props: readonly (readonly [string, string])[]): Uint8Array {
  const w = new ProtoWriter();
  for (const f of decodeFields(bytes)) {
    if (f.field === 14) continue;
    if (f.wire === 0) w.varint(f.field, f.value);
    else if (f.wire === 2) w.bytes(f.field, f.value);
  }
  for (const [k, v] of props) w.bytes(14, new ProtoWriter().string(1, k).string(2, v));
  return w.finish();
}

describe('the logistic ONNX graph', () => {
  it('reads back the model it writes, with the feature names first in the metadata', () => {
    const back = decodeLogisticOnnx(encodeLogisticOnnx(model, options));
    expect(back).toEqual({
      ...model,
      metadata: { feature_names: '["a","b","c"]', another: 'x', note: 'test' },
    });
  });

  it('writes the same bytes for the same model, whatever order the metadata keys come in', () => {
    const a = encodeLogisticOnnx(model, options);
    const b = encodeLogisticOnnx({ ...model, metadata: { another: 'x', note: 'test' } }, options);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  it('loads in onnxruntime, which computes what the per-bar forward pass does (within 1e-6)', async () => {
    const session = await ort.InferenceSession.create(encodeLogisticOnnx(model, options));
    try {
      expect(session.inputNames).toEqual(['features']);
      expect(session.outputNames).toEqual(['probability']);
      const random = seededRandom(9);
      const n = 500;
      const x = Float32Array.from(
        { length: n * 3 },
        (_, k) => model.mean[k % 3]! + (random() - 0.5) * 8 * model.std[k % 3]!,
      );
      const out = await session.run({ features: new ort.Tensor('float32', x, [n, 3]) });
      const p = out['probability']!.data as Float32Array;
      let worst = 0;
      for (let i = 0; i < n; i++)
        worst = Math.max(worst, Math.abs(p[i]! - logisticProbability(model, x.subarray(i * 3, i * 3 + 3))));
      expect(worst).toBeLessThanOrEqual(1e-6);
      expect(Math.min(...p)).toBeLessThan(0.1);
      expect(Math.max(...p)).toBeGreaterThan(0.9);
    } finally {
      await session.release();
    }
  });

  it('refuses to encode initializers that do not fit the features', () => {
    expect(() => encodeLogisticOnnx({ ...model, std: Float32Array.of(1) }, options)).toThrow(
      'std has 1 values for 3 features',
    );
  });

  it('rejects bytes that are not protobuf', () => {
    expect(() => decodeLogisticOnnx(Uint8Array.of(0x0b, 0x01))).toThrow(ProtoError);
  });

  it.each<[string, (bytes: Uint8Array) => Uint8Array, RegExp]>([
    ['no graph', () => new ProtoWriter().varint(1, 8).finish(), /the model has no graph/],
    [
      'another graph (a bare Sigmoid)',
      () =>
        new ProtoWriter()
          .bytes(
            7,
            new ProtoWriter().bytes(
              1,
              new ProtoWriter().string(1, 'features').string(2, 'probability').string(4, 'Sigmoid'),
            ),
          )
          .finish(),
      /the graph's operators are \[Sigmoid\], not \[Sub, Div, MatMul, Add, Sigmoid\]/,
    ],
    ['no feature names', (bytes) => withProps(bytes, []), /the metadata has no "feature_names"/],
    [
      'feature names that are not a JSON list',
      (bytes) => withProps(bytes, [['feature_names', 'a,b,c']]),
      /the metadata has no "feature_names"/,
    ],
    [
      'fewer feature names than weights',
      (bytes) => withProps(bytes, [['feature_names', '["a","b"]']]),
      /the initializers do not fit 2 features \(mean 3, std 3, weights 3, bias 1\)/,
    ],
  ])('rejects a model with %s', (_what, make, message) => {
    const bytes = make(encodeLogisticOnnx({ ...model, metadata: {} }, options));
    expect(() => decodeLogisticOnnx(bytes)).toThrow(ModelShapeError);
    expect(() => decodeLogisticOnnx(bytes)).toThrow(message);
  });
});
