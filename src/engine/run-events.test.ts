// The run's user events: what a listener hears of a probe's signals, orders, fills, trades, positions and
// errors, in order, inline and in a thread; a throwing listener leaves the run as it was.
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import { buy, closeOf, probeSession, risingBars } from '../../test/probe-sessions.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import type { LoadedSession } from '../config/session-config.ts';
import type { Order } from '../model/order.ts';
import { RunEventSource } from './run-event-source.ts';
import { type RunEvent, RunEvents } from './run-events.ts';

/** Buys 10 on its 2nd bar, closes on its 3rd, throws on its 4th (bars open 100 + 2i, close 101 + 2i). */
function session(isolation: 'inline' | 'thread' = 'inline'): LoadedSession {
  const s = probeSession({
    data: [{ symbol: 'X', rows: risingBars(5) }],
    strategies: [
      {
        name: 'probe',
        config: { signals: { 2: buy(10), 3: [{ symbol: 'X', action: 'CLOSE' }] }, throw_on: [4] },
      },
    ],
  });
  const strategies = s.config.strategies.map((e) => ({ ...e, isolation }));
  return { ...s, config: { ...s.config, strategies } };
}

/** One line per event: its kind, time (bar index by close time) and what identifies it. */
function line(e: RunEvent): string {
  const at = `@${(e.ts - closeOf(0)) / 60_000}`;
  switch (e.kind) {
    case 'signal':
      return `signal ${at} ${e.strategy} ${e.signal.action} order=${e.orderId ?? '-'}`;
    case 'order':
      return `order ${at} #${e.order.id} ${e.event}`;
    case 'fill':
      return `fill ${at} #${e.fill.orderId} ${e.fill.side} ${e.fill.quantity}@${e.fill.price}`;
    case 'trade':
      return `trade ${at} pnl=${e.trade.pnl}`;
    case 'position':
      return `position ${at} ${e.account}/${e.strategy}/${e.symbol} ${e.quantity}@${e.avgPrice}`;
    case 'risk':
      return `risk ${at} ${e.rule}`;
    case 'error':
      return `error ${at} ${e.strategy}: ${e.message}`;
  }
}

async function heard(s: LoadedSession, events = new RunEvents()) {
  const lines: string[] = [];
  events.onAny((e) => lines.push(line(e)));
  const log = new MemoryLogger();
  const outcome = await runBacktestWithResult({
    session: s,
    runId: 'events',
    startedAt: 0,
    logger: log,
    events,
  });
  return { lines, log, ...outcome };
}

const EXPECTED = [
  // HOLDs are signals too; the probe raises none. The signal comes first, then the order it became.
  'signal @1 probe BUY order=1',
  'order @1 #1 accepted',
  'order @2 #1 filled',
  'fill @2 #1 buy 10@104',
  'position @2 default/probe/X 10@104',
  'signal @2 probe CLOSE order=2',
  'order @2 #2 accepted',
  'order @3 #2 filled',
  'fill @3 #2 sell 10@106',
  'position @3 default/probe/X 0@0',
  'trade @3 pnl=20',
  'error @3 probe: onBars(X, 1m) threw: probe failed on notification 4',
];

describe('RunEvents', () => {
  it('tells a listener what the run does, in order, each with its engine time', async () => {
    const { lines } = await heard(session());
    expect(lines).toEqual(EXPECTED);
  });

  it('hears a strategy thread alike (its error arrives once the thread reports it)', async () => {
    const { lines } = await heard(session('thread'));
    expect(lines.filter((l) => !l.startsWith('error'))).toEqual(EXPECTED.slice(0, -1));
    expect(lines.filter((l) => l.startsWith('error')).map((l) => l.replace(/^error @\d+ /, ''))).toEqual([
      'probe: onBars(X, 1m) threw: probe failed on notification 4',
    ]);
  });

  it('delivers one kind to its own listeners, and none after a listener is removed', async () => {
    const events = new RunEvents();
    const fills: number[] = [];
    const trades: number[] = [];
    events.on('fill', (e) => fills.push(e.fill.price));
    const off = events.on('trade', (e) => trades.push(e.trade.pnl));
    off();
    await heard(session(), events);
    expect(fills).toEqual([104, 106]);
    expect(trades).toEqual([]);
  });

  it('goes on when a listener throws: the run is the same, the error counted and logged once', async () => {
    const events = new RunEvents();
    events.on('order', () => {
      throw new Error('hook broke');
    });
    const { lines, log, result } = await heard(session(), events);
    expect(lines).toEqual(EXPECTED);
    expect(events.listenerErrors).toBe(4);
    expect(log.records.filter((r) => r.msg.startsWith('an event listener'))).toEqual([
      {
        level: 'error',
        msg: 'an event listener threw on an order event: hook broke; the run goes on (later listener errors are only counted)',
      },
    ]);
    expect(result.trades.map((t) => t.pnl)).toEqual([20]);
  });

  it('wires nothing for an emitter without listeners', async () => {
    const events = new RunEvents();
    expect(events.listened).toBe(false);
    const { engine } = await heard(session(), events);
    expect(engine.recorder.fills).toHaveLength(2);
  });

  it('follows an order a risk rule refused with a risk event naming the rule and its numbers', () => {
    const events = new RunEvents();
    const heard: RunEvent[] = [];
    events.onAny((e) => heard.push(e));
    const source = new RunEventSource({ events, now: () => 42, avgPrice: () => 0 });
    const order: Order = {
      id: 7,
      account: 'default',
      strategy: 's',
      symbol: 'X',
      side: 'buy',
      quantity: 500,
      type: 'market',
      tsCreated: 42,
      status: 'rejected',
      tsClosed: 42,
      reason: 'max_position_shares: 500 would hold 500 > 300',
      riskRule: 'max_position_shares',
    };
    source.onOrder(order, 'rejected', order.reason);
    const { riskRule: _rule, ...plain } = order;
    const cash: Order = { ...plain, id: 8 };
    source.onOrder(cash, 'rejected', 'insufficient cash');
    expect(heard).toEqual([
      { kind: 'order', ts: 42, event: 'rejected', order, reason: order.reason },
      { kind: 'risk', ts: 42, rule: 'max_position_shares', reason: order.reason, order },
      { kind: 'order', ts: 42, event: 'rejected', order: cash, reason: 'insufficient cash' },
    ]);
  });
});
