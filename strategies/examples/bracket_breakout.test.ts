// The bracket breakout example on the bundled ORCL bars, driven bar by bar through a real context: the
// entries it sends (sized from equity, with their exits), the stale entry it cancels by its ref, and how
// its order events free it to enter again.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.ts';
import { BarSeries } from '../../src/data/session-data.ts';
import { readYahooDaily } from '../../src/indicators/bars.fixture.ts';
import type { Order, OrderEvent } from '../../src/model/order.ts';
import type { Signal } from '../../src/model/signal.ts';
import { strategyContext } from '../../src/strategy/host/context.ts';
import { backtest } from '../../test/helpers.ts';
import { OrderBook } from '../../src/strategy/host/order-book.ts';
import { BracketBreakoutStrategy, configSchema } from './bracket_breakout.ts';

const ORCL = readYahooDaily('daily/orcl-1995-2014.txt');

/** Runs the strategy over the first `count` ORCL bars; `events` are delivered before the bar they name. */
function drive(
  count: number,
  events: Readonly<Record<number, readonly { event?: OrderEvent; ref?: string; position?: number }[]>> = {},
) {
  const series = new BarSeries('ORCL', '1d');
  const book = new OrderBook();
  let position = 0;
  const strategy = new BracketBreakoutStrategy(configSchema.parse({ symbols: ['ORCL'] }), 'bb');
  const ctx = strategyContext({
    name: 'bb',
    log: silentLogger,
    subscribes: () => true,
    series: () => series.descriptor,
    quality: () => 100,
    calendar: () => undefined,
    position: () => position,
    cash: () => 100_000,
    equity: () => 100_000,
    lastClose: () => series.closeAt(series.written - 1),
    openOrders: () => book.orders(),
    now: () => 0,
  });
  strategy.attach(ctx);
  const sent: Signal[] = [];
  const out: [string, Signal][] = [];
  for (let i = 0; i < count; i++) {
    for (const e of events[i] ?? []) {
      if (e.position !== undefined) position = e.position;
      if (e.event === undefined || e.ref === undefined) continue;
      const signal = sent.find((s) => s.ref === e.ref)!;
      const order: Order = {
        id: sent.indexOf(signal) + 1,
        account: 'default',
        strategy: 'bb',
        symbol: 'ORCL',
        side: 'buy',
        quantity: signal.quantity!,
        type: 'limit',
        price: signal.price!,
        tsCreated: 0,
        status: e.event === 'accepted' ? 'open' : e.event === 'filled' ? 'filled' : 'cancelled',
        ref: e.ref,
      };
      book.apply({ event: e.event, order });
      strategy.onOrder({ event: e.event, order });
    }
    series.append(i, ORCL.open[i]!, ORCL.high[i]!, ORCL.low[i]!, ORCL.close[i]!, ORCL.volume[i]!);
    for (const s of strategy.onBars('ORCL', '1d')) {
      sent.push(s);
      out.push([ORCL.date[i]!, s]);
    }
  }
  return out;
}

const entry = (quantity: number, price: number, stopLoss: number, takeProfit: number, ref: string) => ({
  symbol: 'ORCL',
  action: 'BUY',
  quantity,
  orderType: 'limit',
  price,
  bracket: { stopLoss, takeProfit },
  reason: 'breakout',
  ref,
});
const cancel = (ref: string) => ({ symbol: 'ORCL', action: 'CANCEL', ref, reason: 'stale entry' });

