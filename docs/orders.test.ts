// Keeps docs/orders.md true: runs each example's signals through a paper broker on the bundled bars it
// names, and checks that the strategy would hear exactly the events the page lists.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BrokerSchema } from '../src/config/session-config.ts';
import type { BarPrices, OrderRequest } from '../src/execution/broker.ts';
import { bundledBars, isoOf } from '../src/execution/broker.fixture.ts';
import { bpsSlippage, perShareAndBpsCommission } from '../src/execution/costs.ts';
import { PaperBroker } from '../src/execution/paper-broker.ts';
import { Portfolio } from '../src/execution/portfolio.ts';
import type { Signal } from '../src/model/signal.ts';

const doc = readFileSync(join(resolve(import.meta.dirname), 'orders.md'), 'utf8');

interface Example {
  readonly line: number;
  readonly attrs: Readonly<Record<string, string>>;
  readonly signals: readonly Signal[];
  readonly events: readonly string[];
}

/** Each `<!-- example ... -->` comment with the JSON block and the text block after it. */
function examples(): Example[] {
  const re = /<!-- example ([^>]*?) -->\s*```json\n([\s\S]*?)^```\s*```text\n([\s\S]*?)^```/gm;
  return [...doc.matchAll(re)].map((m) => ({
    line: doc.slice(0, m.index).split('\n').length,
    attrs: Object.fromEntries([...m[1]!.matchAll(/(\w+)=(\{[^}]*\}|\S+)/g)].map((a) => [a[1]!, a[2]!])),
    signals: JSON.parse(m[2]!) as Signal[],
    events: m[3]!.trim().split('\n'),
  }));
}

/** Sends an example's signals through a paper broker as the signal router would, and returns what was heard. */
function run(ex: Example): string[] {
  const terms = BrokerSchema.parse(JSON.parse(ex.attrs['broker'] ?? '{}'));
  const start = Date.parse(ex.attrs['start']!);
  const all = bundledBars(ex.attrs['file']!);
  const marked = all.filter((b) => b.ts <= start).at(-1);
  const bars = all.filter((b) => b.ts > start).slice(0, Number(ex.attrs['bars']));
  const gaps = (ex.attrs['gaps'] ?? '0').split(',').map(Number);
  const portfolio = new Portfolio(terms.initial_cash, 1);
  const heard: string[] = [];
  let now = start;
  const hhmm = () => isoOf(now).slice(11, 16);
  const broker = new PaperBroker({
    portfolio,
    symbols: ['X'],
    commission: perShareAndBpsCommission({ perShare: 0, bps: 0, minimum: 0 }),
    slippage: bpsSlippage(terms.slippage_bps),
    allowShort: terms.allow_short,
    intrabar: terms.intrabar,
    ...(terms.max_volume_share === undefined ? {} : { maxVolumeShare: terms.max_volume_share }),
    listeners: [
      {
        onOrder: (o, event, reason) =>
          heard.push(`${hhmm()} order ${o.id} ${event}${reason === undefined ? '' : `: ${reason}`}`),
        onFill: (f, position) =>
          heard.push(`${hhmm()} fill: order ${f.orderId}, ${f.quantity} @ ${f.price} (position ${position})`),
        onTrade: (t) => heard.push(`${hhmm()} trade: pnl ${t.pnl.toFixed(2)}`),
      },
    ],
  });
  if (marked) portfolio.mark(0, marked.close);
  let next = 0;
  const play = (count: number) => {
    for (const b of bars.slice(next, next + count)) offer(b);
    next += Math.max(0, Math.min(count, bars.length - next));
  };
  const offer = (b: BarPrices) => {
    now = b.ts;
    broker.onBar(0, b, next);
    portfolio.mark(0, b.close);
  };
  ex.signals.forEach((s, k) => {
    play(gaps[k] ?? 0);
    send(broker, s, now);
  });
  play(bars.length);
  return heard;
}

function send(broker: PaperBroker, s: Signal, ts: number): void {
  const idOf = (ref: string | undefined) => broker.orderByRef('doc', ref ?? '')?.id ?? -1;
  if (s.action === 'CANCEL') {
    broker.cancel(idOf(s.ref), ts);
    return;
  }
  if (s.action === 'REPLACE') {
    const { price, stopPrice, quantity } = s;
    broker.replace(
      idOf(s.ref),
      {
        ...(price === undefined ? {} : { price }),
        ...(stopPrice === undefined ? {} : { stopPrice }),
        ...(quantity === undefined ? {} : { quantity }),
      },
      ts,
    );
    return;
  }
  const { price, stopPrice, trailAmount, trailPercent, timeInForce, bracket, ref } = s;
  const request: OrderRequest = {
    strategy: 'doc',
    symbol: s.symbol,
    side: s.action === 'BUY' ? 'buy' : 'sell',
    quantity: s.quantity ?? Number.NaN,
    type: s.orderType ?? 'market',
    ...(price === undefined ? {} : { price }),
    ...(stopPrice === undefined ? {} : { stopPrice }),
    ...(trailAmount === undefined ? {} : { trailAmount }),
    ...(trailPercent === undefined ? {} : { trailPercent }),
    ...(timeInForce === undefined ? {} : { timeInForce }),
    ...(bracket === undefined ? {} : { bracket }),
    ...(ref === undefined ? {} : { ref }),
  };
  broker.submit(request, ts);
}

describe('orders.md', () => {
  const all = examples();

  it('has an example for each kind of order behaviour it explains', () => {
    expect(all.length).toBe(9);
  });

  it.each(all.map((ex) => [ex.line, ex] as const))(
    'example at line %i gives the events it lists',
    (_line, ex) => {
      expect(run(ex)).toEqual(ex.events);
    },
  );
});
