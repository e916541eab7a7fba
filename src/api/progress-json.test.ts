import { describe, expect, it } from 'vitest';
import { ProgressStore } from '../storage/runs-progress.ts';
import { progressJson, RecentResultsCache, tickerJson } from './progress-json.ts';
import { progressView } from './views.ts';

function storeWithTickers(): ProgressStore {
  const store = new ProgressStore(':memory:');
  store.createRun({
    id: 'r',
    kind: 'screen',
    strategy: 's',
    parameters: {},
    tickers: ['A', 'B', 'C', 'D'],
    total: 4,
    createdAt: 0,
  });
  store.transition('r', 'running', 1);
  const results = [
    {
      classification: 'watch',
      reasons: ['a "quoted" reason', 'ünïcode'],
      metrics: { rsi: 55.5, at_52w_high: false, x: null },
    },
    { error: { code: 'TF_ERR_TICKER_UNKNOWN', message: 'B: unknown ticker' } },
    {},
    null,
  ];
  results.forEach((result, i) =>
    store.recordTicker({
      runId: 'r',
      position: i,
      ticker: 'ABCD'[i] as string,
      processedAt: 10 + i,
      passed: i === 0,
      score: i === 1 ? null : 40.5 + i,
      status: i === 1 ? 'error' : 'ok',
      result,
      completed: i + 1,
      total: 4,
      passedCount: 1,
      errorCount: 1,
      nextTicker: null,
    }),
  );
  return store;
}

describe('progressJson', () => {
  it('writes the same JSON as progressView, key for key, for every kind of stored result', () => {
    const store = storeWithTickers();
    const h = store.header('r');
    if (h === undefined) throw new Error('no run');
    const rows = store.recentTickerRows('r', 10);
    const text = progressJson(h, `[${rows.map(tickerJson).join(',')}]`, 1234);
    expect(text).toBe(JSON.stringify(progressView(h, store.recentTickers('r', 10), 1234)));
    store.close();
  });

  it('keeps the last_results text of a run until its completed count changes', () => {
    const cache = new RecentResultsCache(2);
    let reads = 0;
    const rows = () => {
      reads++;
      return [];
    };
    expect(cache.get('a', 1, rows)).toBe('[]');
    cache.get('a', 1, rows);
    expect(reads).toBe(1);
    cache.get('a', 2, rows);
    expect(reads).toBe(2);
    cache.get('b', 1, rows);
    cache.get('c', 1, rows); // evicts a, the oldest
    cache.get('b', 1, rows);
    expect(reads).toBe(4);
    cache.get('a', 2, rows);
    expect(reads).toBe(5);
  });
});
