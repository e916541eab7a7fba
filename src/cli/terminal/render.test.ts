// The terminal view and the plain lines of a running session, pinned as whole values for one snapshot.
import { describe, expect, it } from 'vitest';
import { NO_FEED } from '../../engine/feed-watch.ts';
import type { SessionSnapshot } from '../../engine/session-snapshot.ts';
import { fillLine, statusLine } from './plain-lines.ts';
import { renderView } from './render.ts';

const T = Date.UTC(2024, 0, 2, 14, 30);
const MIN = 60_000;

const fill = (id: number, side: 'buy' | 'sell', qty: number, price: number, account = 'default') => ({
  id,
  orderId: id,
  account,
  strategy: 'sma_cross',
  symbol: 'ORCL',
  side,
  quantity: qty,
  price,
  commission: 0.5,
  ts: T + id * MIN,
});

const snapshot: SessionSnapshot = {
  mode: 'live',
  paused: false,
  steps: 12_345,
  lastBarMs: T + 10 * MIN,
  progress: { done: 12_345, total: 12_345 },
  cash: 98_765.4321,
  equity: 101_234.5,
  accounts: [
    {
      name: 'default',
      cash: 98_765.4321,
      equity: 101_234.5,
      positions: [
        {
          strategy: 'sma_cross',
          symbol: 'ORCL',
          quantity: 20,
          avgPrice: 120.125,
          lastPrice: 123.45,
          unrealizedPnl: 66.5,
        },
        { strategy: 'rsi', symbol: 'NVDA', quantity: -5, avgPrice: 500, lastPrice: 510, unrealizedPnl: -50 },
      ],
    },
  ],
  strategies: [
    {
      name: 'sma_cross',
      status: 'running',
      state: 'running',
      isolation: 'thread',
      notifications: 12_345,
      signals: 42,
      errors: 0,
      overruns: 3,
      avgMs: 0.0123,
      p99Ms: 0.25,
    },
    {
      name: 'rsi',
      status: 'paused',
      state: 'paused',
      isolation: 'inline',
      notifications: 900,
      signals: 7,
      errors: 2,
      overruns: 0,
      avgMs: 1.5,
      p99Ms: 12.75,
    },
    {
      name: 'broken',
      status: 'faulted',
      state: 'faulted',
      isolation: 'thread',
      notifications: 3,
      signals: 0,
      errors: 1,
      overruns: 0,
      avgMs: 0,
      p99Ms: 0,
      faultReason: 'onBars threw \x1b[31mTypeError',
    },
  ],
  recentFills: [fill(1, 'buy', 10, 119.5), fill(2, 'sell', 10, 121), fill(3, 'buy', 20, 120.125)],
  system: {
    strategiesTotal: 3,
    active: 1,
    paused: 1,
    faulted: 1,
    totalSignals: 49,
    avgLagMs: 0.1,
    maxLagMs: 2,
    slowestStrategy: 'rsi',
    backpressureEvents: 0,
    enginePaused: false,
    feed: NO_FEED,
    liveLatency: { count: 0, p50Ms: 0, p99Ms: 0, maxMs: 0 },
  },
};

