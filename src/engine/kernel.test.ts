import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSessionConfig, parseSessionConfig, type LoadedSession } from '../config/session-config.ts';
import { isTradeflowError } from '../core/errors.ts';
import { MemoryLogger } from '../core/logger.ts';
import type { Interval } from '../model/interval.ts';
import { ROOT, session as projectSession, tempFiles } from '../../test/helpers.ts';
import type { ProbeRecord } from '../../test/fixtures/project/strategies/probe.ts';
import { runBacktest } from './backtest.ts';
import { Engine } from './kernel.ts';

/** A project root whose strategies/ holds only the probe strategy used here. */
const FIXTURE_ROOT = resolve(import.meta.dirname, '../../test/fixtures/project');
const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 2);
/** Close time of the 1m bar whose row is stamped `m` minutes after T0 (rows are stamped at the bar open). */
const closeOf = (m: number) => T0 + (m + 1) * MIN;

interface BarRow {
  /** The bar's open time, `YYYY-MM-DD HH:MM:SS` UTC. */
  readonly time: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** Returns the row time of minute `m` after `startMs`. */
function rowTime(startMs: number, m: number): string {
  return new Date(startMs + m * MIN).toISOString().slice(0, 19).replace('T', ' ');
}

/** Consecutive 1m bars from T0 (or `startMs`); high and low default to the range of open and close, volume to 100. */
function minuteBars(
  specs: readonly (Partial<BarRow> & Pick<BarRow, 'open' | 'close'>)[],
  startMs = T0,
): BarRow[] {
  return specs.map((s, m) => ({
    time: rowTime(startMs, m),
    high: Math.max(s.open, s.close),
    low: Math.min(s.open, s.close),
    volume: 100,
    ...s,
  }));
}

/** Bars with open 100 + 2i and close 101 + 2i, so no close equals the next open. */
function risingBars(count: number): BarRow[] {
  return minuteBars(Array.from({ length: count }, (_, i) => ({ open: 100 + 2 * i, close: 101 + 2 * i })));
}

function ohlcvCsv(rows: readonly BarRow[]): string {
  return (
    [
      'timestamp,open,high,low,close,volume',
      ...rows.map((r) => `${r.time},${r.open},${r.high},${r.low},${r.close},${r.volume}`),
    ].join('\n') + '\n'
  );
}

interface DataSpec {
  readonly symbol: string;
  readonly rows: readonly BarRow[];
  readonly interval?: Interval;
}

interface ProbeSpec {
  readonly name: string;
  /** The probe's config; `symbols` defaults to ['X'] and `interval` to '1m'. */
  readonly config?: Readonly<Record<string, unknown>>;
  readonly enabled?: boolean;
}

/**
 * Builds a session over temp ohlcv files (UTC, 24h calendar, absolute paths) running probe strategies from
 * the fixture project, with 100 000 cash and no costs unless `broker` says otherwise.
 */
function probeSession(o: {
  data?: readonly DataSpec[];
  strategies: readonly ProbeSpec[];
  broker?: Readonly<Record<string, unknown>>;
}): LoadedSession {
  const data = o.data ?? [{ symbol: 'X', rows: risingBars(4) }];
  const dir = tempFiles(Object.fromEntries(data.map((d) => [`${d.symbol}.csv`, ohlcvCsv(d.rows)])));
  const config = parseSessionConfig({
    name: 'kernel-test',
    data: data.map((d) => ({
      symbol: d.symbol,
      file: resolve(dir, `${d.symbol}.csv`),
      format: 'ohlcv',
      calendar: '24h',
      interval: d.interval ?? '1m',
    })),
    strategies: o.strategies.map((s) => ({
      module: 'strategies/probe',
      name: s.name,
      // The probe reports through the logger; inline keeps its records in order and at hand.
      isolation: 'inline',
      ...(s.enabled === undefined ? {} : { enabled: s.enabled }),
      config: { symbols: ['X'], interval: '1m', ...s.config },
    })),
    broker: o.broker ?? {},
  });
  return { config, name: 'kernel-test', file: resolve(FIXTURE_ROOT, 'kernel-test.json'), root: FIXTURE_ROOT };
}

/** Runs a backtest of the session; returns the outcome, the log and what the probes saw. */
async function run(session: LoadedSession) {
  const log = new MemoryLogger();
  const outcome = await runBacktest({ session, runId: 'kernel', startedAt: 0, logger: log });
  return { ...outcome, log, seen: probeRecords(log) };
}

function probeRecords(log: MemoryLogger): ProbeRecord[] {
  return log.records.filter((r) => r.msg === 'probe').map((r) => r.fields as unknown as ProbeRecord);
}

/** Returns the error a promise rejects with (fails the test when it resolves). */
async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected the promise to reject');
}

