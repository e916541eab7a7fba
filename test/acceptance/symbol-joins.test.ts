import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, loadSessionConfig } from '../../src/config/session-config.ts';
import { MemoryLogger } from '../../src/core/logger.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import { isolationFree, withIsolation } from '../fixture-sessions.ts';
import { ROOT } from '../helpers.ts';

const JOINS: Record<string, string> = { NVDA: '2005-01-03T21:00:00Z', YHOO: '2010-01-04T21:00:00Z' };

/** The same session with every symbol there from the start and both strategies trading all of them. */
function fromStart(session: LoadedSession): LoadedSession {
  const data = session.config.data.map(({ join_at: _joinAt, ...d }) => d);
  const strategies = session.config.strategies.map((e) => ({
    ...e,
    config: { ...(e.config as object), symbols: ['ORCL', 'NVDA', 'YHOO'] },
  }));
  return { ...session, config: { ...session.config, data, strategies } };
}

describe('symbols joining a daily session (config/examples/symbol-joins.json)', () => {
  const session = loadSessionConfig(join(ROOT, 'config/examples/symbol-joins.json'));

  it('trades each joined symbol, from its join on, exactly as a run that had it from the start', async () => {
    const log = new MemoryLogger();
    const joined = await runBacktestWithResult({ session, runId: 'joins', startedAt: 0, logger: log });
    const full = await runBacktestWithResult({ session: fromStart(session), runId: 'full', startedAt: 0 });
    for (const [symbol, at] of Object.entries(JOINS)) {
      const mine = joined.result.trades.filter((t) => t.symbol === symbol);
      const theirs = full.result.trades.filter(
        (t) => t.symbol === symbol && t.strategy === 'simple_ma_cross' && t.entry_time > at,
      );
      expect(mine.length, symbol).toBeGreaterThan(10);
      // The SMAs warm up from the history published at the join, so the first cross after it is the same.
      expect(mine, symbol).toEqual(theirs);
    }
    // buy_and_hold does not follow added symbols: it holds ORCL only.
    expect(joined.result.open_positions.filter((p) => p.quantity === 100).map((p) => p.symbol)).toContain(
      'ORCL',
    );
    expect(
      joined.engine.recorder.orders.filter((o) => o.strategy === 'buy_and_hold').map((o) => o.symbol),
    ).toEqual(['ORCL']);
    expect(log.records.map((r) => r.msg)).toEqual(
      expect.arrayContaining([
        'NVDA joined the session with 1496 bars of history; subscribed: simple_ma_cross',
        'YHOO joined the session with 3456 bars of history; subscribed: simple_ma_cross',
      ]),
    );
  });

  it('gives the same result with the strategies in threads as inline', async () => {
    const threads = await runBacktestWithResult({
      session: withIsolation(session, 'thread'),
      runId: 't',
      startedAt: 0,
    });
    const inline = await runBacktestWithResult({
      session: withIsolation(session, 'inline'),
      runId: 'i',
      startedAt: 0,
    });
    expect(isolationFree(threads.result)).toEqual(isolationFree(inline.result));
    expect(threads.engine.getMetrics().strategies.map((m) => [m.name, m.subscriptions])).toEqual([
      [
        'simple_ma_cross',
        [
          ['ORCL', '1d'],
          ['NVDA', '1d'],
          ['YHOO', '1d'],
        ],
      ],
      ['buy_and_hold', [['ORCL', '1d']]],
    ]);
  });
});
