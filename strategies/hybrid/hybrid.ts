// Hybrid strategy: any registered rules type and any registered ML type, combined bar by bar by a decision
// policy named in the config.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  type BarSeriesView,
  BaseStrategy,
  baseStrategySchema,
  classNameForModule,
  DECISION_POLICIES,
  type DecisionPolicy,
  decisionPolicy,
  type FeatureRow,
  hasMlCapability,
  type Interval,
  type MlCapability,
  NO_SIGNALS,
  type Signal,
  STRATEGY_TYPES,
  type StrategyContext,
} from 'tradeflow';

interface Part {
  readonly cls: new (config: never, name: string) => BaseStrategy;
  readonly configSchema: z.ZodType;
}

// Every registered rules and ML type, imported once when this module loads, so that the config schema
// below can check a part's own config synchronously and name its path. A type whose module is not
// installed (the ML folder may ship separately) is left out, and so unknown to the hybrid.
const PARTS: Readonly<Record<'rules' | 'ml', ReadonlyMap<string, Part>>> = await (async () => {
  const byKind = { rules: new Map<string, Part>(), ml: new Map<string, Part>() };
  for (const [type, t] of Object.entries(STRATEGY_TYPES)) {
    if (t.kind === 'hybrid') continue;
    const url = new URL(`../../${t.module}.ts`, import.meta.url);
    if (!existsSync(fileURLToPath(url))) continue;
    const mod = (await import(url.href)) as Record<string, unknown>;
    const cls = mod[classNameForModule(t.module.slice(t.module.lastIndexOf('/') + 1))] as Part['cls'];
    byKind[t.kind].set(type, { cls, configSchema: mod['configSchema'] as z.ZodType });
  }
  return byKind;
})();

/** The keys both parts take from the hybrid's own config. */
const SHARED_KEYS = ['symbols', 'interval', 'position_size', 'follow_added_symbols'] as const;

/** A part of the hybrid: a registered type of its kind and that type's own config, without `symbols`. */
const partSchema = z
  .object({
    type: z.string().min(1),
    config: z
      .record(z.string(), z.unknown())
      .superRefine((c, ctx) => {
        for (const key of SHARED_KEYS) {
          if (Object.hasOwn(c, key))
            ctx.addIssue({
              code: 'custom',
              path: [key],
              message: `the parts use the hybrid's "${key}"; set it there`,
            });
        }
      })
      .prefault({}),
  })
  .strict();

/** Config of Hybrid: its two parts, and the decision policy that combines their signals. */
export const configSchema = baseStrategySchema
  .extend({
    rules: partSchema,
    ml: partSchema,
    policy: z
      .object({
        name: z.enum(DECISION_POLICIES).default('majority_vote'),
        /** majority_vote: a model signal at least this sure wins over the rules. */
        min_ml_confidence: z.number().min(0).max(1).default(0.6),
        /** The confidence given to a rules signal that states none. */
        rules_confidence: z.number().min(0).max(1).default(0.6),
      })
      .strict()
      .prefault({}),
    /** Refuse to start when the ML part's model does not load (else the rules run alone). */
    require_model: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    for (const kind of ['rules', 'ml'] as const) {
      const { type } = c[kind];
      const part = PARTS[kind].get(type);
      if (part === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [kind, 'type'],
          message: `unknown ${kind} type "${type}"; known: ${[...PARTS[kind].keys()].join(', ')}`,
        });
        continue;
      }
      const r = part.configSchema.safeParse(partConfig(c, kind));
      for (const issue of r.error?.issues ?? []) {
        ctx.addIssue({ code: 'custom', path: [kind, 'config', ...issue.path], message: issue.message });
      }
    }
  });

type Config = z.output<typeof configSchema>;

/** A part's config as its own schema reads it: the hybrid's symbols, interval and size, then its own keys. */
function partConfig(c: Config, kind: 'rules' | 'ml'): Record<string, unknown> {
  const shared = { symbols: c.symbols, interval: c.interval, position_size: c.position_size };
  const follow = c.follow_added_symbols === undefined ? {} : { follow_added_symbols: c.follow_added_symbols };
  return { ...shared, ...follow, ...c[kind].config };
}

function makePart(c: Config, kind: 'rules' | 'ml', name: string): BaseStrategy {
  const part = PARTS[kind].get(c[kind].type)!;
  return new part.cls(part.configSchema.parse(partConfig(c, kind)) as never, `${name}.${kind}`);
}

/**
 * Pairs a registered rules type with a registered ML type: on each bar the rules part says what it would
 * do, the ML part what its model predicts (no opinion without a model), and the policy decides; the hybrid
 * buys `position_size` when flat and closes a long. Without a model it trades its rules alone.
 */
export class HybridStrategy extends BaseStrategy<Config> implements MlCapability {
  /** Marks the strategy's kind for metrics (rules, ml or hybrid). */
  static readonly kind = 'hybrid';
  /** The ML part's model file. */
  readonly modelPath?: string;
  readonly #rules: BaseStrategy;
  readonly #ml: BaseStrategy & MlCapability;
  readonly #policy: DecisionPolicy;

  constructor(config: Config, name: string) {
    super(config, name);
    this.#rules = makePart(config, 'rules', name);
    const ml = makePart(config, 'ml', name);
    if (!hasMlCapability(ml)) throw new Error(`ml type "${config.ml.type}" offers no model`);
    this.#ml = ml;
    if (ml.modelPath !== undefined) this.modelPath = ml.modelPath;
    this.#policy = decisionPolicy(config.policy.name, config.policy.min_ml_confidence);
  }

  override attach(ctx: StrategyContext): void {
    super.attach(ctx);
    this.#rules.attach(ctx);
    this.#ml.attach(ctx);
  }

  /** Loads the ML part's model. */
  async loadModel(): Promise<void> {
    await this.#ml.loadModel();
  }

  override async setup(ctx: StrategyContext): Promise<boolean> {
    return (await this.#rules.setup(ctx)) && (await this.#ml.setup(ctx));
  }

  /** Returns the ML part's features of the newest bar. */
  extractFeatures(bars: BarSeriesView): FeatureRow | undefined {
    return this.#ml.extractFeatures(bars);
  }

  /** Returns the ML part's signal for a feature row, or undefined (no model, or no opinion). */
  predictSignal(features: FeatureRow): Signal | undefined {
    return this.#ml.predictSignal(features);
  }

  onBars(symbol: string, interval: Interval): readonly Signal[] {
    const fromRules = this.#rules
      .onBars(symbol, interval)
      .find((s) => s.symbol === symbol && s.action !== 'HOLD');
    const rules = fromRules && {
      ...fromRules,
      confidence: fromRules.confidence ?? this.config.policy.rules_confidence,
    };
    const row = this.extractFeatures(this.ctx.bars(symbol, interval));
    const signal = this.#policy.decide(rules, row && this.predictSignal(row));
    if (!signal) return NO_SIGNALS;
    const held = this.ctx.position(symbol);
    if (signal.action === 'BUY' && held === 0) return [{ ...signal, quantity: this.config.position_size }];
    if (signal.action === 'CLOSE' && held > 0) return [signal];
    return NO_SIGNALS;
  }

  /** Tells both parts of a joined symbol, so that they trade it too when the config follows added symbols. */
  override symbolJoined(symbol: string): void {
    super.symbolJoined(symbol);
    this.#rules.symbolJoined(symbol);
    this.#ml.symbolJoined(symbol);
  }

  override async teardown(ctx: StrategyContext): Promise<void> {
    await this.#rules.teardown(ctx);
    await this.#ml.teardown(ctx);
  }
}
