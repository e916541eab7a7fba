import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers.ts';
import { decodeLogisticOnnx } from './onnx-logistic.ts';
import { MODEL_SPECS } from './model-specs.ts';
import { labelledRows, ML_MOMENTUM_PLAN, trainModel, trainMomentumModel } from './training.ts';

const bundledOnnx = readFileSync(join(ROOT, 'models/ml_momentum.onnx'));
const bundledSidecar = readFileSync(join(ROOT, 'models/ml_momentum.json'), 'utf8');

describe('training the bundled momentum model', () => {
  const first = trainMomentumModel(ROOT);

  it('regenerates models/ml_momentum.onnx and its JSON sidecar byte for byte', () => {
    expect(Buffer.from(first.onnx).equals(bundledOnnx)).toBe(true);
    expect(first.sidecar).toBe(bundledSidecar);
  });

  it('writes the sidecar as the repo formatter would, so `prettier --check .` passes', async () => {
    const file = join(ROOT, 'models/ml_momentum.json');
    const options = (await prettier.resolveConfig(file)) ?? {};
    expect(await prettier.check(first.sidecar, { ...options, filepath: file })).toBe(true);
  });

  it('gives the same model when run twice', () => {
    const second = trainMomentumModel(ROOT);
    expect(second).toEqual(first);
  });

  it('pins the rows and accuracies that docs/ml.md reports', () => {
    expect(first.train.rows).toBe(7455);
    expect(first.train.accuracy).toBeCloseTo(0.519785, 6);
    expect(first.validation).toEqual({
      nvda_1999_2014: {
        rows: 3987,
        accuracy: expect.closeTo(0.510158, 6) as number,
        upShare: expect.closeTo(0.517933, 6) as number,
      },
      orcl_yhoo_2011_2014: {
        rows: 2002,
        accuracy: expect.closeTo(0.567433, 6) as number,
        upShare: expect.closeTo(0.557942, 6) as number,
      },
    });
  });

  it('describes in the sidecar exactly the model in the ONNX file', () => {
    const sidecar = JSON.parse(bundledSidecar) as Record<string, unknown>;
    const model = decodeLogisticOnnx(bundledOnnx);
    expect(sidecar['onnx_sha256']).toBe(createHash('sha256').update(bundledOnnx).digest('hex'));
    expect(sidecar['features']).toEqual(
      model.featureNames.map((name, j) => ({
        name,
        mean: model.mean[j],
        std: model.std[j],
        weight: model.weights[j],
      })),
    );
    expect(sidecar['bias']).toBe(model.bias);
  });

  it('changes the model when the plan changes (the test above could fail)', () => {
    const other = trainMomentumModel(ROOT, {
      ...ML_MOMENTUM_PLAN,
      fit: { ...ML_MOMENTUM_PLAN.fit, seed: 1, epochs: 3 },
    });
    expect(Buffer.from(other.onnx).equals(bundledOnnx)).toBe(false);
  });

  it('keeps every label inside its slice: no row looks past the slice end', () => {
    const slice = { files: [], from: '2010-01-01', to: '2010-12-31' };
    const orcl = { symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' };
    const rows = labelledRows(ROOT, orcl, slice, 5);
    // 2010 has 252 sessions; the last 5 have labels in 2011.
    expect(rows.x).toHaveLength(252 - 5);
    expect(rows.y.every((v) => v === 0 || v === 1)).toBe(true);
  });
});

describe.each(['ml_mean_reversion', 'ml_breakout'] as const)('training the bundled %s model', (name) => {
  const result = trainModel(ROOT, MODEL_SPECS[name]);
  const onnx = readFileSync(join(ROOT, `models/${name}.onnx`));
  const sidecar = readFileSync(join(ROOT, `models/${name}.json`), 'utf8');

  it('regenerates its ONNX file and sidecar byte for byte, deterministically', () => {
    expect(Buffer.from(result.onnx).equals(onnx)).toBe(true);
    expect(result.sidecar).toBe(sidecar);
    expect(trainModel(ROOT, MODEL_SPECS[name]).onnx).toEqual(result.onnx);
  });

  it('holds its own features, name and retraining command', () => {
    const model = decodeLogisticOnnx(onnx);
    expect(model.featureNames).toEqual(MODEL_SPECS[name].features);
    const json = JSON.parse(sidecar) as {
      model: string;
      training: { command: string; horizon_bars: number };
    };
    expect(json.model).toBe(`${name}.onnx`);
    expect(json.training.command).toBe(`npx tsx scripts/train-ml-momentum.ts --type ${name}`);
    expect(json.training.horizon_bars).toBe(name === 'ml_breakout' ? 10 : 5);
  });
});
