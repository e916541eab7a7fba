import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../core/logger.ts';
import type { BarSeriesView } from '../../data/session-data.ts';
import { NO_SIGNALS, type Signal } from '../../model/signal.ts';
import { BaseStrategy, type StrategyContext } from '../base-strategy.ts';
import { MetricsWriter, readHistogram, readMetrics, sharedMetrics } from './metrics.ts';
import { strategyKind } from '../kind.ts';
import { InlineRunner } from './inline-runner.ts';
import { type FeatureRow, hasMlCapability, requiresModel } from '../ml-capability.ts';
import { HookCaller, prepareModel } from './hooks.ts';

/** An inline runner of `strategy`, as the manager makes one. */
const inlineRunner = (strategy: BaseStrategy, log: MemoryLogger) =>
  new InlineRunner({
    strategy,
    index: 0,
    kind: strategyKind(strategy),
    placement: { isolation: 'inline', reason: 'test' },
    log,
  });

type Config = { symbols: string[]; interval: '1d'; position_size: number; require_model?: boolean };
const config = (extra: Partial<Config> = {}): Config => ({
  symbols: ['X'],
  interval: '1d',
  position_size: 1,
  ...extra,
});

/** A rules strategy that records its hooks; it has a loadModel method but not the rest of the capability. */
class RulesWithStrayLoadModel extends BaseStrategy<Config> {
  readonly calls: string[] = [];
  loadModel(): void {
    this.calls.push('loadModel');
  }
  override setup(): boolean {
    this.calls.push('setup');
    return true;
  }
  onBars(): readonly Signal[] {
    return NO_SIGNALS;
  }
}

/** An ML strategy whose model load is scripted: fine, or failing with an error naming its file. */
class ScriptedMl extends BaseStrategy<Config> {
  readonly calls: string[] = [];
  readonly modelPath = '/models/scripted.onnx';
  constructor(
    c: Config,
    readonly fails: boolean,
  ) {
    super(c, 'scripted');
  }
  async loadModel(): Promise<void> {
    this.calls.push('loadModel');
    await Promise.resolve();
    if (this.fails) throw new Error('model file /models/scripted.onnx does not exist');
  }
  extractFeatures(_bars: BarSeriesView): FeatureRow | undefined {
    return undefined;
  }
  predictSignal(_features: FeatureRow): Signal | undefined {
    return undefined;
  }
  override setup(): boolean {
    this.calls.push('setup');
    return true;
  }
  onBars(): readonly Signal[] {
    return NO_SIGNALS;
  }
}

const ctx = { name: 'x' } as StrategyContext;

describe('the ML capability', () => {
  it('is detected only when all three methods are there', () => {
    expect(hasMlCapability(new ScriptedMl(config(), false))).toBe(true);
    expect(hasMlCapability(new RulesWithStrayLoadModel(config(), 'rules'))).toBe(false);
    expect(hasMlCapability({ loadModel() {}, extractFeatures() {}, predictSignal: 1 })).toBe(false);
  });

  it('reads require_model from the config, false unless exactly true', () => {
    expect(requiresModel(new ScriptedMl(config({ require_model: true }), false))).toBe(true);
    expect(requiresModel(new ScriptedMl(config(), false))).toBe(false);
  });
});

