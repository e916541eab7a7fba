import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig } from '../../src/config/session-config.ts';
import { MemoryLogger } from '../../src/core/logger.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { withIsolation } from '../fixture-sessions.ts';
import { ROOT } from '../helpers.ts';

describe('rules, ML and hybrid strategies side by side', () => {
  it('runs config/examples/kinds.json: all three trade, in threads, with the model loaded', async () => {
    // Forced into threads: the models load and infer in the strategies' own threads.
    const session = withIsolation(loadSessionConfig(join(ROOT, 'config/examples/kinds.json')), 'thread');
    const { result, engine } = await runBacktestWithResult({ session, runId: 'kinds', startedAt: 0 });
    const metrics = engine.getMetrics().strategies;
    expect(metrics.map((m) => [m.name, m.isolation, m.status, m.degraded])).toEqual([
      ['rules_momentum', 'thread', 'running', undefined],
      ['ml_momentum', 'thread', 'running', undefined],
      ['hybrid_momentum', 'thread', 'running', undefined],
    ]);
    for (const m of metrics) expect(m.notifications).toBe(result.bars);
    for (const name of ['rules_momentum', 'ml_momentum', 'hybrid_momentum']) {
      expect(result.trades.filter((t) => t.strategy === name).length, name).toBeGreaterThan(5);
    }
    // The hybrid acts on agreement or on a confident model: its signals say which.
    const hybridReasons = engine.recorder.signals
      .filter((s) => s.strategy === 'hybrid_momentum')
      .map((s) => s.signal.reason ?? '');
    expect(
      hybridReasons.every(
        (r) => r.startsWith('rules and ML agree') || r.startsWith('ML confidence') || r.startsWith('rules:'),
      ),
    ).toBe(true);
  });

  it('runs the hybrid on its rules, degraded, when its model file is missing', async () => {
    // Forced into threads: the models load and infer in the strategies' own threads.
    const session = withIsolation(loadSessionConfig(join(ROOT, 'config/examples/kinds.json')), 'thread');
    const config = {
      ...session.config,
      strategies: [
        {
          ...session.config.strategies[2]!,
          isolation: 'inline' as const,
          config: { ...session.config.strategies[2]!.config, model_path: 'models/missing.onnx' },
        },
      ],
    };
    const log = new MemoryLogger();
    const { result, engine } = await runBacktestWithResult({
      session: { ...session, config },
      runId: 'degraded',
      startedAt: 0,
      logger: log,
    });
    expect(result.status).toBe('completed');
    const [m] = engine.getMetrics().strategies;
    expect(m?.degraded).toContain('models/missing.onnx');
    expect(result.trades.length).toBeGreaterThan(5);
    const reasons = engine.recorder.signals.map((s) => s.signal.reason ?? '');
    expect(reasons.every((r) => r.startsWith('rules:'))).toBe(true);
    expect(log.records.some((r) => r.level === 'warn' && r.msg.includes('missing.onnx'))).toBe(true);
  });
});
