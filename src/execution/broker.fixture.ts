// Builders for paper broker tests: a broker over real bundled bars (read with the project's loader), a
// listener that keeps every event as a line of text, and order requests with defaults.
import { fileURLToPath } from 'node:url';
import type { IntrabarRule } from '../config/orders-config.ts';
import { toIsoUtc } from '../core/time.ts';
import { loadBarFile } from '../data/loaders/load.ts';
import { SessionData } from '../data/session-data.ts';
import { utcStamper } from '../data/time-stamper.ts';
import type { Fill, Order, OrderEvent, Trade } from '../model/order.ts';
import type { BarPrices, ExecutionListener, OrderRequest } from './broker.ts';
import { bpsSlippage, perShareAndBpsCommission } from './costs.ts';
import { PaperBroker } from './paper-broker.ts';
import { Portfolio } from './portfolio.ts';

/** Returns the 1-minute bars of a bundled file (`data/intraday/<name>`), stamped at their close (UTC). */
export function bundledBars(name: string): BarPrices[] {
  const data = new SessionData();
  const file = fileURLToPath(new URL(`../../data/intraday/${name}`, import.meta.url));
  loadBarFile({ file, symbol: 'X', stamper: utcStamper() }, data);
  const s = data.get('X', '1m')!;
  return Array.from({ length: s.written }, (_, i) => ({
    ts: s.timeAt(i),
    open: s.openAt(i),
    high: s.highAt(i),
    low: s.lowAt(i),
    close: s.closeAt(i),
    volume: s.volumeAt(i),
  }));
}

/** Returns the bars of `bars` from the one closing at `iso` (e.g. `2023-07-10T13:31:00Z`) on, `count` of them. */
export function barsFrom(bars: readonly BarPrices[], iso: string, count: number): BarPrices[] {
  const ts = Date.parse(iso);
  const at = bars.findIndex((b) => b.ts === ts);
  if (at < 0) throw new Error(`no bar closes at ${iso}`);
  return bars.slice(at, at + count);
}

/** Keeps every event the broker reports as a line (`order 1 accepted`, `fill 1 of 1: 10 @ 17.9`), and the values. */
export class EventLog implements ExecutionListener {
  readonly lines: string[] = [];
  readonly orders: Order[] = [];
  readonly fills: Fill[] = [];
  readonly trades: Trade[] = [];
  onOrder(order: Order, event: OrderEvent, reason?: string): void {
    this.orders.push(order);
    this.lines.push(`order ${order.id} ${event}${reason === undefined ? '' : `: ${reason}`}`);
  }
  onFill(fill: Fill, position: number): void {
    this.fills.push(fill);
    this.lines.push(`fill ${fill.id} of ${fill.orderId}: ${fill.quantity} @ ${fill.price} -> ${position}`);
  }
  onTrade(trade: Trade): void {
    this.trades.push(trade);
    this.lines.push(`trade ${trade.id}: pnl ${trade.pnl}`);
  }
  /** Returns the latest state of each order, by id. */
  get final(): Order[] {
    const byId = new Map<number, Order>();
    for (const o of this.orders) byId.set(o.id, o);
    return [...byId.values()].sort((a, b) => a.id - b.id);
  }
  /** Returns the lines logged since the last call. */
  take(): string[] {
    return this.lines.splice(0);
  }
}

/** Terms of a test broker; every one has a default. */
export interface BrokerSetup {
  readonly cash: number;
  readonly allowShort: boolean;
  readonly slippageBps: number;
  readonly commission: { perShare: number; bps: number; minimum: number };
  readonly intrabar: IntrabarRule;
  readonly maxVolumeShare: number;
}

/** A paper broker over symbols X (id 0) and Y (id 1): 100 000 cash, no costs, no shorting, unless told otherwise. */
export function aBroker(o: Partial<BrokerSetup> = {}) {
  const portfolio = new Portfolio(o.cash ?? 100_000, 2);
  const log = new EventLog();
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X', 'Y'],
    commission: perShareAndBpsCommission(o.commission ?? { perShare: 0, bps: 0, minimum: 0 }),
    slippage: bpsSlippage(o.slippageBps ?? 0),
    allowShort: o.allowShort ?? false,
    listeners: [log],
    ...(o.intrabar === undefined ? {} : { intrabar: o.intrabar }),
    ...(o.maxVolumeShare === undefined ? {} : { maxVolumeShare: o.maxVolumeShare }),
  });
  /** Offers bars of X to the broker, marking the portfolio at each close as the stepper does. */
  const play = (bars: readonly BarPrices[], firstIndex = 1): void => {
    bars.forEach((b, k) => {
      broker.onBar(0, b, firstIndex + k);
      portfolio.mark(0, b.close);
    });
  };
  return { broker, portfolio, log, play };
}

/** A market buy of 10 X by strategy s1, unless told otherwise. */
export function anOrderRequest(r: Partial<OrderRequest> = {}): OrderRequest {
  return { strategy: 's1', symbol: 'X', side: 'buy', quantity: 10, type: 'market', ...r };
}

/** Returns an instant as the broker writes it in reasons (`2023-07-10T13:31:00Z`). */
export function isoOf(ts: number): string {
  return toIsoUtc(ts).replace('.000Z', 'Z');
}
