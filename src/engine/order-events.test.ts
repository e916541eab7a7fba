// Order events to strategies: where they fall among a step's bars, the same inline and in a thread, a
// hook that throws, and a strategy that hears of a fill in a step that brings it no bar.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSessionConfig, type LoadedSession } from '../config/session-config.ts';
import { MemoryLogger } from '../core/logger.ts';
import type { Order } from '../model/order.ts';
import { FIXTURE_ROOT, fixtureSession, runSession } from '../../test/fixture-sessions.ts';
import { minuteBars, risingBars } from '../../test/probe-sessions.ts';
import { ROOT } from '../../test/helpers.ts';
import { Engine } from './kernel.ts';
import { seedOrderBooks } from './resume-restore.ts';

/** The list each order probe logged at teardown, by strategy name. */
function sequences(log: MemoryLogger): Record<string, string[]> {
  return Object.fromEntries(
    log.records
      .filter((r) => r.msg === 'order-probe')
      .map((r) => {
        const f = r.fields as { strategy: string; seq: string[] };
        return [f.strategy, f.seq];
      }),
  );
}

const order = (side: 'BUY' | 'SELL', quantity: number, more: Record<string, unknown> = {}) => ({
  do: 'order',
  symbol: 'X',
  side,
  quantity,
  ...more,
});

/** Six rising minute bars of X (open 100 + 2i, close 101 + 2i), and a script of market, limit and stop orders. */
const scripted = (isolation: 'inline' | 'thread', extra: Record<string, unknown> = {}) =>
  fixtureSession({
    data: { X: risingBars(6) },
    strategies: [
      {
        module: 'order_probe',
        name: 'p',
        isolation,
        config: {
          symbols: ['X'],
          interval: '1m',
          actions: {
            1: [order('BUY', 10), order('BUY', 5, { orderType: 'limit', price: 90 }), order('SELL', 20)],
            3: [order('BUY', 1, { orderType: 'stop', price: 107 })],
            5: [{ do: 'target_percent', symbol: 'X', fraction: 0.05 }],
          },
          ...extra,
        },
      },
    ],
  });

const SHORT = 'selling 20 with 10 held would open a short position; set broker.allow_short to allow it';

/**
 * By hand: bar i opens at 100 + 2i and closes at 101 + 2i, stamped 00:0(i+1). Orders sent on bar 0 are
 * accepted at the end of that step and heard of at the next one, with bar 1's fills (at its open, 102):
 * the buy of 10 fills, the sell of 20 would go short and is rejected, the limit at 90 waits. The stop at
 * 107 sent on bar 2 fills on bar 3 (open 106, high 107) at 107. On bar 4 the 5 % target is
 * round(0.05 x 100 072.00) = 5 003.60 / 109 = 45 shares, 34 more, filled at bar 5's open, 110.
 */
const EXPECTED = [
  '2024-01-02 00:01 bars 1 X pos=0 cash=100000.00 equity=100000.00 open=[]',
  '2024-01-02 00:02 order accepted #1 buy 10 market open open=1',
  '2024-01-02 00:02 order accepted #2 buy 5 limit open open=2',
  '2024-01-02 00:02 order accepted #3 sell 20 market open open=3',
  '2024-01-02 00:02 order filled #1 buy 10 market filled open=2',
  '2024-01-02 00:02 fill #1 buy 10@102',
  `2024-01-02 00:02 order rejected #3 sell 20 market rejected (${SHORT}) open=1`,
  '2024-01-02 00:02 bars 2 X pos=10 cash=98980.00 equity=100010.00 open=[#2]',
  '2024-01-02 00:03 bars 3 X pos=10 cash=98980.00 equity=100030.00 open=[#2]',
  '2024-01-02 00:04 order accepted #4 buy 1 stop open open=2',
  '2024-01-02 00:04 order filled #4 buy 1 stop filled open=1',
  '2024-01-02 00:04 fill #4 buy 1@107',
  '2024-01-02 00:04 bars 4 X pos=11 cash=98873.00 equity=100050.00 open=[#2]',
  '2024-01-02 00:05 bars 5 X pos=11 cash=98873.00 equity=100072.00 open=[#2]',
  'target X 0.05: BUY 34',
  '2024-01-02 00:06 order accepted #5 buy 34 market open open=2',
  '2024-01-02 00:06 order filled #5 buy 34 market filled open=1',
  '2024-01-02 00:06 fill #5 buy 34@110',
  '2024-01-02 00:06 bars 6 X pos=45 cash=95133.00 equity=100128.00 open=[#2]',
];

