import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { ROOT, tempFiles } from '../../test/helpers.ts';
import { MOMENTUM_FEATURES } from './features.ts';
import { displayPath, loadLogisticModelFile } from './model-file.ts';
import { encodeLogisticOnnx } from './onnx-logistic.ts';
import { ProtoWriter } from './protobuf.ts';

const features = MOMENTUM_FEATURES;
const dir = tempFiles({});

/** Returns the error a load rejects with, checking it is TF_ERR_STRATEGY_SETUP. */
async function loadError(file: string, names: readonly string[] = features): Promise<string> {
  const e = await loadLogisticModelFile(file, { features: names }).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(isTradeflowError(e, 'TF_ERR_STRATEGY_SETUP'), String(e)).toBe(true);
  return (e as Error).message;
}

/** A valid ONNX model that onnxruntime runs but that is not the logistic graph: Sigmoid(features). */
function sigmoidOnly(): Uint8Array {
  const info = (name: string) =>
    new ProtoWriter()
      .string(1, name)
      .bytes(
        2,
        new ProtoWriter().bytes(
          1,
          new ProtoWriter()
            .varint(1, 1)
            .bytes(
              2,
              new ProtoWriter()
                .bytes(1, new ProtoWriter().string(2, 'N'))
                .bytes(1, new ProtoWriter().varint(1, 6)),
            ),
        ),
      );
  const node = new ProtoWriter().string(1, 'features').string(2, 'probability').string(4, 'Sigmoid');
  const graph = new ProtoWriter()
    .bytes(1, node)
    .string(2, 'g')
    .bytes(11, info('features'))
    .bytes(12, info('probability'));
  return new ProtoWriter().varint(1, 8).bytes(7, graph).bytes(8, new ProtoWriter().varint(2, 13)).finish();
}

describe('loading a logistic model file', () => {
  it('loads the bundled model, with its feature names and training metadata', async () => {
    const model = await loadLogisticModelFile(join(ROOT, 'models/ml_momentum.onnx'), { features });
    expect(model.featureNames).toEqual(features);
    expect(model.weights).toHaveLength(features.length);
    expect(model.metadata['training_script']).toBe('scripts/train-ml-momentum.ts');
  });

  it('names a missing file', async () => {
    const file = join(dir, 'missing.onnx');
    expect(await loadError(file)).toBe(`model file ${file} does not exist`);
  });

  it('names a file it cannot read', async () => {
    const folder = join(dir, 'a-folder.onnx');
    mkdirSync(folder);
    expect(await loadError(folder)).toMatch(new RegExp(`^model file ${folder} cannot be read \\(EISDIR`));
  });

  it.each([
    ['garbage bytes', Buffer.from('\u0000\u00ff\u00fe not a model at all '.repeat(20), 'latin1')],
    ['an empty file', Buffer.alloc(0)],
    [
      'a truncated model',
      Buffer.from(
        encodeLogisticOnnx(
          {
            featureNames: ['a'],
            mean: Float32Array.of(0),
            std: Float32Array.of(1),
            weights: Float32Array.of(1),
            bias: 0,
            metadata: {},
          },
          { graphName: 'g', doc: '' },
        ).subarray(0, 100),
      ),
    ],
  ])('names a corrupt file (%s) and says onnxruntime could not load it', async (what, bytes) => {
    const file = join(dir, `${what.replaceAll(' ', '-')}.onnx`);
    writeFileSync(file, bytes);
    expect(await loadError(file)).toMatch(
      new RegExp(
        `^model file ${file} is not a valid ONNX model: onnxruntime could not load it \\(.+\\)$`,
        's',
      ),
    );
  });

  it('names a valid ONNX model that is not the logistic graph', async () => {
    const file = join(dir, 'sigmoid.onnx');
    writeFileSync(file, sigmoidOnly());
    expect(await loadError(file)).toBe(
      `model file ${file} is not a logistic regression graph that can be evaluated per bar: the graph's operators are [Sigmoid], not [Sub, Div, MatMul, Add, Sigmoid]`,
    );
  });

  it('refuses a model trained on other features', async () => {
    const file = join(ROOT, 'models/ml_momentum.onnx');
    const names = ['ret_1', 'ret_5', 'ret_20', 'rsi_14', 'sma20_gap', 'volume'];
    expect(await loadError(file, names)).toBe(
      `model file models/ml_momentum.onnx was trained on features ${JSON.stringify(features)}, but the strategy computes ${JSON.stringify(names)}`,
    );
  });

  it('shows paths inside the working folder relative to it, others as given', () => {
    expect(displayPath(join(process.cwd(), 'models/x.onnx'))).toBe('models/x.onnx');
    expect(displayPath('/elsewhere/x.onnx')).toBe('/elsewhere/x.onnx');
  });
});
