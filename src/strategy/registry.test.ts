import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { parseSessionConfig } from '../config/session-config.ts';
import { backtest } from '../../test/helpers.ts';
import { STRATEGY_TYPES, strategyType } from './registry.ts';

const orcl = { symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' };

describe('the strategy type registry', () => {
  it('names an existing module for every type', async () => {
    const { existsSync } = await import('node:fs');
    const { ROOT } = await import('../../test/helpers.ts');
    for (const [name, t] of Object.entries(STRATEGY_TYPES)) {
      // ML and hybrid types live in folders that may ship separately; rules types must exist.
      if (t.kind === 'rules') expect(existsSync(`${ROOT}/${t.module}.ts`), name).toBe(true);
    }
  });

  it('refuses an unknown type, listing the known ones', () => {
    let error: unknown;
    try {
      strategyType('momentun', 'strategies[0].type');
    } catch (e) {
      error = e;
    }
    expect(isTradeflowError(error, 'TF_ERR_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toBe(
      `strategies[0].type: unknown strategy type "momentun"; known types: ${Object.keys(STRATEGY_TYPES).join(', ')}`,
    );
  });

  it('requires exactly one of module and type', () => {
    for (const entry of [{ config: {} }, { module: 'strategies/examples/rsi', type: 'rsi', config: {} }]) {
      expect(() => parseSessionConfig({ data: [orcl], strategies: [entry] })).toThrow(
        /strategies\[0\]\.(module|type): give either "module"/,
      );
    }
  });

  it('runs a registered type exactly as its module', async () => {
    const config = { symbols: ['ORCL'], lookback: 20, entry_return: 0.05, position_size: 10 };
    const byType = await backtest({
      data: [orcl],
      strategies: [{ type: 'momentum', isolation: 'inline', config }],
    });
    const byModule = await backtest({
      data: [orcl],
      strategies: [{ module: 'strategies/examples/momentum', isolation: 'inline', config }],
    });
    expect(byType.result.trades.length).toBeGreaterThan(10);
    expect(byType.result.trades).toEqual(byModule.result.trades);
    expect(byType.result.final_value).toBe(byModule.result.final_value);
  });
});