describe('order events to strategies', () => {
  it('delivers a step’s order events and fills, in the order they happened, after its fills and before its onBars', async () => {
    const { log, result } = await runSession(scripted('inline'), 'events-inline');
    expect(sequences(log)).toEqual({ p: EXPECTED });
    // The limit order still working at the end is cancelled ("run ended"), and that is not delivered.
    expect(result.strategies).toEqual([expect.objectContaining({ name: 'p', errors: 0 })]);
  });

  it('gives a strategy in a thread the same sequence, equity and sizing as inline', async () => {
    const { log } = await runSession(scripted('thread'), 'events-thread');
    expect(sequences(log)).toEqual({ p: EXPECTED });
  });

  it('counts an exception in onOrder or onFill as the strategy’s error and goes on with the next event', async () => {
    const { log, result } = await runSession(
      scripted('inline', { throw_in: ['onOrder', 'onFill'] }),
      'events-throw',
    );
    expect(sequences(log)).toEqual({ p: EXPECTED });
    // Nine order events and three fills, each one an error; the first five are logged.
    expect(result.strategies).toEqual([expect.objectContaining({ name: 'p', errors: 12 })]);
    expect(log.records.filter((r) => r.level === 'error').map((r) => r.msg)).toEqual([
      'strategy p: onOrder(accepted o1) threw: onOrder failed on #1',
      'strategy p: onOrder(accepted o2) threw: onOrder failed on #2',
      'strategy p: onOrder(accepted o3) threw: onOrder failed on #3',
      'strategy p: onOrder(filled o1) threw: onOrder failed on #1',
      'strategy p: onFill(order #1) threw: onFill failed on #1',
    ]);
  });
});

/** The order probe over the bundled ORCL daily bars, rooted at the fixture project. */
function orclSession(isolation: 'inline' | 'thread'): LoadedSession {
  const config = parseSessionConfig({
    name: 'orcl-events',
    data: [
      {
        symbol: 'ORCL',
        file: resolve(ROOT, 'data/daily/orcl-1995-2014.txt'),
        format: 'yahoo',
        calendar: 'us_equities',
      },
    ],
    strategies: [
      {
        module: 'strategies/order_probe',
        name: 'orcl',
        isolation,
        config: {
          symbols: ['ORCL'],
          interval: '1d',
          bars_until: 6,
          actions: {
            1: [{ ...order('BUY', 100), symbol: 'ORCL' }],
            2: [{ ...order('BUY', 50, { orderType: 'limit', price: 2.07 }), symbol: 'ORCL' }],
            4: [{ ...order('SELL', 100, { orderType: 'stop', price: 2.0 }), symbol: 'ORCL' }],
            5: [{ ...order('SELL', 500), symbol: 'ORCL' }],
          },
        },
      },
    ],
    broker: { initial_cash: 100000, commission: { per_share: 0, bps: 0 }, slippage_bps: 0 },
  });
  return { config, name: 'orcl-events', file: resolve(FIXTURE_ROOT, 'orcl-events.json'), root: FIXTURE_ROOT };
}

