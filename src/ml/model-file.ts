// Loads a logistic-regression ONNX model for per-bar use in a strategy, checked against onnxruntime
// before it is used.
import { readFileSync } from 'node:fs';
import { isAbsolute, relative } from 'node:path';
import { TradeflowError } from '../core/errors.ts';
import {
  decodeLogisticOnnx,
  INPUT_NAME,
  type LogisticModel,
  logisticProbability,
  OUTPUT_NAME,
} from './onnx-logistic.ts';

/** How far the per-bar forward pass may be from onnxruntime on the probe rows checked at load. */
export const PROBE_TOLERANCE = 1e-6;

/** Returns a path as messages show it: relative to the working folder when inside it. */
export function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

const fail = (file: string, what: string, cause?: unknown) =>
  new TradeflowError('TF_ERR_STRATEGY_SETUP', `model file ${displayPath(file)} ${what}`, { cause });

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Loads a logistic-regression ONNX model for per-bar use. onnxruntime-node loads and validates the
 * file (a file it cannot load is an error naming the file); the weights are then read from the graph's
 * initializers so that a strategy can evaluate the model synchronously in `onBars`, and the forward pass
 * is checked against onnxruntime on probe rows before the model is returned.
 */
export async function loadLogisticModelFile(
  file: string,
  options: { readonly features: readonly string[] },
): Promise<LogisticModel> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(file, code === 'ENOENT' ? 'does not exist' : `cannot be read (${message(e)})`, e);
  }
  const ort = await import('onnxruntime-node');
  let session: Awaited<ReturnType<typeof ort.InferenceSession.create>>;
  try {
    session = await ort.InferenceSession.create(bytes);
  } catch (e) {
    throw fail(file, `is not a valid ONNX model: onnxruntime could not load it (${message(e)})`, e);
  }
  try {
    if (!session.inputNames.includes(INPUT_NAME) || !session.outputNames.includes(OUTPUT_NAME)) {
      throw fail(
        file,
        `has inputs [${session.inputNames.join(', ')}] and outputs [${session.outputNames.join(', ')}]; expected "${INPUT_NAME}" and "${OUTPUT_NAME}"`,
      );
    }
    let model: LogisticModel;
    try {
      model = decodeLogisticOnnx(bytes);
    } catch (e) {
      throw fail(file, `is not a logistic regression graph that can be evaluated per bar: ${message(e)}`, e);
    }
    const expected = JSON.stringify(options.features);
    if (JSON.stringify(model.featureNames) !== expected) {
      throw fail(
        file,
        `was trained on features ${JSON.stringify(model.featureNames)}, but the strategy computes ${expected}`,
      );
    }
    // Probe rows around the training distribution: the mean, and points a few deviations away.
    const f = model.featureNames.length;
    const offsets = [0, 1, -2, 3];
    const probe = new Float32Array(offsets.length * f);
    offsets.forEach((k, r) => {
      for (let j = 0; j < f; j++) probe[r * f + j] = model.mean[j]! + (k + j / f) * model.std[j]!;
    });
    const out = await session.run({ [INPUT_NAME]: new ort.Tensor('float32', probe, [offsets.length, f]) });
    const got = out[OUTPUT_NAME]?.data as Float32Array | undefined;
    for (let r = 0; r < offsets.length; r++) {
      const mine = logisticProbability(model, probe.subarray(r * f, (r + 1) * f));
      const theirs = got?.[r];
      if (theirs === undefined || !(Math.abs(mine - theirs) <= PROBE_TOLERANCE)) {
        throw fail(file, `gives ${theirs} on probe row ${r} in onnxruntime but ${mine} per bar`);
      }
    }
    return model;
  } finally {
    await session.release();
  }
}