describe('bracket_breakout on ORCL', () => {
  // By hand from the file: 1995-02-15 closes at 2.259259, above 2.240741, the highest high of the 20 bars
  // before it. 10 % of 100 000.00 at that close is 4 426 shares (10 000 / 2.259259 = 4426.2); the stop is
  // 3 % below (2.1915 -> 2.19), the target 6 % above (2.3948 -> 2.39).
  const first = ['1995-02-15', entry(4426, 2.259259, 2.19, 2.39, 'o1')];

  it('sends a limit entry at the breakout close with its exits, and cancels it by its ref three bars on', () => {
    // No event comes: the cancel goes once, and no other entry is sent while the first may still work.
    expect(drive(120)).toEqual([first, ['1995-02-21', cancel('o1')]]);
  });

  it('enters again once its order events say the stale entry is cancelled', () => {
    // Cancelled, heard of before the bar of 02-22, which closes at 2.327161 above 2.296296 (02-21's high):
    // 10 000 / 2.327161 = 4297.07 shares.
    const run = drive(120, {
      32: [{ event: 'accepted', ref: 'o1' }],
      35: [{ event: 'cancelled', ref: 'o1' }],
    });
    expect(run).toEqual([
      first,
      ['1995-02-21', cancel('o1')],
      ['1995-02-22', entry(4297, 2.327161, 2.26, 2.47, 'o2')],
      ['1995-02-27', cancel('o2')],
    ]);
  });

  it('waits while the filled entry’s exits work, and breaks out again once flat', () => {
    // Filled on 02-16; flat again from 03-01. 03-03 closes at 2.435185 above 2.379630 (02-23's high):
    // 10 000 / 2.435185 = 4106.5 shares.
    const run = drive(120, {
      32: [
        { event: 'accepted', ref: 'o1' },
        { event: 'filled', ref: 'o1', position: 4426 },
      ],
      40: [{ position: 0 }],
    });
    expect(run).toEqual([
      first,
      ['1995-03-03', entry(4106, 2.435185, 2.36, 2.58, 'o2')],
      ['1995-03-08', cancel('o2')],
    ]);
  });
});

describe('bracket_breakout: a whole run on ORCL', () => {
  const run = (isolation: 'inline' | 'thread') =>
    backtest(
      {
        data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
        strategies: [{ type: 'bracket_breakout', isolation, config: { symbols: ['ORCL'] } }],
      },
      `bracket-breakout-${isolation}`,
    );

  it('enters at its limit or a lower open and leaves at its target or its stop, as the file says', async () => {
    const { result } = await run('inline');
    // By hand from the file: 1995-02-15 closes at 2.259259 above the 20 bars before; 10 % of 100,000 buys
    // 4426 shares, filled at the limit on 02-16; the target cents(2.259259 x 1.06) = 2.39 is reached on
    // 03-03. That close (2.435185) breaks out again: 4130 shares (10 % of 100,578.66), filled at 03-06's
    // open 2.416667 under the limit; the stop cents(2.435185 x 0.97) = 2.36 is reached on 03-23.
    expect(result.trades.slice(0, 2).map(({ pnl: _pnl, ...t }) => t)).toEqual([
      {
        strategy: 'bracket_breakout',
        symbol: 'ORCL',
        direction: 'long',
        quantity: 4426,
        entry_time: '1995-02-16T21:00:00.000Z',
        entry_price: 2.259259,
        exit_time: '1995-03-03T21:00:00.000Z',
        exit_price: 2.39,
        commission: 0,
        bars: 10,
      },
      {
        strategy: 'bracket_breakout',
        symbol: 'ORCL',
        direction: 'long',
        quantity: 4130,
        entry_time: '1995-03-06T21:00:00.000Z',
        entry_price: 2.416667,
        exit_time: '1995-03-23T21:00:00.000Z',
        exit_price: 2.36,
        commission: 0,
        bars: 13,
      },
    ]);
    // 4426 x (2.39 - 2.259259) and 4130 x (2.36 - 2.416667).
    expect(result.trades.slice(0, 2).map((t) => t.pnl)).toEqual([
      expect.closeTo(578.659666, 6),
      expect.closeTo(-234.03471, 6),
    ]);
    expect(result.trades).toHaveLength(182);
    expect(result.final_value).toBeCloseTo(89_882.44, 2);
    expect(result.rejected_orders).toEqual([]);
  });

  it('trades the same in a thread', async () => {
    const [inline, thread] = await Promise.all([run('inline'), run('thread')]);
    expect(thread.result.trades).toEqual(inline.result.trades);
    expect(thread.result.orders).toEqual(inline.result.orders);
  });
});