describe('order events on bundled bars', () => {
  it('gives the same onOrder/onFill sequence in a thread as inline over ORCL (market, limit, stop, a rejection)', async () => {
    const inline = sequences((await runSession(orclSession('inline'), 'orcl-inline')).log);
    const thread = sequences((await runSession(orclSession('thread'), 'orcl-thread')).log);
    // By hand from the file: 1995-01-04 opens at 2.123457; 01-06 trades down to 2.061728 through the limit
    // at 2.07; 01-16 reaches the stop at 2.0. Selling 500 with 150 held would go short: rejected.
    expect(inline).toEqual({
      orcl: [
        '1995-01-03 21:00 bars 1 ORCL pos=0 cash=100000.00 equity=100000.00 open=[]',
        '1995-01-04 21:00 order accepted #1 buy 100 market open open=1',
        '1995-01-04 21:00 order filled #1 buy 100 market filled open=0',
        '1995-01-04 21:00 fill #1 buy 100@2.123457',
        '1995-01-04 21:00 bars 2 ORCL pos=100 cash=99787.65 equity=100001.23 open=[]',
        '1995-01-05 21:00 order accepted #2 buy 50 limit open open=1',
        '1995-01-05 21:00 bars 3 ORCL pos=100 cash=99787.65 equity=99996.91 open=[#2]',
        '1995-01-06 21:00 order filled #2 buy 50 limit filled open=0',
        '1995-01-06 21:00 fill #2 buy 50@2.07',
        '1995-01-06 21:00 bars 4 ORCL pos=150 cash=99684.15 equity=100001.75 open=[]',
        '1995-01-09 21:00 order accepted #3 sell 100 stop open open=1',
        '1995-01-09 21:00 bars 5 ORCL pos=150 cash=99684.15 equity=100011.01 open=[#3]',
        '1995-01-10 21:00 order accepted #4 sell 500 market open open=2',
        '1995-01-10 21:00 order rejected #4 sell 500 market rejected (selling 500 with 150 held would open a short position; set broker.allow_short to allow it) open=1',
        '1995-01-10 21:00 bars 6 ORCL pos=150 cash=99684.15 equity=100011.93 open=[#3]',
        '1995-01-16 21:00 order filled #3 sell 100 stop filled open=0',
        '1995-01-16 21:00 fill #3 sell 100@2',
      ],
    });
    expect(thread).toEqual(inline);
  });
});

/**
 * X has bars at 00:01-00:03 only; Y (falling: open 60 - 2i, close 59 - 2i) goes on to 00:06. The strategy
 * listens to X and buys Y with a limit at 52.5, which bar 4 of Y (00:05, open 52) fills at its open: the
 * strategy has no bar in that step and still hears of the fill in it.
 */
const noBarSession = (isolation: 'inline' | 'thread') =>
  fixtureSession({
    data: {
      X: risingBars(3),
      Y: minuteBars(Array.from({ length: 6 }, (_, i) => ({ open: 60 - 2 * i, close: 59 - 2 * i }))),
    },
    strategies: [
      {
        module: 'order_probe',
        name: 'p',
        isolation,
        config: {
          symbols: ['X'],
          interval: '1m',
          actions: { 1: [{ ...order('BUY', 5, { orderType: 'limit', price: 52.5 }), symbol: 'Y' }] },
        },
      },
    ],
  });

describe('order events in a step without bars', () => {
  const expected = [
    '2024-01-02 00:01 bars 1 X pos=0 cash=100000.00 equity=100000.00 open=[]',
    '2024-01-02 00:02 order accepted #1 buy 5 limit open open=1',
    '2024-01-02 00:02 bars 2 X pos=0 cash=100000.00 equity=100000.00 open=[#1]',
    '2024-01-02 00:03 bars 3 X pos=0 cash=100000.00 equity=100000.00 open=[#1]',
    '2024-01-02 00:05 order filled #1 buy 5 limit filled open=0',
    '2024-01-02 00:05 fill #1 buy 5@52',
  ];

  it('hands an inline strategy its events in the step they are due, bar or not', async () => {
    expect(sequences((await runSession(noBarSession('inline'), 'nobar-inline')).log)).toEqual({
      p: expected,
    });
  });

  it('notifies a thread for events only', async () => {
    expect(sequences((await runSession(noBarSession('thread'), 'nobar-thread')).log)).toEqual({
      p: expected,
    });
  });
});

describe('a resumed run’s order books', () => {
  /** A limit buy far below the market, as a resumed run's stored working order. */
  const stored: Order = {
    id: 42,
    account: 'default',
    strategy: 'p',
    symbol: 'X',
    side: 'buy',
    quantity: 3,
    type: 'limit',
    price: 50,
    tsCreated: 0,
    status: 'open',
    ref: 'o1',
  };

  for (const isolation of ['inline', 'thread'] as const) {
    it(`holds the restored working orders, with no events, in ${isolation === 'inline' ? 'an inline strategy' : 'a thread'}`, async () => {
      const log = new MemoryLogger();
      const engine = await Engine.create({
        session: fixtureSession({
          data: { X: risingBars(2) },
          strategies: [
            { module: 'order_probe', name: 'p', isolation, config: { symbols: ['X'], interval: '1m' } },
          ],
        }),
        runId: `seeded-${isolation}`,
        logger: log,
      });
      engine.broker.restoreWorking([stored]);
      seedOrderBooks(engine.accounts, engine.strategies);
      await engine.run();
      await engine.stop();
      expect(sequences(log)).toEqual({
        p: [
          '2024-01-02 00:01 bars 1 X pos=0 cash=100000.00 equity=100000.00 open=[#42]',
          '2024-01-02 00:02 bars 2 X pos=0 cash=100000.00 equity=100000.00 open=[#42]',
        ],
      });
    });
  }
});