describe('the inline runner and the capability', () => {
  it('never calls loadModel on a rules strategy, even one with a method of that name', async () => {
    const s = new RulesWithStrayLoadModel(config(), 'rules');
    const runner = inlineRunner(s, new MemoryLogger());
    expect(await runner.start(ctx)).toEqual({ ok: true });
    expect(s.calls).toEqual(['setup']);
    expect(runner.degraded).toBeUndefined();
  });

  it('loads the model before setup and is not degraded when it loads', async () => {
    const s = new ScriptedMl(config(), false);
    const log = new MemoryLogger();
    const runner = inlineRunner(s, log);
    expect(await runner.start(ctx)).toEqual({ ok: true });
    expect(s.calls).toEqual(['loadModel', 'setup']);
    expect(runner.degraded).toBeUndefined();
    expect(log.records).toEqual([]);
  });

  it('runs a strategy whose model fails degraded, with a warning naming the strategy and the file', async () => {
    const s = new ScriptedMl(config(), true);
    const log = new MemoryLogger();
    const runner = inlineRunner(s, log);
    expect(await runner.start(ctx)).toEqual({ ok: true });
    expect(s.calls).toEqual(['loadModel', 'setup']);
    expect(runner.degraded).toBe('the model did not load: model file /models/scripted.onnx does not exist');
    expect(log.records).toEqual([
      {
        level: 'warn',
        msg: 'strategy scripted: the model did not load, running degraded on its rules: model file /models/scripted.onnx does not exist',
        fields: { strategy: 'scripted', model: '/models/scripted.onnx', degraded: true },
      },
    ]);
  });

  it('refuses to start a strategy whose model fails when its config says require_model: true', async () => {
    const s = new ScriptedMl(config({ require_model: true }), true);
    const runner = inlineRunner(s, new MemoryLogger());
    expect(await runner.start(ctx)).toEqual({
      ok: false,
      reason:
        'require_model is true and the model did not load: model file /models/scripted.onnx does not exist',
    });
    expect(s.calls).toEqual(['loadModel']);
  });

  it('names the model file in the reason when the error does not', async () => {
    const s = new ScriptedMl(config(), false);
    s.loadModel = () => Promise.reject(new Error('out of memory'));
    expect(await prepareModel(s, new MemoryLogger(), new MetricsWriter(sharedMetrics()))).toEqual({
      ok: true,
      degraded: 'the model did not load: /models/scripted.onnx: out of memory',
    });
  });
});

/** An ML strategy whose model answers each bar from a script: a signal, no opinion, or a throw. */
class FlakyModel extends ScriptedMl {
  #bar = 0;
  constructor(readonly script: readonly ('buy' | 'none' | 'throw')[]) {
    super(config(), false);
  }
  override extractFeatures(_bars: BarSeriesView): FeatureRow | undefined {
    const i = this.#bar++;
    return { symbol: 'X', interval: '1d', tsClose: Date.UTC(2024, 0, 2 + i), values: Float64Array.of(i) };
  }
  override predictSignal(features: FeatureRow): Signal | undefined {
    const step = this.script[features.values[0]!];
    if (step === 'throw') throw new Error('input tensor has the wrong shape');
    return step === 'buy' ? { symbol: 'X', action: 'BUY', quantity: 1 } : undefined;
  }
  override onBars(): readonly Signal[] {
    const signal = this.predictSignal(this.extractFeatures({} as BarSeriesView)!);
    return signal ? [signal] : NO_SIGNALS;
  }
}

