import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { StrategyConfiguration } from '../storage/strategy-configs.ts';
import { session } from '../../test/helpers.ts';
import { appendStoredStrategies, storedStrategyEntry } from './stored-strategies.ts';

const ORCL = { symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' };
const NVDA = { symbol: 'NVDA', file: 'data/daily/nvda-1999-2014.txt' };

/** A stored configuration with defaults: enabled momentum on ORCL in the default account. */
function stored(
  overrides: Partial<StrategyConfiguration> & Pick<StrategyConfiguration, 'name'>,
): StrategyConfiguration {
  return {
    type: 'momentum',
    parameters: {},
    instruments: ['ORCL'],
    active_brokers: ['default'],
    enabled: true,
    validator_type: 'schema',
    created_at: 0,
    updated_at: 0,
    ...overrides,
  };
}

/** A session file's config: an SMA cross on ORCL, with a second account "paper". */
const fileConfig = (extra: Record<string, unknown> = {}) => ({
  data: [ORCL, NVDA],
  strategies: [
    {
      type: 'sma_cross',
      name: 'file_cross',
      isolation: 'inline',
      config: { symbols: ['ORCL'], fast_period: 10, slow_period: 30 },
    },
  ],
  accounts: [{ name: 'paper', initial_cash: 20_000 }],
  db_strategies: true,
  ...extra,
});

/** Returns the error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a rejection');
}

describe('storedStrategyEntry', () => {
  it('makes a registered type a "type" entry and a path a "module" entry, instruments becoming config.symbols', () => {
    expect(
      storedStrategyEntry(
        stored({
          name: 'm',
          parameters: { lookback: 5 },
          instruments: ['ORCL', 'NVDA'],
          active_brokers: ['paper'],
        }),
      ),
    ).toStrictEqual({
      type: 'momentum',
      name: 'm',
      active_brokers: ['paper'],
      config: { lookback: 5, symbols: ['ORCL', 'NVDA'] },
    });
    expect(
      storedStrategyEntry(stored({ name: 'b', type: 'strategies/examples/buy_and_hold' })),
    ).toMatchObject({
      module: 'strategies/examples/buy_and_hold',
    });
  });
});

describe('appendStoredStrategies', () => {
  it('runs the enabled stored strategies after the file ones, each on its accounts', async () => {
    const merged = await appendStoredStrategies(
      session(fileConfig(), 'with-db'),
      [
        stored({
          name: 'db_nvda',
          instruments: ['NVDA'],
          parameters: { position_size: 5 },
          active_brokers: ['paper'],
        }),
        stored({ name: 'db_off', type: 'rsi', enabled: false }),
        stored({
          name: 'db_hold',
          type: 'strategies/examples/buy_and_hold',
          instruments: ['ORCL', 'NVDA'],
          active_brokers: ['default', 'paper'],
        }),
      ],
      'test.db',
    );
    expect(merged.config.strategies.map((s) => s.name)).toStrictEqual(['file_cross', 'db_nvda', 'db_hold']);
    const { result, engine } = await runBacktestWithResult({
      session: merged,
      runId: 'with-db',
      startedAt: 0,
    });
    expect(result.strategies.map((s) => [s.name, s.status, s.errors])).toStrictEqual([
      ['file_cross', 'ran', 0],
      ['db_nvda', 'ran', 0],
      ['db_hold', 'ran', 0],
    ]);
    const byAccount = (account: string) =>
      new Set(
        engine.recorder.orders.filter((o) => o.account === account).map((o) => `${o.strategy}:${o.symbol}`),
      );
    expect(byAccount('default')).toStrictEqual(new Set(['file_cross:ORCL', 'db_hold:ORCL', 'db_hold:NVDA']));
    expect(byAccount('paper')).toStrictEqual(new Set(['db_nvda:NVDA', 'db_hold:ORCL', 'db_hold:NVDA']));
    expect(result.accounts.map((a) => a.name)).toStrictEqual(['default', 'paper']);
  });

  it('refuses a stored strategy whose name a file strategy uses, even by default', async () => {
    const e = await rejection(
      appendStoredStrategies(session(fileConfig(), 'clash'), [stored({ name: 'file_cross' })], 'test.db'),
    );
    expect(isTradeflowError(e, 'TF_ERR_STORED_STRATEGY')).toBe(true);
    expect(e.message).toMatch(
      /^test\.db: strategy configuration "file_cross" has the name of strategies\[0\]/,
    );
    // A file entry without a name runs under its class name: simple_ma_cross for sma_cross.
    const unnamed = fileConfig({
      strategies: [{ type: 'sma_cross', config: { symbols: ['ORCL'] } }],
    });
    const e2 = await rejection(
      appendStoredStrategies(session(unnamed, 'clash2'), [stored({ name: 'simple_ma_cross' })], 'test.db'),
    );
    expect(e2.message).toMatch(/"simple_ma_cross" has the name of strategies\[0\]/);
  });

  it('refuses a stored strategy routed to an account the session lacks, naming both', async () => {
    const e = await rejection(
      appendStoredStrategies(
        session(fileConfig(), 'accounts'),
        [stored({ name: 'x', active_brokers: ['default', 'live_ib'] })],
        'test.db',
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_CONFIG_INVALID')).toBe(true);
    expect(e.message).toMatch(
      /^test\.db: strategy configuration "x": active_brokers: unknown account "live_ib"; the session's accounts: default, paper/,
    );
  });

  it('checks stored parameters against the schema again, as the strategy may have changed since', async () => {
    const e = await rejection(
      appendStoredStrategies(
        session(fileConfig(), 'params'),
        [stored({ name: 'x', parameters: { lookback: 1 } })],
        'test.db',
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_STRATEGY_CONFIG')).toBe(true);
    expect(e.message).toMatch(/^test\.db: strategy configuration "x": parameters\.lookback: Too small/);
  });

  it('runs a session whose file lists no strategy on the stored ones alone', async () => {
    const merged = await appendStoredStrategies(
      session(fileConfig({ strategies: [] }), 'db-only'),
      [stored({ name: 'only', type: 'strategies/examples/buy_and_hold' })],
      'test.db',
    );
    const { result } = await runBacktestWithResult({ session: merged, runId: 'db-only', startedAt: 0 });
    expect(result.strategies.map((s) => s.name)).toStrictEqual(['only']);
    expect(result.open_positions).toStrictEqual([
      expect.objectContaining({ strategy: 'only', symbol: 'ORCL', quantity: 1 }),
    ]);
  });
});
