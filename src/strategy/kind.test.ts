import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, parseSessionConfig } from '../config/session-config.ts';
import type { FeatureRow } from './ml-capability.ts';
import { NO_SIGNALS, type Signal } from '../model/signal.ts';
import { BaseStrategy } from './base-strategy.ts';
import { Engine } from '../engine/kernel.ts';
import { strategyKind } from './kind.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const config = { symbols: ['X'], interval: '1d' as const, position_size: 1 };

class Rules extends BaseStrategy {
  onBars(): readonly Signal[] {
    return NO_SIGNALS;
  }
}

class Ml extends Rules {
  loadModel(): void {}
  extractFeatures(): FeatureRow | undefined {
    return undefined;
  }
  predictSignal(): Signal | undefined {
    return undefined;
  }
}

/** Two of the three ML methods are not the capability. */
class HalfMl extends Rules {
  loadModel(): void {}
  extractFeatures(): FeatureRow | undefined {
    return undefined;
  }
}

class StaticHybrid extends Ml {
  static readonly kind = 'hybrid';
}

class InstanceHybrid extends Rules {
  readonly kind = 'hybrid';
}

describe('strategyKind', () => {
  it('tells rules, ML (all three methods) and hybrid (static or instance marker) apart', () => {
    expect(strategyKind(new Rules(config, 'r'))).toBe('rules');
    expect(strategyKind(new HalfMl(config, 'h'))).toBe('rules');
    expect(strategyKind(new Ml(config, 'm'))).toBe('ml');
    expect(strategyKind(new StaticHybrid(config, 's'))).toBe('hybrid');
    expect(strategyKind(new InstanceHybrid(config, 'i'))).toBe('hybrid');
  });
});

describe('the kind in engine.getMetrics()', () => {
  it('names each started strategy with its kind, thread strategies included', async () => {
    const session: LoadedSession = {
      config: parseSessionConfig(
        {
          data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
          strategies: [
            { module: 'strategies/examples/rsi', config: { symbols: ['ORCL'] } },
            { type: 'ml_momentum', name: 'ml', isolation: 'thread', config: { symbols: ['ORCL'] } },
            { module: 'strategies/examples/buy_and_hold', enabled: false, config: { symbols: ['ORCL'] } },
          ],
        },
        'kinds',
      ),
      name: 'kinds',
      file: join(ROOT, 'kinds.json'),
      root: ROOT,
    };
    expect(session.config.strategies.map((s) => s.isolation)).toEqual(['auto', 'thread', 'auto']);
    const engine = await Engine.create({ session, runId: 'kinds' });
    try {
      expect(engine.getMetrics().strategies.map((m) => [m.name, m.kind, m.isolation])).toEqual([
        ['rsi', 'rules', 'inline'],
        ['ml', 'ml', 'thread'],
      ]);
    } finally {
      await engine.stop();
    }
  });
});