const buy = (quantity: number, symbol = 'X') => [{ symbol, action: 'BUY', quantity }];

describe('Engine: what a strategy sees and when its orders fill', () => {
  it('shows bar t to the strategy and fills its market order at bar t+1’s open', async () => {
    const { result, engine, seen } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { signals: { 2: buy(10) } } }] }),
    );
    expect(
      seen.map((r) => [r.n, r.now, r.length, r.lastTime, r.lastOpen, r.lastClose, r.position, r.cash]),
    ).toEqual([
      [1, closeOf(0), 1, closeOf(0), 100, 101, 0, 100_000],
      [2, closeOf(1), 2, closeOf(1), 102, 103, 0, 100_000],
      // The order raised on bar 1 (close 103) filled at bar 2's open, 104, before the strategy saw bar 2.
      [3, closeOf(2), 3, closeOf(2), 104, 105, 10, 98_960],
      [4, closeOf(3), 4, closeOf(3), 106, 107, 10, 98_960],
    ]);
    expect(seen.every((r) => Number.isNaN(r.closeAfterLast))).toBe(true);
    expect(engine.recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        type: 'market',
        tsCreated: closeOf(1),
        status: 'filled',
        tsClosed: closeOf(2),
      },
    ]);
    expect(engine.recorder.fills).toEqual([
      {
        id: 1,
        orderId: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 10,
        price: 104,
        commission: 0,
        ts: closeOf(2),
      },
    ]);
    expect(result.open_positions).toEqual([
      { strategy: 'probe', symbol: 'X', quantity: 10, avg_price: 104, last_price: 107 },
    ]);
    expect(result.cash).toBe(98_960);
    expect(result.final_value).toBe(98_960 + 1070);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect([result.steps, result.bars]).toEqual([4, 4]);
    expect(result.strategies).toEqual([
      { name: 'probe', status: 'ran', isolation: 'inline', notifications: 4, signals: 1, errors: 0 },
    ]);
  });

  it('closes a round trip at the open after the CLOSE signal, with costs and slippage', async () => {
    const { result } = await run(
      probeSession({
        strategies: [
          { name: 'probe', config: { signals: { 1: buy(100), 2: [{ symbol: 'X', action: 'CLOSE' }] } } },
        ],
        broker: { commission: { per_share: 0.01, minimum: 1.5 }, slippage_bps: 10 },
      }),
    );
    // Buy at bar 1's open 102 + 10 bps = 102.102, commission max(1.5, 1) = 1.5; sell at bar 2's open 104 - 10 bps = 103.896.
    const entry = 102 * 1.001;
    const exit = 104 * 0.999;
    expect(result.trades).toEqual([
      {
        strategy: 'probe',
        symbol: 'X',
        direction: 'long',
        quantity: 100,
        entry_time: new Date(closeOf(1)).toISOString(),
        entry_price: entry,
        exit_time: new Date(closeOf(2)).toISOString(),
        exit_price: exit,
        pnl: 100 * (exit - entry) - 3,
        commission: 3,
        bars: 1,
      },
    ]);
    expect(result.trades[0]?.pnl).toBeCloseTo(176.4, 9);
    expect(result.final_value).toBeCloseTo(100_176.4, 9);
    expect(result.open_positions).toEqual([]);
  });
});

