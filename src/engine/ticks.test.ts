// Scheduled strategies in the kernel: where ticks fall among bar steps, what their snapshot holds, when
// their orders fill, inline and in a thread alike; and the config error for a strategy without onTick.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, parseSessionConfig } from '../config/session-config.ts';
import { isTradeflowError } from '../core/errors.ts';
import { MemoryLogger } from '../core/logger.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import { closeOf, FIXTURE_ROOT, rejection, risingBars } from '../../test/probe-sessions.ts';
import { ohlcvCsv } from '../../test/fixture-sessions.ts';
import { tempFiles } from '../../test/helpers.ts';

/** Bars of X closing at 00:01 .. 00:04 (open 100 + 2i, close 101 + 2i), a tick probe with `entry`'s terms. */
function tickSession(entry: Record<string, unknown>, config: Record<string, unknown> = {}): LoadedSession {
  const dir = tempFiles({ 'X.csv': ohlcvCsv(risingBars(4)) });
  const parsed = parseSessionConfig({
    name: 'ticks',
    data: [{ symbol: 'X', file: resolve(dir, 'X.csv'), format: 'ohlcv', calendar: '24h', interval: '1m' }],
    strategies: [
      {
        module: 'strategies/tick_probe',
        isolation: 'inline',
        tick_interval: '90s',
        ...entry,
        config: { symbols: ['X'], interval: '1m', ...config },
      },
    ],
  });
  return { config: parsed, name: 'ticks', file: resolve(FIXTURE_ROOT, 'ticks.json'), root: FIXTURE_ROOT };
}

async function run(session: LoadedSession) {
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({ session, runId: 'ticks', startedAt: 0, logger: log });
  const seen = log.records.filter((r) => r.msg === 'seen').map((r) => r.fields?.['line']);
  return { ...outcome, log, seen };
}

const SEEN = [
  'bars X 00:01:00',
  // 00:01:30 falls between two bars: a step of its own; the snapshot holds the bar closed at 00:01.
  'tick 00:01:30 X@1m=101@00:01:00',
  'bars X 00:02:00',
  // 00:03:00 is a bar's close time: the tick comes after that bar is published, before onBars.
  'tick 00:03:00 X@1m=105@00:03:00',
  'bars X 00:03:00',
  // 00:04:30 is after the last bar: no tick.
  'bars X 00:04:00',
];

describe('scheduled strategies (tick_interval)', () => {
  it('ticks at multiples of the interval between the first and last bar, in the documented order', async () => {
    const { seen, result } = await run(tickSession({}));
    expect(seen).toEqual(SEEN);
    expect(result.strategies.map((s) => [s.name, s.notifications, s.errors])).toEqual([['tick_probe', 6, 0]]);
  });

  it('fills a tick order at the open of the next bar after the tick', async () => {
    const between = await run(tickSession({}, { buy_on: [1], quantity: 10 }));
    // Tick 1 at 00:01:30: the next bar is the one closing at 00:02 (open 102).
    expect(between.engine.recorder.fills.map((f) => [f.ts, f.price, f.quantity])).toEqual([
      [closeOf(1), 102, 10],
    ]);
    const atBar = await run(tickSession({}, { buy_on: [2], quantity: 10 }));
    // Tick 2 at 00:03:00, with the bar closing then: the order fills at the next bar's open (106).
    expect(atBar.engine.recorder.fills.map((f) => [f.ts, f.price, f.quantity])).toEqual([
      [closeOf(3), 106, 10],
    ]);
    expect(atBar.engine.recorder.signals.map((s) => [s.ts, s.signal.reason])).toEqual([
      [closeOf(2), 'tick 2'],
    ]);
  });

  it('gives a strategy in a thread the same ticks, snapshots and fills', async () => {
    const inline = await run(tickSession({}, { buy_on: [1, 2], quantity: 5 }));
    const thread = await run(tickSession({ isolation: 'thread' }, { buy_on: [1, 2], quantity: 5 }));
    expect(thread.seen).toEqual(SEEN);
    expect(thread.engine.recorder.fills).toEqual(inline.engine.recorder.fills);
    expect(thread.engine.recorder.signals).toEqual(inline.engine.recorder.signals);
    expect(thread.result.strategies[0]?.isolation).toBe('thread');
  });

  it('counts and logs an onTick that throws, and goes on', async () => {
    const { seen, log, result } = await run(tickSession({}, { throw_on: [1] }));
    expect(seen).toEqual(SEEN);
    expect(log.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([
      'strategy tick_probe: onTick(2024-01-02T00:01:30.000Z) threw: tick 1 failed',
    ]);
    expect(result.strategies[0]?.errors).toBe(1);
  });

  it('refuses a tick_interval on a strategy without onTick, naming the entry', async () => {
    const s = tickSession({ module: 'strategies/probe' });
    const e = await rejection(run(s));
    expect(isTradeflowError(e, 'TF_ERR_CONFIG_INVALID')).toBe(true);
    expect((e as Error).message).toBe(
      'strategies[0].tick_interval: strategy probe has no onTick method, so it cannot run on a schedule; remove tick_interval, or add onTick(snapshot) to the strategy',
    );
  });

  it('refuses a tick_interval that is no duration, naming the entry', () => {
    let error: unknown;
    try {
      tickSession({ tick_interval: '30 seconds' });
    } catch (e) {
      error = e;
    }
    expect(isTradeflowError(error, 'TF_ERR_CONFIG_INVALID')).toBe(true);
    expect((error as Error).message).toContain('strategies[0].tick_interval');
  });
});
