// A strategy's book of working orders, built from its delivered order updates.
import { describe, expect, it } from 'vitest';
import type { Order, OrderEvent } from '../../model/order.ts';
import { OrderBook } from './order-book.ts';
import { OrderEventQueue } from './order-events.ts';

const order = (id: number, more: Partial<Order> = {}): Order => ({
  id,
  account: 'default',
  strategy: 's',
  symbol: 'X',
  side: 'buy',
  quantity: 10,
  type: 'limit',
  price: 50,
  tsCreated: 0,
  status: 'open',
  ...more,
});

describe('OrderBook', () => {
  it('lists an order from accepted, as its updates leave it, until filled, cancelled or rejected', () => {
    const book = new OrderBook();
    const seen: string[] = [];
    const apply = (event: OrderEvent, o: Order) => {
      book.apply({ event, order: o });
      seen.push(
        `${event} #${o.id}: ${book
          .orders()
          .map((w) => `#${w.id} ${w.quantity}@${w.price}`)
          .join(', ')}`,
      );
    };
    apply('accepted', order(1));
    apply('accepted', order(3, { type: 'stop_limit', stopPrice: 55 }));
    apply('accepted', order(2));
    apply('replaced', order(1, { price: 49 }));
    apply('partially_filled', order(2, { filledQuantity: 4 }));
    apply('triggered', order(3, { triggered: true, price: 56 }));
    apply('cancel_rejected', order(9, { status: 'filled' }));
    apply('replace_rejected', order(1, { price: 1 }));
    apply('filled', order(2, { status: 'filled' }));
    apply('cancelled', order(1, { status: 'cancelled' }));
    apply('rejected', order(3, { status: 'rejected' }));
    apply('rejected', order(4, { status: 'rejected' }));
    expect(seen).toEqual([
      'accepted #1: #1 10@50',
      'accepted #3: #1 10@50, #3 10@50',
      'accepted #2: #1 10@50, #2 10@50, #3 10@50',
      'replaced #1: #1 10@49, #2 10@50, #3 10@50',
      'partially_filled #2: #1 10@49, #2 10@50, #3 10@50',
      'triggered #3: #1 10@49, #2 10@50, #3 10@56',
      'cancel_rejected #9: #1 10@49, #2 10@50, #3 10@56',
      'replace_rejected #1: #1 10@49, #2 10@50, #3 10@56',
      'filled #2: #1 10@49, #3 10@56',
      'cancelled #1: #3 10@56',
      'rejected #3: ',
      'rejected #4: ',
    ]);
  });

  it('hands out the same array until the book changes', () => {
    const book = new OrderBook();
    expect(book.orders()).toEqual([]);
    book.apply({ event: 'accepted', order: order(1) });
    const first = book.orders();
    expect(book.orders()).toBe(first);
    book.apply({ event: 'partially_filled', order: order(1, { filledQuantity: 3 }) });
    expect(book.orders()).not.toBe(first);
    expect(book.orders()).toEqual([order(1, { filledQuantity: 3 })]);
  });

  it('is seeded with a resumed run’s open orders only, without events', () => {
    const book = new OrderBook();
    book.seed([order(5), order(2, { status: 'filled' }), order(3)]);
    expect(book.orders()).toEqual([order(3), order(5)]);
  });
});

describe('OrderEventQueue', () => {
  it('queues each tracked strategy’s updates and fills in the order they happen, and hands them over once', () => {
    const q = new OrderEventQueue();
    q.track('s');
    q.onOrder(order(1), 'accepted');
    q.onOrder(order(2, { strategy: 'other' }), 'accepted');
    q.onOrder(order(1, { status: 'filled' }), 'filled');
    const fill = {
      id: 1,
      orderId: 1,
      account: 'default',
      strategy: 's',
      symbol: 'X',
      side: 'buy' as const,
      quantity: 10,
      price: 50,
      commission: 0,
      ts: 60_000,
    };
    q.onFill(fill);
    q.onOrder(order(3), 'cancel_rejected', 'order #3 is not working');
    expect(q.pending).toBe(4);
    expect(q.take('s')).toEqual([
      { type: 'order', update: { event: 'accepted', order: order(1) } },
      { type: 'order', update: { event: 'filled', order: order(1, { status: 'filled' }) } },
      { type: 'fill', fill },
      {
        type: 'order',
        update: { event: 'cancel_rejected', order: order(3), reason: 'order #3 is not working' },
      },
    ]);
    expect([q.pending, q.take('s'), q.take('other')]).toEqual([0, [], []]);
  });
});
