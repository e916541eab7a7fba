// Working orders with every managed field (part filled, triggered, bracket exits in an OCO pair, DAY, trailing)
// go through a store and back into a resumed run's accounts, which then go on as if never stopped.
import { describe, expect, it } from 'vitest';
import { BrokerSchema } from '../config/session-config.ts';
import type { BarPrices } from '../execution/broker.ts';
import { barsFrom, bundledBars } from '../execution/broker.fixture.ts';
import type { AccountState } from '../model/live-state.ts';
import type { Order } from '../model/order.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import type { RunStore } from '../storage/store.ts';
import { aBatch, aRun } from '../storage/store.fixture.ts';
import { AccountBook } from './accounts.ts';

// DBB on 2024-04-01: 13:31 18.02 (1907), 13:32 18.04..18.06 (7276), 13:33 18.05..18.08 (14845), 13:36 18.035 (342),
// 13:38 18.05 (2120), 13:39 18.11 (180), 13:40 18.0631 (160), 13:49 18.0601..18.07 (300), 13:52 18.08, 13:53 18.105.
const BARS = barsFrom(bundledBars('DBB_1min.csv'), '2024-04-01T13:31:00Z', 10);

/** An account book over DBB (a tenth of each bar's volume), whose events are lines and whose orders a map keeps. */
function book() {
  const lines: string[] = [];
  const orders = new Map<number, Order>();
  const accounts = new AccountBook({
    terms: [{ name: 'default', ...BrokerSchema.parse({ max_volume_share: 0.1, intrabar: 'best' }) }],
    symbols: ['DBB'],
    listeners: [
      {
        onOrder: (o, event, reason) => {
          orders.set(o.id, o);
          lines.push(`order ${o.id} ${event}${reason === undefined ? '' : `: ${reason}`}`);
        },
        onFill: (f, position) =>
          lines.push(`fill ${f.id} of ${f.orderId}: ${f.quantity} @ ${f.price} -> ${position}`),
        onTrade: (t) => lines.push(`trade ${t.id}: ${t.quantity}, pnl ${t.pnl}`),
      },
    ],
  });
  const { broker, portfolio } = accounts.primary;
  const play = (bars: readonly BarPrices[], first: number) =>
    bars.forEach((b, k) => {
      broker.onBar(0, b, first + k);
      portfolio.mark(0, b.close);
    });
  return { accounts, broker, lines, orders, play };
}

function roundTrip(store: RunStore, orders: readonly Order[]): Order[] {
  store.startRun(aRun());
  store.writeBatch('run-1', aBatch({ orders }));
  const read = store.readRun('run-1')!.orders;
  store.close();
  return read.filter((o) => o.status === 'open');
}

describe('a resumed run takes back its managed working orders', () => {
  it.each<[string, () => RunStore]>([
    ['the memory store', () => new MemoryStore()],
    ['SQLite', () => new SqliteStore(':memory:')],
  ])('through %s, and they go on as if never stopped', (_name, makeStore) => {
    const a = book();
    const t0 = BARS[0]!.ts;
    a.broker.submit(
      {
        strategy: 's',
        symbol: 'DBB',
        side: 'buy',
        quantity: 30,
        type: 'market',
        ref: 'e',
        bracket: { stopLoss: 17.9, takeProfit: 18.1 },
      },
      t0 - 60_000,
    );
    a.broker.submit(
      { strategy: 's', symbol: 'DBB', side: 'buy', quantity: 2500, type: 'market' },
      t0 - 60_000,
    );
    a.broker.submit(
      {
        strategy: 's',
        symbol: 'DBB',
        side: 'buy',
        quantity: 5,
        type: 'stop_limit',
        stopPrice: 18.06,
        price: 18.0631,
      },
      t0 - 60_000,
    );
    a.broker.submit(
      {
        strategy: 's',
        symbol: 'DBB',
        side: 'buy',
        quantity: 5,
        type: 'limit',
        price: 17,
        timeInForce: 'DAY',
      },
      t0 - 60_000,
    );
    // 13:31 (room 190.7): the entry fills its 30 and places its exits, the big order takes 160; 13:32 (room
    // 727.6): the big order takes 727 more; the stop-limit triggers inside 13:32 (high 18.06).
    a.play(BARS.slice(0, 2), 1);
    const working = [...a.orders.values()].filter((o) => o.status === 'open');
    expect(working.map((o) => [o.id, o.type, o.filledQuantity, o.triggered, o.ocoId, o.timeInForce])).toEqual(
      [
        [2, 'market', 887, undefined, undefined, undefined],
        [3, 'stop_limit', undefined, true, undefined, undefined],
        [4, 'limit', undefined, undefined, undefined, 'DAY'],
        [5, 'stop', undefined, undefined, 6, undefined],
        [6, 'limit', undefined, undefined, 5, undefined],
      ],
    );
    const stored = roundTrip(makeStore(), [...a.orders.values()]);
    expect(stored).toEqual(working);

    const b = book();
    const states = JSON.parse(JSON.stringify(a.accounts.states())) as AccountState[];
    b.accounts.restore(states, stored, a.accounts.ids);
    expect(b.broker.openOrders()).toEqual(a.broker.openOrders());
    const mark = a.lines.length;
    for (const x of [a, b]) {
      x.play(BARS.slice(2), 3);
      x.broker.endSession(BARS.at(-1)!.ts);
    }
    expect(b.lines).toEqual(a.lines.slice(mark));
    expect(b.lines).toContain('order 4 cancelled: DAY order: its session closed');
    expect(b.lines.filter((l) => l.startsWith('trade'))).toHaveLength(0);
    expect(b.accounts.primary.portfolio.cash).toBe(a.accounts.primary.portfolio.cash);
  });
});
