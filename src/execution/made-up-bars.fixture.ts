// Builders for paper broker tests on made-up bars: a broker over symbols X and Y, a listener that keeps
// every event, a market buy with defaults, and a bar given by its open (high and low default to it).
import type { Fill, Order, Trade } from '../model/order.ts';
import type { ExecutionListener, OrderRequest } from './broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';
import { PaperBroker } from './paper-broker.ts';
import { Portfolio } from './portfolio.ts';

export const T0 = Date.UTC(2024, 0, 2, 14, 30);
export const MIN = 60_000;

/** Keeps every event the broker reports, in order. */
export class RecordingSink implements ExecutionListener {
  readonly orderEvents: Order[] = [];
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  onOrder(order: Order): void {
    this.orderEvents.push(order);
  }
  onFill(fill: Fill): void {
    this.fills.push(fill);
  }
  onTrade(trade: Trade): void {
    this.trades.push(trade);
  }
  /** Returns the latest state of each order, by id. */
  get finalOrders(): Order[] {
    const byId = new Map<number, Order>();
    for (const o of this.orderEvents) byId.set(o.id, o);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
}

export interface Setup {
  cash: number;
  allowShort: boolean;
  slippageBps: number;
  commission: { perShare: number; bps: number; minimum: number };
}

/** A paper broker over symbols X (id 0) and Y (id 1) with 100 000 cash, no costs and no shorting, unless told otherwise. */
export function setup(o: Partial<Setup> = {}) {
  const s: Setup = {
    cash: 100_000,
    allowShort: false,
    slippageBps: 0,
    commission: { perShare: 0, bps: 0, minimum: 0 },
    ...o,
  };
  const portfolio = new Portfolio(s.cash, 2);
  const sink = new RecordingSink();
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X', 'Y'],
    commission: perShareAndBpsCommission(s.commission),
    slippage: bpsSlippage(s.slippageBps),
    allowShort: s.allowShort,
    listeners: [sink],
  });
  return { portfolio, sink, broker };
}

/** A market buy of 10 X by strategy s1, unless told otherwise. */
export function req(r: Partial<OrderRequest> = {}): OrderRequest {
  return { strategy: 's1', symbol: 'X', side: 'buy', quantity: 10, type: 'market', ...r };
}

interface BarSpec {
  ts: number;
  open: number;
  high: number;
  low: number;
}

/** Offers a bar of X (unless `symbolId` says otherwise) to the broker; high and low default to the open. */
export function bar(
  broker: PaperBroker,
  b: Partial<BarSpec> & Pick<BarSpec, 'open'>,
  step = 0,
  symbolId = 0,
): void {
  const spec: BarSpec = { ts: T0 + MIN, high: b.open, low: b.open, ...b };
  broker.onBar(
    symbolId,
    { ts: spec.ts, open: spec.open, high: spec.high, low: spec.low, close: spec.open, volume: 1e9 },
    step,
  );
}
