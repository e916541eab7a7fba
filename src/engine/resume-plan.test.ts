import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { session } from '../../test/helpers.ts';
import { aBar, aState } from '../storage/store-live.contract.ts';
import { configDifferences, planResume } from './resume-plan.ts';

const config = (fast = 5) =>
  session({
    data: [{ symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: '24h' }],
    strategies: [
      {
        module: 'strategies/examples/simple_ma_cross',
        config: { symbols: ['FXY'], interval: '1m', fast_period: fast, slow_period: 20 },
      },
    ],
  }).config;

/** A store holding run `r` of `kind` in `status`, started with `config()`. */
function storeWith(kind: 'live' | 'backtest', status: 'running' | 'completed' | 'interrupted' | 'cancelled') {
  const store = new MemoryStore();
  store.startRun({ id: 'r', name: 'n', kind, config: config(), startedAt: 1 });
  if (status !== 'running') store.endRun('r', { status, endedAt: 2 });
  return store;
}

function resumeError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (isTradeflowError(e, 'TF_ERR_RESUME')) return e.message;
    throw e;
  }
  throw new Error('expected TF_ERR_RESUME');
}

describe('planResume', () => {
  it('reads what an interrupted or cancelled live run committed', () => {
    for (const status of ['interrupted', 'cancelled'] as const) {
      const store = storeWith('live', 'running');
      store.writeStep('r', {
        orders: [],
        fills: [],
        trades: [],
        signals: [],
        equity: [],
        bars: [aBar(0)],
        state: aState(1),
      });
      store.endRun('r', { status, endedAt: 2 });
      const plan = planResume(store, 'r', config());
      expect({ state: plan.state, bars: plan.bars, id: plan.run.id }).toEqual({
        state: aState(1),
        bars: [aBar(0)],
        id: 'r',
      });
    }
  });

  it('goes on with a run killed before its first step was committed from no state', () => {
    expect(planResume(storeWith('live', 'interrupted'), 'r', config())).toMatchObject({
      state: undefined,
      bars: [],
    });
  });

  it('refuses an unknown run, a run that is not live, a completed run and one still running, saying so', () => {
    expect([
      resumeError(() => planResume(new MemoryStore(), 'nope', config())),
      resumeError(() => planResume(storeWith('backtest', 'interrupted'), 'r', config())),
      resumeError(() => planResume(storeWith('live', 'completed'), 'r', config())),
      resumeError(() => planResume(storeWith('live', 'running'), 'r', config())),
    ]).toEqual([
      expect.stringContaining('no run "nope" in the run database'),
      expect.stringContaining('run "r" is a backtest run; only a live run resumes'),
      expect.stringContaining('run "r" completed'),
      expect.stringContaining('run "r" is still running in a live process'),
    ]);
  });

  it('refuses a session whose strategies or data differ, naming each path that differs', () => {
    const message = resumeError(() => planResume(storeWith('live', 'interrupted'), 'r', config(7)));
    expect(message).toContain('strategies[0].config.fast_period: run 5, session 7');
  });
});

describe('configDifferences', () => {
  it('lists the paths of data, strategies and accounts that differ, and nothing for the same session', () => {
    const base = config();
    expect(configDifferences(JSON.parse(JSON.stringify(base)), base)).toEqual([]);
    const other = session({
      data: [{ symbol: 'FXY', file: 'data/intraday/FXY_5min.csv', format: 'ohlcv', calendar: '24h' }],
      strategies: [
        {
          module: 'strategies/examples/simple_ma_cross',
          config: { symbols: ['FXY'], interval: '1m', fast_period: 5, slow_period: 30 },
        },
      ],
      broker: { initial_cash: 5 },
    }).config;
    expect(configDifferences(JSON.parse(JSON.stringify(base)), other)).toEqual([
      'data[0].file: run "data/intraday/FXY_1min.csv", session "data/intraday/FXY_5min.csv"',
      'strategies[0].config.slow_period: run 20, session 30',
      'broker.initial_cash: run 100000, session 5',
    ]);
  });
});
