import { afterEach, describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { bullishBreakout } from '../screener/bullish-breakout.ts';
import { SCREENERS } from '../screener/registry.ts';
import type { TickerSource } from '../screener/ticker-source.ts';
import { ProgressStore } from '../storage/runs-progress.ts';
import {
  type AcceptedJson,
  type ErrorJson,
  type ListJson,
  synthetic,
  AppPool,
  TEST_TOKEN,
  testApp,
  testTickers,
} from './app.fixture.ts';
import { isLoopbackHost } from './options.ts';

const pool = new AppPool();
afterEach(pool.closeAll);
const { newApp } = pool;

const TOKEN = TEST_TOKEN;
const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return isTradeflowError(e) ? e.code : String(e);
  }
  return 'no error';
};

describe('binding', () => {
  it('tells loopback addresses from the others', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1'])
      expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com', '128.0.0.1', '127.0.0.1.example.com'])
      expect(isLoopbackHost(h), h).toBe(false);
  });

  it('refuses a non-loopback host without a token, and a short token', () => {
    expect(codeOf(() => testApp({ host: '0.0.0.0' }))).toBe('TF_ERR_UNSAFE_BIND');
    expect(() => testApp({ host: '::' })).toThrow(/refusing to serve on :: without an API token/);
    expect(codeOf(() => testApp({ host: '0.0.0.0', token: 'short' }))).toBe('TF_ERR_UNSAFE_BIND');
    expect(codeOf(() => testApp({ maxConcurrentRuns: 0 }))).toBe('TF_ERR_CONFIG_INVALID');
  });
});

describe("what a screen's thread builds again", () => {
  it('refuses a screener the registry lacks without a module, and a ticker source without a plain spec', () => {
    const mine = { ...bullishBreakout, name: 'mine' };
    expect(() => testApp({ screeners: { ...SCREENERS, mine } })).toThrow(
      /^screeners\.mine: the registry has no such screener, so a run's thread could not load it; give it `module: /,
    );
    const base = testTickers();
    const withFunction = {
      ...base,
      tickers: () => base.tickers(),
      has: (t: string) => base.has(t),
      load: (t: string) => base.load(t),
      spec: { kind: 'module', url: 'x', export: 'y', args: [() => 1] },
    } as unknown as TickerSource;
    expect(() => testApp({ tickerSource: withFunction })).toThrow(
      /^tickerSource\.spec: must be plain data a run's thread can build the source from/,
    );
    expect(codeOf(() => testApp({ tickerSource: withFunction }))).toBe('TF_ERR_CONFIG_INVALID');
  });
});

describe('the API token', () => {
  it('is checked on every call but /healthz of a non-loopback server: 401 without it or with another', async () => {
    const app = newApp({ host: '0.0.0.0', token: TOKEN });
    const calls = [
      { method: 'GET', url: '/api/strategies' },
      { method: 'GET', url: '/api/strategies/runs' },
      { method: 'GET', url: '/api/tickers' },
      {
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: ['ORCL'] },
      },
      { method: 'POST', url: '/api/backtests', payload: {} },
      { method: 'GET', url: '/api/no-such-route' },
      { method: 'GET', url: '/%61pi/tickers' }, // the router decodes it to /api/tickers
      { method: 'GET', url: '/api/tickers/' },
    ] as const;
    for (const call of calls) {
      for (const authorization of [
        undefined,
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(1)}`,
        `Basic ${TOKEN}`,
        TOKEN,
      ]) {
        const res = await app.inject({
          ...call,
          headers: authorization === undefined ? {} : { authorization },
        });
        expect(res.statusCode, `${call.url} ${authorization}`).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Bearer realm="tradeflow"');
        expect(res.json<ErrorJson>()).toMatchObject({ code: 'TF_ERR_UNAUTHORIZED' });
      }
    }
    expect((await app.inject({ url: '/api/tickers' })).json<ErrorJson>().error).toBe(
      'GET /api/tickers: no Authorization header',
    );
    const ok = await app.inject({ url: '/api/tickers', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    const lower = await app.inject({
      url: '/api/strategies/runs',
      headers: { authorization: `bearer ${TOKEN}` },
    });
    expect(lower.statusCode).toBe(200);
    expect((await app.inject({ url: '/healthz' })).json<unknown>()).toEqual({ status: 'ok', active_runs: 0 });
    expect((await app.inject({ url: '/nothing-here' })).statusCode).toBe(401);
  });

  it('is checked on loopback too when one is set', async () => {
    const app = newApp({ token: TOKEN });
    expect((await app.inject({ url: '/api/tickers' })).statusCode).toBe(401);
    expect(
      (await app.inject({ url: '/api/tickers', headers: { authorization: `Bearer ${TOKEN}` } })).statusCode,
    ).toBe(200);
  });
});

describe('limits', () => {
  it('refuses a body over the limit with 413', async () => {
    const app = newApp({ bodyLimit: 2048 });
    const res = await app.inject({
      method: 'POST',
      url: '/api/strategies/execute',
      payload: { strategy: 'bullish_breakout', tickers: synthetic(500) },
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<ErrorJson>()).toMatchObject({
      code: 'TF_ERR_REQUEST_INVALID',
      details: [{ path: '(body)' }],
    });
  });

  it('refuses a run beyond maxConcurrentRuns with 429 and a clear message, and accepts one again later', async () => {
    const app = newApp({ maxConcurrentRuns: 1 });
    const first = (
      await app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: synthetic(300), async: true },
      })
    ).json<AcceptedJson>();
    expect((await app.inject({ url: '/healthz' })).json<{ active_runs: number }>().active_runs).toBe(1);
    for (const [url, payload] of [
      ['/api/strategies/execute', { strategy: 'bullish_breakout', tickers: ['ORCL'] }],
      [
        '/api/backtests',
        {
          config: {
            data: [{ symbol: 'ORCL', file: 'data/daily/orcl-1995-2014.txt' }],
            strategies: [{ type: 'sma_cross', config: { symbols: ['ORCL'] } }],
          },
        },
      ],
    ] as const) {
      const res = await app.inject({ method: 'POST', url, payload });
      expect(res.statusCode, url).toBe(429);
      expect(res.headers['retry-after']).toBe('1');
      expect(res.json<ErrorJson>()).toMatchObject({
        code: 'TF_ERR_TOO_MANY_RUNS',
        error: `1 run is in progress, the most this server runs at once (1); wait for one to finish or cancel one (POST /api/strategies/runs/<id>/cancel): ${first.run_id}`,
      });
    }
    await app.inject({ method: 'POST', url: `/api/strategies/runs/${first.run_id}/cancel` });
    const again = await app.inject({
      method: 'POST',
      url: '/api/strategies/execute',
      payload: { strategy: 'bullish_breakout', tickers: ['ORCL'] },
    });
    expect(again.statusCode).toBe(200);
    expect((await app.inject({ url: '/api/strategies/runs' })).json<ListJson>().total).toBe(2);
  });

  it('marks runs in progress as interrupted when the app closes', async () => {
    const store = new ProgressStore(':memory:');
    const app = testApp({ db: store });
    const { run_id } = (
      await app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: synthetic(300), async: true },
      })
    ).json<AcceptedJson>();
    await app.close();
    const h = store.header(run_id);
    expect(h?.status).toBe('interrupted');
    expect(h?.completed).toBeLessThan(300);
    expect(store.tickerResults(run_id)).toHaveLength(h?.completed ?? -1);
    store.close();
  });
});
