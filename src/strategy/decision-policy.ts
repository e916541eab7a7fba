// Decision policies: how a hybrid strategy combines its rules' and its model's signals into one.
import type { Signal } from '../model/signal.ts';

/**
 * Combines what a rules processor and an ML processor say about one bar into at most one signal. Users
 * implement it to plug in their own arbitration; `majority_vote` and `unanimous` are bundled.
 */
export interface DecisionPolicy {
  readonly name: string;
  /** Returns the signal to act on, or undefined for none. Either input may be undefined (no opinion). */
  decide(rules: Signal | undefined, ml: Signal | undefined): Signal | undefined;
}

const confidenceOf = (s: Signal) => s.confidence ?? 1;
const acts = (s: Signal | undefined): s is Signal => s !== undefined && s.action !== 'HOLD';

function combined(rules: Signal, ml: Signal): Signal {
  return {
    ...rules,
    confidence: (confidenceOf(rules) + confidenceOf(ml)) / 2,
    reason: `rules and ML agree: ${rules.reason ?? rules.action}; ${ml.reason ?? ml.action}`,
  };
}

/**
 * Agreeing signals combine (confidence averaged). When they disagree, or only the model speaks, an ML
 * signal whose confidence is at least `minMlConfidence` wins; otherwise the rules decide.
 */
export function majorityVote(options: { minMlConfidence: number }): DecisionPolicy {
  return {
    name: 'majority_vote',
    decide(rules, ml) {
      if (acts(rules) && acts(ml) && rules.action === ml.action) return combined(rules, ml);
      if (acts(ml) && confidenceOf(ml) >= options.minMlConfidence) {
        return { ...ml, reason: `ML confidence ${confidenceOf(ml).toFixed(2)}: ${ml.reason ?? ml.action}` };
      }
      return acts(rules) ? rules : undefined;
    },
  };
}

/** Acts only when the rules and the model give the same action. */
export function unanimous(): DecisionPolicy {
  return {
    name: 'unanimous',
    decide(rules, ml) {
      return acts(rules) && acts(ml) && rules.action === ml.action ? combined(rules, ml) : undefined;
    },
  };
}

/** The bundled policies by name. */
export const DECISION_POLICIES = ['majority_vote', 'unanimous'] as const;

/** Builds a bundled policy by name. */
export function decisionPolicy(
  name: (typeof DECISION_POLICIES)[number],
  minMlConfidence: number,
): DecisionPolicy {
  return name === 'unanimous' ? unanimous() : majorityVote({ minMlConfidence });
}