/**
 * A market buy, a limit far below and a market entry with a bracket (stop 90, target 105) on bar 0; on
 * bar 1 the limit is cancelled and so is the market buy, which filled at bar 1's open: that cancel is
 * refused. Bar 2 (open 104, high 105) reaches the target, whose fill cancels the stop.
 */
const managed = (isolation: 'inline' | 'thread') =>
  fixtureSession({
    data: { X: risingBars(5) },
    strategies: [
      {
        module: 'order_probe',
        name: 'p',
        isolation,
        config: {
          symbols: ['X'],
          interval: '1m',
          actions: {
            1: [
              order('BUY', 10, { ref: 'm' }),
              order('BUY', 5, { orderType: 'limit', price: 90, ref: 'lim' }),
              order('BUY', 4, { ref: 'br', stopLoss: 90, takeProfit: 105 }),
            ],
            2: [
              { do: 'cancel', ref: 'lim' },
              { do: 'cancel', ref: 'm' },
            ],
          },
        },
      },
    ],
  });

describe('order events of cancels and brackets', () => {
  it('gives a thread the same sequence as inline with a bracket, a cancel and a refused cancel', async () => {
    const inline = sequences((await runSession(managed('inline'), 'managed-inline')).log);
    const thread = sequences((await runSession(managed('thread'), 'managed-thread')).log);
    expect(thread).toEqual(inline);
    // By hand: #1 and #3 fill at bar 1's open (102); the bracket's legs work from bar 2, whose high (105)
    // reaches the target: its fill cancels the stop. The cancel of #1 comes after its fill and is refused.
    expect(inline).toEqual({
      p: [
        '2024-01-02 00:01 bars 1 X pos=0 cash=100000.00 equity=100000.00 open=[]',
        '2024-01-02 00:02 order accepted #1 buy 10 market open open=1',
        '2024-01-02 00:02 order accepted #2 buy 5 limit open open=2',
        '2024-01-02 00:02 order accepted #3 buy 4 market open open=3',
        '2024-01-02 00:02 order filled #1 buy 10 market filled open=2',
        '2024-01-02 00:02 fill #1 buy 10@102',
        '2024-01-02 00:02 order filled #3 buy 4 market filled open=1',
        '2024-01-02 00:02 fill #3 buy 4@102',
        '2024-01-02 00:02 order accepted #4 sell 4 stop open parent=#3 open=2',
        '2024-01-02 00:02 order accepted #5 sell 4 limit open parent=#3 open=3',
        '2024-01-02 00:02 bars 2 X pos=14 cash=98572.00 equity=100014.00 open=[#2 #4 #5]',
        '2024-01-02 00:03 order cancelled #2 buy 5 limit cancelled (cancelled by the strategy) open=2',
        '2024-01-02 00:03 order cancel_rejected #1 buy 10 market filled (order 1 was filled at 2024-01-02T00:02:00Z) open=2',
        '2024-01-02 00:03 order filled #5 sell 4 limit filled parent=#3 open=1',
        '2024-01-02 00:03 fill #5 sell 4@105',
        '2024-01-02 00:03 order cancelled #4 sell 4 stop cancelled parent=#3 (OCO: its sibling order 5 (br:tp) filled) open=0',
        '2024-01-02 00:03 bars 3 X pos=10 cash=98992.00 equity=100042.00 open=[]',
        '2024-01-02 00:04 bars 4 X pos=10 cash=98992.00 equity=100062.00 open=[]',
        '2024-01-02 00:05 bars 5 X pos=10 cash=98992.00 equity=100082.00 open=[]',
      ],
    });
  });
});
