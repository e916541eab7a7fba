// Trains a bundled model from the daily files under data/, deterministically: the same spec always gives
// the same bytes.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { createCalendar } from '../data/calendar.ts';
import { loadBarFile } from '../data/loaders/load.ts';
import { SessionData } from '../data/session-data.ts';
import type { BarFeatureExtractor } from './bar-features.ts';
import { MomentumFeatures } from './features.ts';
import { fitLogistic } from './logistic-regression.ts';
import {
  type DailyFile,
  type DataSlice,
  ML_MOMENTUM_PLAN,
  MODEL_SPECS,
  type ModelSpec,
  type TrainingPlan,
} from './model-specs.ts';
import {
  encodeLogisticOnnx,
  INPUT_NAME,
  type LogisticModel,
  logisticProbability,
  OUTPUT_NAME,
} from './onnx-logistic.ts';

export { ML_MOMENTUM_PLAN } from './model-specs.ts';
export type { DailyFile, DataSlice, TrainingPlan } from './model-specs.ts';

/** Feature rows with their labels (1 when the close `horizon` bars later is higher). */
export interface LabelledRows {
  readonly x: Float64Array[];
  readonly y: number[];
}

/**
 * Reads a bundled daily file with the project's loader (so the closes are the ones a backtest sees) and
 * returns its features and labels for the bars in the slice's dates. A bar is kept only when the bar
 * its label looks at is inside the slice too, so no label reaches past the slice's end.
 */
export function labelledRows(
  root: string,
  file: DailyFile,
  slice: DataSlice,
  horizon: number,
  extractor: () => BarFeatureExtractor = () => new MomentumFeatures(),
): LabelledRows {
  const data = new SessionData();
  const calendar = createCalendar('us_equities');
  const report = loadBarFile(
    {
      file: join(root, file.file),
      displayPath: file.file,
      symbol: file.symbol,
      stamper: () => calendar.stamper(),
    },
    data,
  );
  const series = data.get(file.symbol, report.interval)!;
  const n = series.written;
  const features = extractor();
  const dateOf = (i: number) => new Date(series.timeAt(i)).toISOString().slice(0, 10);
  const x: Float64Array[] = [];
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const row = features.update(series.closeAt(i), series.highAt(i), series.lowAt(i), series.volumeAt(i));
    if (row === undefined || i + horizon >= n) continue;
    if (dateOf(i) < slice.from || dateOf(i + horizon) > slice.to) continue;
    x.push(row);
    y.push(series.closeAt(i + horizon) > series.closeAt(i) ? 1 : 0);
  }
  return { x, y };
}

function sliceRows(root: string, slice: DataSlice, spec: ModelSpec): LabelledRows {
  const parts = slice.files.map((f) => labelledRows(root, f, slice, spec.plan.horizon, spec.extractor));
  return { x: parts.flatMap((p) => p.x), y: parts.flatMap((p) => p.y) };
}

/** How a model does on a set of rows. */
export interface Evaluation {
  readonly rows: number;
  /** The share of rows the model gets right at the 0.5 threshold. */
  readonly accuracy: number;
  /** The share of rows whose label is 1 (always answering "up" scores this). */
  readonly upShare: number;
}

/** Returns a model's accuracy on rows, with its probabilities computed as the per-bar path does. */
export function evaluate(model: LogisticModel, rows: LabelledRows): Evaluation {
  let right = 0;
  let up = 0;
  rows.x.forEach((row, i) => {
    const predicted = logisticProbability(model, row) >= 0.5 ? 1 : 0;
    if (predicted === rows.y[i]) right++;
    up += rows.y[i]!;
  });
  const n = rows.x.length;
  return { rows: n, accuracy: right / n, upShare: up / n };
}

/** The trained model, its ONNX bytes, its JSON sidecar and how it did. */
export interface TrainingResult {
  readonly model: LogisticModel;
  readonly onnx: Uint8Array;
  readonly sidecar: string;
  readonly train: Evaluation;
  readonly validation: Readonly<Record<string, Evaluation>>;
  readonly loss: number;
}

const round = (x: number) => Number(x.toFixed(6));

/** Trains the momentum model, by default on its bundled plan (see {@link trainModel}). */
export function trainMomentumModel(root: string, plan: TrainingPlan = ML_MOMENTUM_PLAN): TrainingResult {
  return trainModel(root, { ...MODEL_SPECS.ml_momentum, plan });
}

