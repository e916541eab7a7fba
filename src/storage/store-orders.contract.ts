// The part of the store contract about managed orders: every field an order can carry (ref, time in force,
// triggers, trails, partial fills, brackets, OCO links, risk rule) is stored, read back and checked.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Order } from '../model/order.ts';
import type { SignalRecord } from '../model/run.ts';
import type { RunStore, StoredRun } from './store.ts';
import { aBatch, aFill, anOrder, aRun } from './store.fixture.ts';

/** A working stop-limit entry with every field an order can carry. */
const managed = (): Order => {
  const { tsClosed: _, ...open } = anOrder({
    id: 2,
    type: 'stop_limit',
    quantity: 300,
    price: 101.5,
    status: 'open',
    ref: 'entry-1',
    timeInForce: 'DAY',
    stopPrice: 101.25,
    triggered: true,
    filledQuantity: 120,
    avgFillPrice: 101.4375,
    bracket: { stopLoss: 99.5, takeProfit: 104 },
  });
  return open;
};

/** Registers the managed-order tests for a store; `makeStore` returns a new, empty store. */
export function orderFieldsContract(name: string, makeStore: () => RunStore): void {
  describe(`RunStore contract, managed orders: ${name}`, () => {
    let store: RunStore;
    beforeEach(() => {
      store = makeStore();
      store.startRun(aRun());
    });
    afterEach(() => {
      store.close();
    });
    const read = (): StoredRun => store.readRun('run-1')!;

    it('round-trips every field of a managed order, and leaves absent ones absent', () => {
      const orders: Order[] = [
        anOrder({ ref: '#1' }),
        managed(),
        anOrder({ id: 3, side: 'sell', type: 'stop', price: 99.5, ref: 'entry-1:sl', parentId: 2, ocoId: 4 }),
        anOrder({ id: 4, side: 'sell', type: 'limit', price: 104, ref: 'entry-1:tp', parentId: 2, ocoId: 3 }),
        anOrder({ id: 5, type: 'trailing_stop', side: 'sell', stopPrice: 98.02, trailPercent: 2 }),
        anOrder({ id: 6, type: 'trailing_stop', side: 'sell', stopPrice: 99.75, trailAmount: 0.5 }),
        anOrder({ id: 7, type: 'limit', price: 100, timeInForce: 'IOC', bracket: { takeProfit: 105 } }),
        anOrder({ id: 8, timeInForce: 'FOK', type: 'limit', price: 100, bracket: { stopLoss: 95 } }),
        anOrder({
          id: 9,
          status: 'rejected',
          reason: 'max_open_orders: 3 working, the limit is 3',
          riskRule: 'max_open_orders',
        }),
      ];
      store.writeBatch('run-1', aBatch({ orders }));
      expect(read().orders).toStrictEqual(orders);
    });

    it('updates the fields of an order written again: a partial fill, then the whole', () => {
      const first = managed();
      store.writeBatch('run-1', aBatch({ orders: [anOrder(), first] }));
      const filled: Order = {
        ...first,
        status: 'filled',
        tsClosed: 9,
        filledQuantity: 300,
        avgFillPrice: 101.45,
      };
      store.writeBatch('run-1', aBatch({ orders: [filled], fills: [aFill({ id: 2, orderId: 2 })] }));
      expect(read().orders).toStrictEqual([anOrder(), filled]);
    });

    it('stores signals that cancel and replace, and the newer order types', () => {
      const signals: SignalRecord[] = [
        { ts: 1, strategy: 'sma', signal: { symbol: 'ORCL', action: 'CANCEL' } },
        { ts: 2, strategy: 'sma', signal: { symbol: 'ORCL', action: 'REPLACE', price: 101, quantity: 5 } },
        {
          ts: 3,
          strategy: 'sma',
          signal: { symbol: 'ORCL', action: 'BUY', quantity: 1, orderType: 'stop_limit' },
        },
        {
          ts: 4,
          strategy: 'sma',
          signal: { symbol: 'ORCL', action: 'SELL', quantity: 1, orderType: 'trailing_stop' },
        },
      ];
      store.writeBatch('run-1', aBatch({ signals }));
      expect(read().signals).toStrictEqual(signals);
    });

    it('skips an order whose new fields are not what they must be, naming the field, and keeps the rest', () => {
      const bad = [
        anOrder({ id: 2, timeInForce: 'WEEK' as never }),
        anOrder({ id: 3, filledQuantity: Number.NaN }),
        anOrder({ id: 4, bracket: { stopLoss: Number.NaN } }),
        anOrder({ id: 5, triggered: 'yes' as never }),
        anOrder({ id: 6, ocoId: '3' as never }),
        anOrder({ id: 7, ref: 7 as never }),
        anOrder({ id: 8, type: 'iceberg' as never }),
      ];
      store.writeBatch('run-1', aBatch({ orders: [anOrder(), ...bad] }));
      const run = read();
      expect(run.orders).toStrictEqual([anOrder()]);
      expect(run.skipped.map((k) => [k.row, k.field, k.value, k.reason])).toStrictEqual([
        ['order 2', 'timeInForce', '"WEEK"', 'timeInForce is not one of GTC, DAY, IOC, FOK'],
        ['order 3', 'filledQuantity', 'NaN', 'filledQuantity is not a number'],
        ['order 4', 'bracket.stopLoss', 'NaN', 'bracket.stopLoss is not a number'],
        ['order 5', 'triggered', '"yes"', 'triggered is not true (leave it out when false)'],
        ['order 6', 'ocoId', '"3"', 'ocoId is not a number'],
        ['order 7', 'ref', '7', 'ref is not a string'],
        ['order 8', 'type', '"iceberg"', 'type is not one of market, limit, stop, stop_limit, trailing_stop'],
      ]);
    });
  });
}
