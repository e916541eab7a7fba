import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type LoadedSession, parseSessionConfig } from '../config/session-config.ts';
import { ROOT, tempFiles, wallTimeFree } from '../../test/helpers.ts';
import { isolationFree, runSession } from '../../test/fixture-sessions.ts';
import type { ProbeRecord } from '../../test/fixtures/project/strategies/probe.ts';
import { accountsInUse } from './accounts.ts';
import { runBacktest } from './backtest.ts';

/** A project root whose strategies/ holds the probe strategy. */
const FIXTURE_ROOT = resolve(import.meta.dirname, '../../test/fixtures/project');
const T0 = Date.UTC(2024, 0, 2);
const MIN = 60_000;

/** Four 1m bars of X from T0: bar i opens at 100 + 2i and closes at 101 + 2i. */
function risingCsv(): string {
  const rows = [0, 1, 2, 3].map((i) => {
    const time = new Date(T0 + i * MIN).toISOString().slice(0, 19).replace('T', ' ');
    return `${time},${100 + 2 * i},${101 + 2 * i},${100 + 2 * i},${101 + 2 * i},100`;
  });
  return ['timestamp,open,high,low,close,volume', ...rows].join('\n') + '\n';
}

const DATA_DIR = tempFiles({ 'X.csv': risingCsv() });

const CHEAP = { name: 'cheap', initial_cash: 10_000, commission: { per_share: 0.01 } };
const PRICEY = { name: 'pricey', initial_cash: 50_000, commission: { bps: 10, minimum: 5 } };

/**
 * A session over the four bars whose probe buys 10 X on its first bar and closes on its third, routed to
 * `activeBrokers` (the entry's default when undefined).
 */
function probeSession(o: {
  activeBrokers?: readonly string[];
  accounts?: readonly object[];
  isolation?: 'inline' | 'thread';
}): LoadedSession {
  const config = parseSessionConfig({
    name: 'accounts-test',
    data: [
      { symbol: 'X', file: resolve(DATA_DIR, 'X.csv'), format: 'ohlcv', calendar: '24h', interval: '1m' },
    ],
    strategies: [
      {
        module: 'strategies/probe',
        name: 'probe',
        isolation: o.isolation ?? 'inline',
        ...(o.activeBrokers === undefined ? {} : { active_brokers: o.activeBrokers }),
        config: {
          symbols: ['X'],
          interval: '1m',
          signals: {
            1: [{ symbol: 'X', action: 'BUY', quantity: 10 }],
            3: [{ symbol: 'X', action: 'CLOSE' }],
          },
        },
      },
    ],
    accounts: o.accounts ?? [CHEAP, PRICEY],
  });
  return { config, name: 'accounts-test', file: resolve(FIXTURE_ROOT, 'a.json'), root: FIXTURE_ROOT };
}

async function run(session: LoadedSession, runId = 'accounts') {
  const outcome = await runSession(session, runId);
  const seen = outcome.log.records
    .filter((r) => r.msg === 'probe')
    .map((r) => r.fields as unknown as ProbeRecord);
  return { ...outcome, seen };
}