describe('renderView', () => {
  it('shows the mode, time, cash and equity, each strategy by its key, positions, fills and the keys', () => {
    expect(renderView(snapshot, { name: 'intraday', width: 100, keys: true })).toEqual([
      'Live intraday  running  last bar 2024-01-02 14:40:00  steps 12,345',
      'cash 98,765.43  equity 101,234.50',
      '',
      'Strategies',
      '  key  strategy   state     bars  signals  errors  overruns  avg ms  p99 ms  where',
      '    1  sma_cross  running  12345       42       0         3   0.012   0.250  thread',
      '    2  rsi        paused     900        7       2         0   1.500  12.750  inline',
      '    3  broken     faulted      3        0       1         0   0.000   0.000  thread',
      '  broken: onBars threw \\x1b[31mTypeError',
      '',
      'Positions',
      '  strategy   symbol  qty  avg price    last  unrealized',
      '  sma_cross  ORCL     20    120.125  123.45       66.50',
      '  rsi        NVDA     -5        500     510      -50.00',
      '',
      'Last fills',
      '  2024-01-02 14:31:00  sma_cross  ORCL  buy 10 @ 119.5',
      '  2024-01-02 14:32:00  sma_cross  ORCL  sell 10 @ 121',
      '  2024-01-02 14:33:00  sma_cross  ORCL  buy 20 @ 120.125',
      '',
      'keys: p pause/resume  1-9 pause/resume that strategy  q quit (results kept)',
    ]);
  });

  it('drops the least useful columns on a narrow terminal and cuts what is still too wide', () => {
    const paused = { ...snapshot, mode: 'clock' as const, paused: true, lastBarMs: null, steps: 0 };
    const lines = renderView(paused, {
      name: 'intraday',
      width: 44,
      keys: false,
      message: 'paused: no new bars are stepped (p resumes)',
      fills: 1,
      positions: 1,
    });
    expect(lines).toEqual([
      'Replay intraday  PAUSED  last bar -  steps 0',
      'cash 98,765.43  equity 101,234.50',
      '',
      'Strategies',
      '  key  strategy   state    signals  errors',
      '    1  sma_cross  running       42       0',
      '    2  rsi        paused         7       2',
      '    3  broken     faulted        0       1',
      '  broken: onBars threw \\x1b[31mTypeError',
      '',
      'Positions',
      '  strategy   symbol  qty    last  unrealized',
      '  sma_cross  ORCL     20  123.45       66.50',
      '  ... and 1 more',
      '',
      'Last fills',
      '  2024-01-02 14:33:00  sma_cross  ORCL  buy~',
      '',
      'paused: no new bars are stepped (p resumes)',
      'keys: none (stdin is not a terminal); Ctrl-~',
    ]);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(44);
  });

  it('names the account of each position and fill when the session has several', () => {
    const several: SessionSnapshot = {
      ...snapshot,
      accounts: [
        { ...snapshot.accounts[0]!, positions: snapshot.accounts[0]!.positions.slice(0, 1) },
        {
          name: 'low_cost',
          cash: 500,
          equity: 510,
          positions: [
            { strategy: 'rsi', symbol: 'X', quantity: 1, avgPrice: 10, lastPrice: 10, unrealizedPnl: 0 },
          ],
        },
      ],
      recentFills: [fill(4, 'buy', 1, 10, 'low_cost')],
    };
    const lines = renderView(several, { name: 's', width: 100, keys: true });
    expect(lines[1]).toBe('cash 98,765.43  equity 101,234.50  (account default; 2 accounts)');
    expect(lines.slice(lines.indexOf('Positions'), lines.indexOf('Last fills') + 2)).toEqual([
      'Positions',
      '  account   strategy   symbol  qty  avg price    last  unrealized',
      '  default   sma_cross  ORCL     20    120.125  123.45       66.50',
      '  low_cost  rsi        X         1         10      10        0.00',
      '',
      'Last fills',
      '  2024-01-02 14:34:00  sma_cross  ORCL  buy 1 @ 10  (low_cost)',
    ]);
  });

  it('says when nothing is open, filled or running yet', () => {
    const empty: SessionSnapshot = {
      ...snapshot,
      accounts: [{ name: 'default', cash: 1000, equity: 1000, positions: [] }],
      strategies: [],
      recentFills: [],
    };
    const lines = renderView(empty, { name: 's', width: 80, keys: true });
    expect(lines.slice(3)).toEqual([
      'Strategies',
      '  none running',
      '',
      'Positions',
      '  none',
      '',
      'Last fills',
      '  none yet',
      '',
      'keys: p pause/resume  1-9 pause/resume that strategy  q quit (results kept)',
    ]);
  });
});

describe('the plain lines', () => {
  it('writes a fill as one line, with its account when there are several', () => {
    expect(fillLine(fill(1, 'buy', 10, 119.5), false)).toBe(
      'fill 2024-01-02 14:31:00 sma_cross ORCL buy 10 @ 119.5 commission 0.50',
    );
    expect(fillLine(fill(2, 'sell', 3, 1 / 3, 'low_cost'), true)).toBe(
      'fill 2024-01-02 14:32:00 sma_cross ORCL sell 3 @ 0.333333 commission 0.50 account low_cost',
    );
  });

  it('writes the status as steps, the last bar, equity, paused or not, and each strategy', () => {
    expect(statusLine(snapshot)).toBe(
      'status steps 12345 last bar 2024-01-02 14:40:00 equity 101,234.50 | ' +
        'sma_cross running 42 signals 0 errors 3 overruns; rsi paused 7 signals 2 errors 0 overruns; ' +
        'broken faulted 0 signals 1 errors 0 overruns',
    );
    expect(statusLine({ ...snapshot, paused: true, strategies: [], lastBarMs: null, steps: 0 })).toBe(
      'status steps 0 last bar - equity 101,234.50 PAUSED',
    );
  });
});
