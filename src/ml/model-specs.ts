// What decides each bundled model: its features, its training data and label, and its fit. The same spec
// always gives the same bytes (see scripts/train-ml-momentum.ts and docs/ml.md).
import { BREAKOUT_FEATURES, type BarFeatureExtractor, BreakoutFeatures } from './bar-features.ts';
import { MeanReversionFeatures, MEAN_REVERSION_FEATURES } from './bar-features.ts';
import { MOMENTUM_FEATURES, MomentumFeatures } from './features.ts';
import type { GradientDescentOptions } from './logistic-regression.ts';

/** A symbol's daily bar file, as bundled under data/daily. */
export interface DailyFile {
  readonly symbol: string;
  readonly file: string;
}

/** Rows of one symbol between two dates (inclusive, `YYYY-MM-DD`). */
export interface DataSlice {
  readonly files: readonly DailyFile[];
  readonly from: string;
  readonly to: string;
}

/** Everything that decides a bundled model's data and fit: the same plan always gives the same bytes. */
export interface TrainingPlan {
  readonly train: DataSlice;
  readonly validation: Readonly<Record<string, DataSlice>>;
  /** Bars ahead whose return sign is the label. */
  readonly horizon: number;
  readonly fit: GradientDescentOptions;
}

/** A bundled model: its name (also its files' and its registry type's), features, plan and provenance. */
export interface ModelSpec {
  /** `ml_momentum`: the model is written to models/<name>.onnx and models/<name>.json. */
  readonly name: string;
  readonly features: readonly string[];
  /** Returns a fresh extractor of `features`, the one the strategy uses too. */
  readonly extractor: () => BarFeatureExtractor;
  readonly plan: TrainingPlan;
  /** The ONNX graph's doc string. */
  readonly doc: string;
  /** The command that retrains it, as the sidecar records it. */
  readonly command: string;
}

const ORCL = { symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' };
const YHOO = { symbol: 'YHOO', file: 'data/daily/yhoo-1996-2014.txt' };
const NVDA = { symbol: 'NVDA', file: 'data/daily/nvda-1999-2014.txt' };

const TRAIN: DataSlice = { files: [ORCL, YHOO], from: '1996-01-01', to: '2010-12-31' };
const VALIDATION: Readonly<Record<string, DataSlice>> = {
  nvda_1999_2014: { files: [NVDA], from: '1999-01-01', to: '2014-12-31' },
  orcl_yhoo_2011_2014: { files: [ORCL, YHOO], from: '2011-01-01', to: '2014-12-31' },
};

/** The plan of the bundled `models/ml_momentum.onnx`. */
export const ML_MOMENTUM_PLAN: TrainingPlan = {
  train: TRAIN,
  validation: VALIDATION,
  horizon: 5,
  fit: { seed: 20_240_501, learningRate: 0.5, epochs: 400, l2: 1e-3 },
};

const COMMAND = 'npx tsx scripts/train-ml-momentum.ts';

/** The bundled models by name; each is a registry type of kind `ml` with a strategy under strategies/ml. */
export const MODEL_SPECS = {
  ml_momentum: {
    name: 'ml_momentum',
    features: MOMENTUM_FEATURES,
    extractor: () => new MomentumFeatures(),
    plan: ML_MOMENTUM_PLAN,
    doc: 'Logistic regression over standardised momentum features; see docs/ml.md.',
    command: COMMAND,
  },
  ml_mean_reversion: {
    name: 'ml_mean_reversion',
    features: MEAN_REVERSION_FEATURES,
    extractor: () => new MeanReversionFeatures(),
    plan: {
      train: TRAIN,
      validation: VALIDATION,
      horizon: 5,
      fit: { seed: 20_240_502, learningRate: 0.5, epochs: 400, l2: 1e-3 },
    },
    doc: 'Logistic regression over standardised mean-reversion features; see docs/ml.md.',
    command: `${COMMAND} --type ml_mean_reversion`,
  },
  ml_breakout: {
    name: 'ml_breakout',
    features: BREAKOUT_FEATURES,
    extractor: () => new BreakoutFeatures(),
    plan: {
      train: TRAIN,
      validation: VALIDATION,
      horizon: 10,
      fit: { seed: 20_240_503, learningRate: 0.5, epochs: 400, l2: 1e-3 },
    },
    doc: 'Logistic regression over standardised breakout features; see docs/ml.md.',
    command: `${COMMAND} --type ml_breakout`,
  },
} as const satisfies Readonly<Record<string, ModelSpec>>;

/** The names of the bundled models. */
export type ModelName = keyof typeof MODEL_SPECS;