describe('routing a strategy to several paper accounts', () => {
  it('sends each order to every account named, each filling on its own cash and commission', async () => {
    const { result, engine } = await run(probeSession({ activeBrokers: ['pricey', 'cheap'] }));
    // Bought 10 at bar 1's open (102), sold at bar 3's open (106).
    // cheap: 0.01 per share = 0.10 a fill: 10 000 - 1 020 - 0.10 + 1 060 - 0.10 = 10 039.80.
    // pricey: 10 bps of 1 020 is 1.02, of 1 060 is 1.06, both below the minimum of 5:
    //   50 000 - 1 020 - 5 + 1 060 - 5 = 50 030.
    const [cheap, pricey] = result.accounts;
    expect(result.accounts.map((a) => a.name)).toEqual(['cheap', 'pricey']);
    expect(cheap).toMatchObject({ initial_cash: 10_000, trades: 1, open_positions: [] });
    expect(cheap?.cash).toBeCloseTo(10_039.8, 9);
    expect(cheap?.final_value).toBeCloseTo(10_039.8, 9);
    expect(pricey).toMatchObject({ initial_cash: 50_000, trades: 1, open_positions: [] });
    expect(pricey?.cash).toBe(50_030);
    expect(pricey?.final_value).toBe(50_030);
    expect(engine.recorder.trades.map((t) => [t.id, t.account, t.pnl])).toEqual([
      [1, 'cheap', expect.closeTo(39.8, 9)],
      [2, 'pricey', 30],
    ]);
    expect(engine.recorder.fills.map((f) => [f.account, f.price, f.commission])).toEqual([
      ['cheap', 102, expect.closeTo(0.1, 12)],
      ['pricey', 102, 5],
      ['cheap', 106, expect.closeTo(0.1, 12)],
      ['pricey', 106, 5],
    ]);
  });

  it('numbers orders across accounts in signal order, and records each signal once with its first account order', async () => {
    const { engine } = await run(probeSession({ activeBrokers: ['pricey', 'cheap'] }));
    expect(engine.recorder.orders.map((o) => [o.id, o.account, o.side, o.status])).toEqual([
      [1, 'pricey', 'buy', 'filled'],
      [2, 'cheap', 'buy', 'filled'],
      [3, 'pricey', 'sell', 'filled'],
      [4, 'cheap', 'sell', 'filled'],
    ]);
    // Fills happen on the bar, account by account in the run's account order (cheap, then pricey).
    expect(engine.recorder.fills.map((f) => [f.id, f.orderId])).toEqual([
      [1, 2],
      [2, 1],
      [3, 4],
      [4, 3],
    ]);
    expect(engine.recorder.signals.map((s) => [s.signal.action, s.orderId])).toEqual([
      ['BUY', 1],
      ['CLOSE', 3],
    ]);
  });

  it('shows the strategy the position and cash of its first account', async () => {
    const { seen } = await run(probeSession({ activeBrokers: ['pricey', 'cheap'] }));
    expect(seen.map((r) => [r.n, r.position, r.cash])).toEqual([
      [1, 0, 50_000],
      [2, 10, 48_975],
      [3, 10, 48_975],
      [4, 0, 50_030],
    ]);
  });

  it('reports the first account in use at the top level when no strategy uses "default"', async () => {
    const { result } = await run(probeSession({ activeBrokers: ['pricey', 'cheap'] }));
    expect(result.account).toBe('cheap');
    expect(result.initial_cash).toBe(10_000);
    expect(result.cash).toBeCloseTo(10_039.8, 9);
    expect(result.trades).toHaveLength(1);
    expect(result.trades[0]?.pnl).toBeCloseTo(39.8, 9);
    expect(result.orders).toEqual({ total: 2, filled: 2, rejected: 0, cancelled: 0 });
    expect(result.stats['initial_value']).toBe(10_000);
    expect(result.equity.at(-1)?.cash).toBeCloseTo(10_039.8, 9);
  });

  it('reports "default" at the top level whenever a strategy uses it, and leaves unused accounts out', async () => {
    const { result } = await run(probeSession({ activeBrokers: ['pricey', 'default'] }));
    expect(result.account).toBe('default');
    expect(result.accounts.map((a) => [a.name, a.cash])).toEqual([
      ['default', 100_040],
      ['pricey', 50_030],
    ]);
    expect(result.cash).toBe(100_040);
  });

  it('keeps the single default account when a strategy names none', async () => {
    const { result, engine } = await run(probeSession({}));
    expect(result.account).toBe('default');
    expect(result.accounts).toEqual([
      {
        name: 'default',
        initial_cash: 100_000,
        final_value: 100_040,
        cash: 100_040,
        trades: 1,
        open_positions: [],
      },
    ]);
    expect(engine.recorder.orders.map((o) => [o.id, o.account])).toEqual([
      [1, 'default'],
      [2, 'default'],
    ]);
  });

  it('rejects an order in one account (no cash) without touching the others', async () => {
    const poor = { name: 'poor', initial_cash: 500 };
    const { result, engine } = await run(
      probeSession({ activeBrokers: ['poor', 'cheap'], accounts: [CHEAP, poor] }),
    );
    expect(engine.recorder.orders.map((o) => [o.id, o.account, o.status])).toEqual([
      [1, 'poor', 'rejected'],
      [2, 'cheap', 'filled'],
      // CLOSE finds poor flat: only cheap gets an order.
      [3, 'cheap', 'filled'],
    ]);
    expect(engine.recorder.signals.map((s) => s.orderId)).toEqual([1, undefined]);
    expect(result.accounts.map((a) => [a.name, a.trades])).toEqual([
      ['cheap', 1],
      ['poor', 0],
    ]);
  });

  it('gives the same result with the strategy in a thread, and when run twice', async () => {
    const inline = await run(probeSession({ activeBrokers: ['pricey', 'cheap'] }), 'same');
    const thread = await run(
      probeSession({ activeBrokers: ['pricey', 'cheap'], isolation: 'thread' }),
      'same',
    );
    const again = await run(
      probeSession({ activeBrokers: ['pricey', 'cheap'], isolation: 'thread' }),
      'same',
    );
    expect(isolationFree(thread.result)).toEqual(isolationFree(inline.result));
    expect(wallTimeFree(again.result)).toEqual(wallTimeFree(thread.result));
    expect(thread.engine.recorder.orders).toEqual(inline.engine.recorder.orders);
  });
});