/**
 * Trains a bundled model: features from the bundled daily data, standardised with the training rows'
 * mean and std (rounded to float32, as the graph holds them), a logistic regression fitted by gradient
 * descent, evaluated on the validation slices, and written as ONNX with a JSON sidecar.
 */
export function trainModel(root: string, spec: ModelSpec): TrainingResult {
  const { plan } = spec;
  const train = sliceRows(root, plan.train, spec);
  const f = spec.features.length;
  const n = train.x.length;
  const mean = new Float32Array(f);
  const std = new Float32Array(f);
  for (let j = 0; j < f; j++) {
    let s = 0;
    for (const row of train.x) s += row[j]!;
    const m = s / n;
    let v = 0;
    for (const row of train.x) v += (row[j]! - m) ** 2;
    mean[j] = m;
    std[j] = Math.sqrt(v / n);
  }
  // Standardise exactly as the float32 graph does, so training sees what inference computes.
  const scaled = train.x.map((row) =>
    Float64Array.from(row, (v, j) => Math.fround(Math.fround(Math.fround(v) - mean[j]!) / std[j]!)),
  );
  const fit = fitLogistic(scaled, train.y, plan.fit);
  const describe = (s: DataSlice) => `${s.files.map((x) => x.symbol).join('+')} ${s.from}..${s.to}`;
  const provisional: LogisticModel = {
    featureNames: spec.features,
    mean,
    std,
    weights: Float32Array.from(fit.weights),
    bias: Math.fround(fit.bias),
    metadata: {},
  };
  const trainEval = evaluate(provisional, train);
  const validation = Object.fromEntries(
    Object.entries(plan.validation).map(([k, s]) => [k, evaluate(provisional, sliceRows(root, s, spec))]),
  );
  const metadata: Record<string, string> = {
    label: `sign of the ${plan.horizon}-bar forward return of the close (1 = up)`,
    training_script: 'scripts/train-ml-momentum.ts',
    train: describe(plan.train),
    train_accuracy: String(round(trainEval.accuracy)),
    fit: JSON.stringify(plan.fit),
  };
  for (const [k, e] of Object.entries(validation))
    metadata[`validation_${k}_accuracy`] = String(round(e.accuracy));
  const model: LogisticModel = { ...provisional, metadata };
  const onnx = encodeLogisticOnnx(model, { graphName: spec.name, doc: spec.doc });
  const sidecar = {
    model: `${spec.name}.onnx`,
    onnx_sha256: createHash('sha256').update(onnx).digest('hex'),
    input: { name: INPUT_NAME, type: 'float32', shape: ['N', f] },
    output: { name: OUTPUT_NAME, type: 'float32', shape: ['N', 1] },
    probability: 'sigmoid(sum_j weight_j * (x_j - mean_j) / std_j + bias), all in float32',
    features: spec.features.map((name, j) => ({
      name,
      mean: mean[j]!,
      std: std[j]!,
      weight: model.weights[j]!,
    })),
    bias: model.bias,
    training: {
      command: spec.command,
      data: describe(plan.train),
      label: metadata['label'],
      horizon_bars: plan.horizon,
      seed: plan.fit.seed,
      learning_rate: plan.fit.learningRate,
      epochs: plan.fit.epochs,
      l2: plan.fit.l2,
      rows: trainEval.rows,
      final_loss: round(fit.loss),
      accuracy: round(trainEval.accuracy),
      up_share: round(trainEval.upShare),
    },
    validation: Object.fromEntries(
      Object.entries(validation).map(([k, e]) => [
        k,
        {
          data: describe(plan.validation[k]!),
          rows: e.rows,
          accuracy: round(e.accuracy),
          up_share: round(e.upShare),
        },
      ]),
    ),
  };
  return {
    model,
    onnx,
    sidecar: formatJson(sidecar),
    train: trainEval,
    validation,
    loss: fit.loss,
  };
}

/**
 * Returns JSON as the repo's formatter (prettier, width 110) writes it, so the sidecar passes
 * `prettier --check`: objects one key per line, short arrays of plain values on one line.
 */
function formatJson(value: unknown): string {
  const text = JSON.stringify(value, null, 2).replace(
    /^( *)(.*)\[\n([^[\]{}]*?)\n *\]/gm,
    (whole: string, indent: string, head: string, body: string) => {
      const line = `${indent}${head}[${body
        .split(',\n')
        .map((item) => item.trim())
        .join(', ')}]`;
      // One more column for the comma that may follow.
      return line.length + 1 <= 110 ? line : whole;
    },
  );
  return text + '\n';
}
