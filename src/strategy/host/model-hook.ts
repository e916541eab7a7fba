// The model hook of the hook-calling policy: an ML strategy's model is loaded before setup, and its
// inference is guarded so that a throwing model costs one bar's opinion, not the strategy.
import type { Logger } from '../../core/logger.ts';
import type { BaseStrategy } from '../base-strategy.ts';
import type { MetricsWriter } from './metrics.ts';
import { displayPath } from '../../ml/model-file.ts';
import { type FeatureRow, hasMlCapability, type MlCapability, requiresModel } from '../ml-capability.ts';

/** How loading a strategy's model went: fine (perhaps degraded, with why), or refused with the reason. */
export type ModelOutcome =
  { readonly ok: true; readonly degraded?: string } | { readonly ok: false; readonly reason: string };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Inference errors logged in full per strategy; later ones are only counted. */
const LOGGED_ERRORS = 5;

/** Names a feature row in a message, whatever the strategy passed (a row it built wrong included). */
function describeRow(features: FeatureRow | undefined): string {
  const ts = features?.tsClose;
  const at = typeof ts === 'number' && Number.isFinite(ts) ? new Date(ts).toISOString() : String(ts);
  return `${String(features?.symbol)} at ${at}`;
}

/**
 * Guards a strategy's inference: when `predictSignal` throws, the call counts an inference error (the
 * `ml_inference` category, apart from the hooks' errors), logs the first few, and returns undefined (no
 * opinion), so the strategy carries on with the bar as it does without a model.
 */
function guardInference(strategy: BaseStrategy & MlCapability, log: Logger, metrics: MetricsWriter): void {
  const predict = strategy.predictSignal.bind(strategy);
  strategy.predictSignal = (features) => {
    try {
      return predict(features);
    } catch (e) {
      if (metrics.inferenceError() <= LOGGED_ERRORS) {
        log.error(
          `strategy ${strategy.name}: predictSignal(${describeRow(features)}) threw: ${message(e)}; no model signal for this bar`,
          { strategy: strategy.name, category: 'ml_inference' },
        );
      }
      return undefined;
    }
  };
}

/**
 * The runners' model hook, called after `attach` and before `setup`: a rules strategy passes through
 * untouched; an ML strategy's `loadModel` runs, and when it throws the strategy is degraded (a warning
 * names the strategy and the model file) or, if its config has `require_model: true`, refused. Its
 * inference is guarded (see `guardInference`) and counted in `metrics`.
 */
export async function prepareModel(
  strategy: BaseStrategy,
  log: Logger,
  metrics: MetricsWriter,
): Promise<ModelOutcome> {
  if (!hasMlCapability(strategy)) return { ok: true };
  guardInference(strategy, log, metrics);
  try {
    await strategy.loadModel();
    return { ok: true };
  } catch (e) {
    const model = strategy.modelPath === undefined ? 'its model' : displayPath(strategy.modelPath);
    const why = message(e);
    const detail = why.includes(model) ? why : `${model}: ${why}`;
    if (requiresModel(strategy)) {
      return { ok: false, reason: `require_model is true and the model did not load: ${detail}` };
    }
    log.warn(`strategy ${strategy.name}: the model did not load, running degraded on its rules: ${detail}`, {
      strategy: strategy.name,
      model,
      degraded: true,
    });
    return { ok: true, degraded: `the model did not load: ${detail}` };
  }
}