describe('Engine: signal routing order', () => {
  it('routes signals of one step in registration order even when the later strategy’s series is processed first', async () => {
    const { engine, seen } = await run(
      probeSession({
        data: [
          { symbol: 'X', rows: risingBars(3) },
          { symbol: 'Y', rows: risingBars(3) },
        ],
        strategies: [
          { name: 'first', config: { symbols: ['Y'], signals: { 1: buy(1, 'Y') } } },
          { name: 'second', config: { symbols: ['X'], signals: { 1: buy(2, 'X') } } },
        ],
      }),
    );
    // X is data[0], so 'second' is notified before 'first' in each step ...
    expect(seen.slice(0, 2).map((r) => r.strategy)).toEqual(['second', 'first']);
    // ... yet 'first' gets the first order id.
    expect(engine.recorder.orders.map((o) => [o.id, o.strategy, o.symbol, o.quantity])).toEqual([
      [1, 'first', 'Y', 1],
      [2, 'second', 'X', 2],
    ]);
    expect(engine.recorder.signals.map((s) => [s.strategy, s.orderId])).toEqual([
      ['first', 1],
      ['second', 2],
    ]);
  });

  it('routes in registration order when the first strategy listens to an aggregated series of the same symbol', async () => {
    const { engine, seen } = await run(
      probeSession({
        data: [{ symbol: 'X', rows: risingBars(6) }],
        strategies: [
          { name: 'coarse', config: { interval: '5m', signals: { 1: buy(1) } } },
          { name: 'fine', config: { interval: '1m', signals: { 5: buy(2) } } },
        ],
      }),
    );
    const atFive = seen.filter((r) => r.now === closeOf(4));
    expect(atFive.map((r) => [r.strategy, r.interval])).toEqual([
      ['fine', '1m'],
      ['coarse', '5m'],
    ]);
    expect(engine.recorder.orders.map((o) => [o.id, o.strategy, o.tsCreated, o.status])).toEqual([
      [1, 'coarse', closeOf(4), 'filled'],
      [2, 'fine', closeOf(4), 'filled'],
    ]);
    // Both filled at bar 5's open, coarse first.
    expect(engine.recorder.fills.map((f) => [f.orderId, f.price])).toEqual([
      [1, 110],
      [2, 110],
    ]);
  });
});

describe('Engine: aggregated subscriptions', () => {
  it('notifies a 5m subscriber on 1m data only at bucket ends and shows it only published bars', async () => {
    const rows = minuteBars([
      { open: 10, close: 11, high: 12, low: 9.5 },
      { open: 11, close: 12, high: 14, low: 10.5 },
      { open: 12, close: 11.5, high: 12.5, low: 9 },
      { open: 11.5, close: 13, high: 13, low: 11 },
      { open: 13, close: 13.5, high: 13.75, low: 12.5 },
      { open: 20, close: 21 },
      { open: 21, close: 22 },
      { open: 22, close: 23 },
      { open: 23, close: 24 },
      { open: 24, close: 25 },
      { open: 30, close: 31, high: 33 },
      { open: 31, close: 32, low: 29 },
    ]);
    const { result, seen } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        strategies: [{ name: 'probe', config: { interval: '5m' } }],
      }),
    );
    expect(
      seen.map((r) => [
        r.interval,
        r.now,
        r.length,
        r.lastTime,
        r.lastOpen,
        r.lastHigh,
        r.lastLow,
        r.lastClose,
        r.lastVolume,
      ]),
    ).toEqual([
      ['5m', closeOf(4), 1, closeOf(4), 10, 14, 9, 13.5, 500],
      ['5m', closeOf(9), 2, closeOf(9), 20, 25, 20, 25, 500],
      // The last bucket has two bars; it is published at its end, 00:15, after the data ends at 00:12.
      ['5m', T0 + 15 * MIN, 3, T0 + 15 * MIN, 30, 33, 29, 32, 200],
    ]);
    expect(seen.map((r) => r.closeAfterLast)).toEqual([NaN, NaN, NaN]);
    expect(result.strategies).toEqual([
      { name: 'probe', status: 'ran', isolation: 'inline', notifications: 3, signals: 0, errors: 0 },
    ]);
    // 12 base bars plus one step at the last bucket's deadline.
    expect([result.bars, result.steps]).toEqual([12, 13]);
  });
});

