// What the signal router counts per strategy: orders a risk rule (or a duplicate ref) refused, and CANCEL
// or REPLACE signals that named no order; engine metrics and Prometheus read them.
import type { RiskRule } from '../execution/risk.ts';

/** Refusals of one strategy under one rule. */
export interface RiskRejections {
  readonly strategy: string;
  readonly rule: RiskRule;
  readonly count: number;
}

/** The router's counts per strategy. */
export class RouterCounts {
  readonly #refusals = new Map<string, Map<RiskRule, number>>();
  readonly #unknownRefs = new Map<string, number>();

  /** Counts an order refused under `rule`. */
  refusal(strategy: string, rule: RiskRule): void {
    let byRule = this.#refusals.get(strategy);
    if (!byRule) {
      byRule = new Map();
      this.#refusals.set(strategy, byRule);
    }
    byRule.set(rule, (byRule.get(rule) ?? 0) + 1);
  }

  /** Counts a CANCEL or REPLACE naming no order of the strategy; returns the strategy's count so far. */
  unknownRef(strategy: string): number {
    const n = (this.#unknownRefs.get(strategy) ?? 0) + 1;
    this.#unknownRefs.set(strategy, n);
    return n;
  }

  /** Returns a strategy's CANCEL and REPLACE signals that named no order. */
  unknownRefsOf(strategy: string): number {
    return this.#unknownRefs.get(strategy) ?? 0;
  }

  /** Returns every refusal count, by strategy then rule name. */
  rejections(): RiskRejections[] {
    const out: RiskRejections[] = [];
    for (const [strategy, byRule] of this.#refusals)
      for (const [rule, count] of byRule) out.push({ strategy, rule, count });
    return out.sort((a, b) =>
      a.strategy === b.strategy ? (a.rule < b.rule ? -1 : 1) : a.strategy < b.strategy ? -1 : 1,
    );
  }
}