describe('inference errors', () => {
  it('are counted apart from hook errors, the bar goes on without a model signal, and only the first few are logged', async () => {
    const script = ['buy', 'throw', 'none', ...Array<'throw'>(6).fill('throw'), 'buy'] as const;
    const s = new FlakyModel(script);
    const log = new MemoryLogger();
    const runner = inlineRunner(s, log);
    expect(await runner.start(ctx)).toEqual({ ok: true });
    const signals = script.map(() => runner.deliver(0, 'X', '1d').length);
    expect(signals).toEqual([1, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    const m = runner.metrics();
    expect(m.inferenceErrors).toBe(7);
    expect(m.errors).toBe(0);
    expect(m.notifications).toBe(10);
    expect(log.records).toHaveLength(5);
    expect(log.records[0]).toEqual({
      level: 'error',
      msg: 'strategy scripted: predictSignal(X at 2024-01-03T00:00:00.000Z) threw: input tensor has the wrong shape; no model signal for this bar',
      fields: { strategy: 'scripted', category: 'ml_inference' },
    });
  });

  it('land in the shared metrics block a thread strategy writes', async () => {
    const block = sharedMetrics();
    const s = new FlakyModel(['throw', 'buy']);
    await prepareModel(s, new MemoryLogger(), new MetricsWriter(block));
    expect(s.predictSignal(s.extractFeatures({} as BarSeriesView)!)).toBeUndefined();
    expect(s.predictSignal(s.extractFeatures({} as BarSeriesView)!)).toEqual({
      symbol: 'X',
      action: 'BUY',
      quantity: 1,
    });
    expect(readMetrics(block)).toMatchObject({ inferenceErrors: 1, errors: 0 });
  });

  it('are logged even when the strategy passed no feature row at all', async () => {
    const s = new FlakyModel([]);
    const log = new MemoryLogger();
    const block = sharedMetrics();
    await prepareModel(s, log, new MetricsWriter(block));
    expect(s.predictSignal(undefined as unknown as FeatureRow)).toBeUndefined();
    expect(readMetrics(block)).toMatchObject({ inferenceErrors: 1, errors: 0 });
    expect(log.records.map((r) => r.msg)).toEqual([
      expect.stringMatching(
        /^strategy scripted: predictSignal\(undefined at undefined\) threw: .+; no model signal for this bar$/,
      ),
    ]);
  });

  it('leave a rules strategy alone: it has no inference to guard', async () => {
    const s = new RulesWithStrayLoadModel(config(), 'rules');
    const block = sharedMetrics();
    await prepareModel(s, new MemoryLogger(), new MetricsWriter(block));
    expect(Object.hasOwn(s, 'predictSignal')).toBe(false);
    expect(readMetrics(block).inferenceErrors).toBe(0);
  });
});

/** Returns, bar after bar, what its script says: an array, or something a typed strategy could not return. */
class Misreturning extends BaseStrategy {
  #n = 0;
  constructor(readonly script: readonly unknown[]) {
    super({ symbols: ['X'], interval: '1d', position_size: 1 }, 'misreturning');
  }
  onBars(): readonly Signal[] {
    return this.script[this.#n++] as readonly Signal[];
  }
}

describe('the hook policy and what onBars returns', () => {
  it('counts anything but an array as the strategy’s error, with what it returned, and goes on', () => {
    const log = new MemoryLogger();
    const metrics = sharedMetrics();
    const hold: Signal = { symbol: 'X', action: 'HOLD' };
    const hooks = new HookCaller(
      new Misreturning([undefined, [hold], null, 'BUY', 7, [hold, hold]]),
      log,
      new MetricsWriter(metrics),
    );
    const signals = [0, 1, 2, 3, 4, 5].map(() => hooks.onBars('X', '1d').length);
    expect(signals).toEqual([0, 1, 0, 0, 0, 2]);
    expect(readMetrics(metrics)).toMatchObject({ notifications: 6, signals: 3, errors: 4 });
    expect(log.records.map((r) => r.msg)).toEqual([
      'strategy misreturning: onBars(X, 1d) returned undefined, not an array of signals',
      'strategy misreturning: onBars(X, 1d) returned null, not an array of signals',
      'strategy misreturning: onBars(X, 1d) returned the string "BUY", not an array of signals',
      'strategy misreturning: onBars(X, 1d) returned a number, not an array of signals',
    ]);
  });
});

describe('the hook policy, one step at a time (as a strategy thread calls it)', () => {
  it('calls onBars for each bar of the step with the same counting, timing and errors as one call at a time', () => {
    const script = [undefined, [{ symbol: 'X', action: 'HOLD' }], 'BUY', [], null];
    const one = { log: new MemoryLogger(), metrics: sharedMetrics() };
    const byStep = { log: new MemoryLogger(), metrics: sharedMetrics() };
    const single = new HookCaller(new Misreturning(script), one.log, new MetricsWriter(one.metrics));
    const stepped = new HookCaller(new Misreturning(script), byStep.log, new MetricsWriter(byStep.metrics));
    const fromOne = script.flatMap(() => single.onBars('X', '1d'));
    // Notifications 0..4 are bars; 9 is something else, which the step's source handles itself.
    const queue = [0, 9, 1, 2, 3, 4];
    const others: number[] = [];
    const fromStep: Signal[] = [];
    stepped.onStep(
      {
        next: () => queue.shift() ?? -1,
        bar: (v) => {
          if (v === 9) {
            others.push(v);
            return undefined;
          }
          return ['X', '1d'];
        },
      },
      fromStep,
    );
    expect(fromStep).toEqual(fromOne);
    expect(others).toEqual([9]);
    // The same counts either way (the times are wall time, so only their number is compared).
    for (const m of [one.metrics, byStep.metrics]) {
      expect(readMetrics(m)).toMatchObject({ notifications: 5, signals: 1, errors: 3, inferenceErrors: 0 });
    }
    expect([readHistogram(one.metrics).count, readHistogram(byStep.metrics).count]).toEqual([5, 5]);
    expect(byStep.log.records).toEqual(one.log.records);
  });
});