describe('Engine: faults in strategies', () => {
  it('counts an exception in onBars, logs it with the strategy’s name and goes on', async () => {
    const { result, log, engine } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { throw_on: [2], signals: { 3: buy(1) } } }] }),
    );
    expect(result.strategies).toEqual([
      { name: 'probe', status: 'ran', isolation: 'inline', notifications: 4, signals: 1, errors: 1 },
    ]);
    expect(log.records.filter((r) => r.level === 'error')).toEqual([
      { level: 'error', msg: 'strategy probe: onBars(X, 1m) threw: probe failed on notification 2' },
    ]);
    expect(engine.recorder.fills.map((f) => [f.price, f.ts])).toEqual([[106, closeOf(3)]]);
  });

  it('reports strategies whose setup returns false or throws as not started, and runs the others', async () => {
    const { result, log } = await run(
      probeSession({
        strategies: [
          { name: 'refuses', config: { setup: 'false' } },
          { name: 'breaks', config: { setup: 'throw' } },
          { name: 'works', config: { signals: { 1: buy(1) } } },
        ],
      }),
    );
    expect(result.strategies).toEqual([
      { name: 'works', status: 'ran', isolation: 'inline', notifications: 4, signals: 1, errors: 0 },
      {
        name: 'refuses',
        status: 'not_started',
        notifications: 0,
        signals: 0,
        errors: 0,
        reason: 'setup returned false',
      },
      {
        name: 'breaks',
        status: 'not_started',
        notifications: 0,
        signals: 0,
        errors: 0,
        reason: 'setup threw: breaks was told to fail',
      },
    ]);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect(log.records.filter((r) => r.level === 'warn').map((r) => r.msg)).toEqual([
      'strategy refuses did not start: setup returned false',
      'strategy breaks did not start: setup threw: breaks was told to fail',
    ]);
  });

  it('fails with TF_ERR_NO_STRATEGIES naming each reason when no strategy starts', async () => {
    const e = await rejection(
      run(
        probeSession({
          strategies: [
            { name: 'refuses', config: { setup: 'false' } },
            { name: 'breaks', config: { setup: 'throw' } },
          ],
        }),
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((e as Error).message).toBe(
      'no strategy started (refuses: setup returned false; breaks: setup threw: breaks was told to fail)',
    );
  });

  it('fails with TF_ERR_NO_STRATEGIES when every strategy is disabled', async () => {
    const e = await rejection(run(probeSession({ strategies: [{ name: 'off', enabled: false }] })));
    expect(isTradeflowError(e, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((e as Error).message).toBe('no strategy started (none is enabled)');
  });
});

describe('Engine: subscriptions', () => {
  it('fails with TF_ERR_SUBSCRIPTION naming the strategy when no data source provides the symbol', async () => {
    const e = await rejection(
      run(probeSession({ strategies: [{ name: 'probe', config: { subscribe: [['Z', '1m']] } }] })),
    );
    expect(isTradeflowError(e, 'TF_ERR_SUBSCRIPTION')).toBe(true);
    expect((e as Error).message).toBe(
      'strategy probe subscribes to Z, which no data source provides (loaded: X)',
    );
  });

  it('fails with TF_ERR_SUBSCRIPTION naming the strategy when the data cannot be rolled up into the interval', async () => {
    const daily = [
      { time: '2024-01-02 00:00:00', open: 10, high: 11, low: 9, close: 10.5, volume: 5 },
      { time: '2024-01-03 00:00:00', open: 10.5, high: 11, low: 10, close: 10.75, volume: 5 },
    ];
    const e = await rejection(
      run(
        probeSession({
          data: [{ symbol: 'X', rows: daily, interval: '1d' }],
          strategies: [
            { name: 'ok', config: { interval: '1d' } },
            { name: 'fine_grained', config: { interval: '5m' } },
          ],
        }),
      ),
    );
    expect(isTradeflowError(e, 'TF_ERR_SUBSCRIPTION')).toBe(true);
    expect((e as Error).message).toBe(
      'strategy fine_grained subscribes to X at 5m, but its data is 1d bars, which cannot be rolled up into 5m',
    );
  });

  it('refuses ctx.bars for a series the strategy does not subscribe to, even when another strategy does', async () => {
    const refusal = (what: string) =>
      `setup threw: strategy reader asked for X at ${what}, which it does not subscribe to; add it to getSubscriptions()`;
    const withReader = async (reader: Readonly<Record<string, unknown>>) => {
      const { result } = await run(
        probeSession({
          data: [{ symbol: 'X', rows: risingBars(5) }],
          strategies: [
            { name: 'other', config: { interval: '5m' } },
            { name: 'reader', config: reader },
          ],
        }),
      );
      return result.strategies.find((s) => s.name === 'reader');
    };
    // 15m exists nowhere; 5m exists only for 'other'; 1m is the base series, which reader does not subscribe to.
    expect(await withReader({ interval: '1m', read_in_setup: ['X', '15m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('15m'),
    });
    expect(await withReader({ interval: '1m', read_in_setup: ['X', '5m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('5m'),
    });
    expect(await withReader({ interval: '5m', read_in_setup: ['X', '1m'] })).toMatchObject({
      status: 'not_started',
      reason: refusal('1m'),
    });
    expect(await withReader({ interval: '5m', read_in_setup: ['X', '5m'] })).toEqual({
      name: 'reader',
      status: 'ran',
      isolation: 'inline',
      notifications: 1,
      signals: 0,
      errors: 0,
    });
  });
});

describe('Engine: signals without orders and orders without fills', () => {
  it('records CLOSE while flat and HOLD as signals without orders', async () => {
    const { result, engine } = await run(
      probeSession({
        strategies: [
          {
            name: 'probe',
            config: {
              signals: {
                1: [{ symbol: 'X', action: 'CLOSE' }],
                2: [{ symbol: 'X', action: 'HOLD', reason: 'wait' }],
              },
            },
          },
        ],
      }),
    );
    expect(engine.recorder.signals).toEqual([
      { ts: closeOf(0), strategy: 'probe', signal: { symbol: 'X', action: 'CLOSE' } },
      { ts: closeOf(1), strategy: 'probe', signal: { symbol: 'X', action: 'HOLD', reason: 'wait' } },
    ]);
    expect(result.orders).toEqual({ total: 0, filled: 0, rejected: 0, cancelled: 0 });
    expect(result.strategies[0]).toMatchObject({ signals: 2 });
    expect(result.final_value).toBe(100_000);
  });

  it('cancels a market order raised on the last bar with the reason "run ended"', async () => {
    const { result, engine } = await run(
      probeSession({ strategies: [{ name: 'probe', config: { signals: { 4: buy(5) } } }] }),
    );
    expect(engine.recorder.orders).toEqual([
      {
        id: 1,
        account: 'default',
        strategy: 'probe',
        symbol: 'X',
        side: 'buy',
        quantity: 5,
        type: 'market',
        tsCreated: closeOf(3),
        status: 'cancelled',
        tsClosed: closeOf(3),
        reason: 'run ended',
      },
    ]);
    expect(result.orders).toEqual({ total: 1, filled: 0, rejected: 0, cancelled: 1 });
    expect(result.rejected_orders).toEqual([]);
    expect(engine.broker.openOrderCount).toBe(0);
    expect(result.final_value).toBe(100_000);
  });

  it('lists orders rejected by the broker with their reasons', async () => {
    const { result } = await run(
      probeSession({
        strategies: [
          { name: 'probe', config: { signals: { 1: [{ symbol: 'X', action: 'SELL', quantity: 3 }] } } },
        ],
      }),
    );
    expect(result.rejected_orders).toEqual([
      {
        id: 1,
        strategy: 'probe',
        symbol: 'X',
        side: 'sell',
        quantity: 3,
        time: new Date(closeOf(1)).toISOString(),
        reason: 'selling 3 with 0 held would open a short position; set broker.allow_short to allow it',
      },
    ]);
  });
});

describe('Engine: stopping early', () => {
  it('runs no step when the signal is already aborted', async () => {
    const log = new MemoryLogger();
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'pre-aborted',
      logger: log,
      abort: AbortSignal.abort(),
    });
    await engine.run();
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(0);
    expect(probeRecords(log)).toEqual([]);
    expect(engine.recorder.orders).toEqual([]);
    expect(engine.recorder.equity).toEqual([]);
  });

  it('stops at the next abort check when the signal fires mid-run, keeping what it gathered', async () => {
    const log = new MemoryLogger();
    const progress: [number, number][] = [];
    const controller = new AbortController();
    const engine = await Engine.create({
      session: probeSession({ strategies: [{ name: 'probe', config: { signals: { 1: buy(1) } } }] }),
      runId: 'abort',
      logger: log,
      progressEvery: 1,
      abort: controller.signal,
      onProgress: (done, total) => {
        progress.push([done, total]);
        controller.abort();
      },
    });
    await engine.run();
    await engine.stop();
    expect(engine.cancelled).toBe(true);
    expect(engine.steps).toBe(1);
    expect(engine.progress).toEqual({ done: 1, total: 4 });
    expect(progress).toEqual([
      [1, 4],
      [1, 4],
    ]);
    expect(probeRecords(log).map((r) => r.n)).toEqual([1]);
    expect(engine.recorder.signals.map((s) => [s.ts, s.orderId])).toEqual([[closeOf(0), 1]]);
    expect(engine.recorder.orders).toMatchObject([
      { id: 1, status: 'cancelled', tsClosed: closeOf(0), reason: 'run cancelled' },
    ]);
    expect(engine.recorder.equity).toEqual([{ ts: closeOf(0), equity: 100_000, cash: 100_000 }]);
  });

  it('reports a backtest stopped by an aborted signal as cancelled with the steps run so far', async () => {
    // runBacktest checks the signal every 65 536 steps; FXY has more 1m bars than that.
    const controller = new AbortController();
    const { result } = await runBacktest({
      session: projectSession({
        data: [
          { symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: 'us_equities' },
        ],
        strategies: [
          {
            module: 'strategies/examples/buy_and_hold',
            config: { symbols: ['FXY'], interval: '1m', position_size: 10 },
          },
        ],
      }),
      runId: 'cancelled',
      startedAt: 0,
      abort: controller.signal,
      onProgress: () => controller.abort(),
    });
    expect(result.status).toBe('cancelled');
    expect([result.steps, result.bars]).toEqual([65_536, 65_536]);
    expect(result.orders).toEqual({ total: 1, filled: 1, rejected: 0, cancelled: 0 });
    expect(result.open_positions).toMatchObject([{ strategy: 'buy_and_hold', symbol: 'FXY', quantity: 10 }]);
    expect(result.equity.at(-1)?.equity).toBe(result.final_value);
  });
});

describe('Engine: equity curve', () => {
  it('records one equity point per UTC day, at its last step, the last equal to the final value', async () => {
    const rows = [
      ...minuteBars(
        [
          { open: 100, close: 100 },
          { open: 101, close: 102 },
        ],
        Date.UTC(2024, 0, 2, 10, 0),
      ),
      ...minuteBars(
        [
          { open: 103, close: 104 },
          { open: 105, close: 106 },
        ],
        Date.UTC(2024, 0, 3, 9, 0),
      ),
      ...minuteBars([{ open: 107, close: 108 }], Date.UTC(2024, 0, 4, 9, 0)),
    ];
    const { result, engine } = await run(
      probeSession({
        data: [{ symbol: 'X', rows }],
        strategies: [{ name: 'probe', config: { signals: { 1: buy(10) } } }],
      }),
    );
    // Bought 10 at 101: cash 98 990, marked at each day's last close.
    expect(result.equity).toEqual([
      { time: '2024-01-02T10:02:00.000Z', equity: 98_990 + 1020, cash: 98_990 },
      { time: '2024-01-03T09:02:00.000Z', equity: 98_990 + 1060, cash: 98_990 },
      { time: '2024-01-04T09:01:00.000Z', equity: 98_990 + 1080, cash: 98_990 },
    ]);
    expect(result.final_value).toBe(100_070);
    expect(result.equity.at(-1)?.equity).toBe(result.final_value);
    expect(engine.exposureSteps).toBe(4);
  });
});

describe('Engine: determinism', () => {
  it('gives deep-equal results when the daily-portfolio example runs twice', async () => {
    const session = loadSessionConfig(resolve(ROOT, 'config/examples/daily-portfolio.json'));
    const a = await runBacktest({ session, runId: 'a', startedAt: 0 });
    const b = await runBacktest({ session, runId: 'b', startedAt: 0 });
    expect(b.result.run_id).toBe('b');
    expect({ ...b.result, run_id: 'a' }).toEqual(a.result);
    expect(b.engine.recorder.orders).toEqual(a.engine.recorder.orders);
    expect(b.engine.recorder.fills).toEqual(a.engine.recorder.fills);
    expect(b.engine.recorder.signals).toEqual(a.engine.recorder.signals);
    // Golden figures of this example, so that two equally broken runs cannot pass.
    expect(a.result.strategies).toEqual([
      {
        name: 'simple_ma_cross',
        status: 'ran',
        isolation: 'thread',
        notifications: 13_761,
        signals: 291,
        errors: 0,
      },
      { name: 'rsi', status: 'ran', isolation: 'thread', notifications: 13_761, signals: 88, errors: 0 },
      {
        name: 'buy_and_hold',
        status: 'ran',
        isolation: 'thread',
        notifications: 13_761,
        signals: 3,
        errors: 0,
      },
    ]);
    expect(a.result.orders).toEqual({ total: 382, filled: 382, rejected: 0, cancelled: 0 });
    expect(a.result.trades).toHaveLength(188);
    expect(a.result.open_positions).toHaveLength(6);
    expect([a.result.bars, a.result.steps, a.result.equity.length]).toEqual([13_761, 5036, 5036]);
    expect(a.result.final_value).toBeCloseTo(116_282.23758892, 6);
    expect(a.result.equity.at(-1)).toEqual({
      time: '2014-12-31T21:00:00.000Z',
      equity: a.result.final_value,
      cash: a.result.cash,
    });
  });
});
