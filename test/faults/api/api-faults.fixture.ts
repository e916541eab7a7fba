// Builders for the API fault tests: the fixture project (its strategies and a small ORCL file), session
// configs with a misbehaving strategy, and requests through an app.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { until } from '../../../src/api/app.fixture.ts';
import type { TradeflowAppForTest } from '../../../src/api/app.fixture.ts';

/** The fixture project: strategies/ (misbehaving, steady) and data/ (ORCL daily, 2013-2014). */
export const FAULT_ROOT = resolve(import.meta.dirname);

/** How the misbehaving strategy misbehaves (see strategies/misbehaving.ts). */
export type Misbehaviour = 'spin' | 'exit' | 'hang_setup' | 'hog';

/** A data source over the fixture's ORCL file. */
export const ORCL_SOURCE = { symbol: 'ORCL', file: 'data/orcl-2013-2014.txt', format: 'yahoo' } as const;

/** A steady strategy entry (trades every 20th bar). */
export const STEADY = {
  module: 'strategies/steady',
  isolation: 'inline',
  config: { symbols: ['ORCL'], interval: '1d', position_size: 10 },
} as const;

/** A session config with one misbehaving strategy run inline (as a client may ask), beside a steady one. */
export function misbehaving(how: Misbehaviour, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: `misbehaving-${how}`,
    data: [ORCL_SOURCE],
    strategies: [
      {
        module: 'strategies/misbehaving',
        isolation: 'inline',
        config: { symbols: ['ORCL'], interval: '1d', how, ...extra },
      },
      STEADY,
    ],
  };
}

/** A session config with only the steady strategy. */
export function steady(): Record<string, unknown> {
  return { name: 'steady', data: [ORCL_SOURCE], strategies: [STEADY] };
}

/** Posts a backtest request. */
export function postBacktest(app: TradeflowAppForTest, config: Record<string, unknown>, async = false) {
  return app.inject({ method: 'POST', url: '/api/backtests', payload: { config, async } });
}

/** Returns a fresh path for the misbehaving strategy's marker file (written when it starts to misbehave). */
export function markerPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'tradeflow-marker-')), 'misbehaving');
}

/** Waits until the misbehaving strategy has written its marker: it is misbehaving now. */
export function untilMarked(marker: string, ms = 30_000): Promise<true> {
  return until(() => (existsSync(marker) ? true : undefined), ms, `the marker ${marker}`);
}