describe('a strategy that reads its position from its first account', () => {
  it('keeps buying while its first account rejects, in a thread as inline', async () => {
    // Buy and hold buys once; momentum re-enters whenever it reads a flat position. With a first account
    // too poor to buy, momentum keeps reading 0 and every entry signal reaches the rich second account.
    const config = (isolation: 'inline' | 'thread') =>
      parseSessionConfig({
        name: 'home-account',
        data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
        strategies: [
          {
            type: 'momentum',
            isolation,
            active_brokers: ['poor', 'default'],
            config: { symbols: ['ORCL'], lookback: 20, entry_return: 0.05, position_size: 10 },
          },
        ],
        accounts: [{ name: 'poor', initial_cash: 1 }],
      });
    const runIt = async (isolation: 'inline' | 'thread') =>
      (
        await runBacktest({
          session: { config: config(isolation), name: 'home', file: resolve(ROOT, 'home.json'), root: ROOT },
          runId: 'home',
          startedAt: 0,
        })
      ).engine.recorder.orders;
    const inline = await runIt('inline');
    const poorBuys = inline.filter((o) => o.account === 'poor' && o.side === 'buy');
    const richBuys = inline.filter((o) => o.account === 'default' && o.side === 'buy');
    expect(poorBuys.length).toBeGreaterThan(1);
    // Each is rejected for want of cash when it comes to fill (an order raised on the last bar is cancelled).
    expect(poorBuys.every((o) => o.status === 'rejected' || o.reason === 'run ended')).toBe(true);
    expect(poorBuys.filter((o) => o.status === 'rejected').length).toBeGreaterThan(1);
    expect(richBuys).toHaveLength(poorBuys.length);
    // Momentum never closes: it reads a flat position in "poor", so its CLOSE never comes.
    expect(inline.filter((o) => o.side === 'sell')).toEqual([]);
    expect(await runIt('thread')).toEqual(inline);
  });
});

describe('accountsInUse', () => {
  const config = (strategies: readonly object[]) =>
    parseSessionConfig({
      data: [{ symbol: 'X', file: 'x.csv' }],
      strategies,
      accounts: [{ name: 'b' }, { name: 'a' }],
    });
  const entry = (active_brokers?: readonly string[], enabled = true) => ({
    module: 'strategies/probe',
    enabled,
    ...(active_brokers === undefined ? {} : { active_brokers }),
  });

  it('lists "default" first when used, then the accounts in config order, leaving out unused ones', () => {
    expect(accountsInUse(config([entry(['a', 'b']), entry()])).map((a) => a.name)).toEqual([
      'default',
      'b',
      'a',
    ]);
    expect(accountsInUse(config([entry(['a'])])).map((a) => a.name)).toEqual(['a']);
  });

  it('ignores disabled entries, and keeps the default account when nothing is enabled', () => {
    expect(accountsInUse(config([entry(['a']), entry(['b'], false)])).map((a) => a.name)).toEqual(['a']);
    expect(accountsInUse(config([entry(['a'], false)])).map((a) => a.name)).toEqual(['default']);
  });

  it("takes each account's own terms", () => {
    const [a] = accountsInUse(
      parseSessionConfig({
        data: [{ symbol: 'X', file: 'x.csv' }],
        strategies: [entry(['a'])],
        broker: { initial_cash: 1 },
        accounts: [{ name: 'a', initial_cash: 7, slippage_bps: 3, allow_short: true }],
      }),
    );
    expect(a).toEqual({
      name: 'a',
      initial_cash: 7,
      commission: { per_share: 0, bps: 0, minimum: 0 },
      slippage_bps: 3,
      allow_short: true,
      intrabar: 'worst',
    });
  });
});
