import { afterEach, describe, expect, it } from 'vitest';
import { type Family, parsePrometheusText } from '../../test/prometheus-text.ts';
import { AppPool, TEST_TOKEN, type TradeflowAppForTest } from './app.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);
const { newApp } = pool;

const TOKEN = TEST_TOKEN;

async function scrape(app: TradeflowAppForTest, headers: Record<string, string> = {}) {
  const res = await app.inject({ method: 'GET', url: '/metrics', headers });
  expect(res.statusCode).toBe(200);
  expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(res.body);
}

/** The samples `sample` (default: the family's own) of a family as [labels..., value] rows. */
function rows(families: ReadonlyMap<string, Family>, name: string, labels: readonly string[], sample = name) {
  return (families.get(name)?.samples ?? [])
    .filter((s) => s.name === sample)
    .map((s) => [...labels.map((l) => s.labels[l]), s.value]);
}

describe('GET /metrics on the API server', () => {
  it('counts requests by method, route pattern and status code, and times them', async () => {
    const app = newApp();
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/api/strategies/runs/no-such-run' });
    await app.inject({ method: 'GET', url: '/no/such/path/42' });
    await app.inject({ method: 'POST', url: '/api/strategies/execute', payload: { strategy: 'nope' } });
    const families = await scrape(app);
    // Route patterns, never raw URLs: a path the router does not know is `unmatched`.
    expect(rows(families, 'tradeflow_api_requests_total', ['method', 'route', 'status'])).toEqual([
      ['GET', '/healthz', '200', 2],
      ['GET', '/api/strategies/runs/:id', '404', 1],
      ['GET', 'unmatched', '404', 1],
      ['POST', '/api/strategies/execute', '400', 1],
    ]);
    expect(families.get('tradeflow_api_request_duration_seconds')?.type).toBe('histogram');
    const counts = rows(
      families,
      'tradeflow_api_request_duration_seconds',
      ['method', 'route'],
      'tradeflow_api_request_duration_seconds_count',
    );
    expect(counts).toContainEqual(['GET', '/healthz', 2]);
    // The scrape itself is answered after this reading: it shows on the next one.
    expect(rows(await scrape(app), 'tradeflow_api_requests_total', ['route', 'status'])).toContainEqual([
      '/metrics',
      '200',
      1,
    ]);
  });

  it('reports runs by kind and status from the run database, and the runs in progress', async () => {
    const app = newApp();
    const screen = await app.inject({
      method: 'POST',
      url: '/api/strategies/execute',
      payload: { strategy: 'bullish_breakout', tickers: ['ORCL', 'NVDA'], parameters: {} },
    });
    expect(screen.statusCode).toBe(200);
    const families = await scrape(app);
    const runs = rows(families, 'tradeflow_api_runs', ['kind', 'status']);
    expect(runs).toContainEqual(['screen', 'completed', 1]);
    expect(runs).toContainEqual(['backtest', 'completed', 0]);
    expect(runs.reduce((sum, r) => sum + (r[2] as number), 0)).toBe(1);
    expect(rows(families, 'tradeflow_api_runs_active', [])).toEqual([[0]]);
  });

  it('needs the API token when the server has one', async () => {
    const app = newApp({ token: TOKEN });
    const refused = await app.inject({ method: 'GET', url: '/metrics' });
    expect(refused.statusCode).toBe(401);
    const families = await scrape(app, { authorization: `Bearer ${TOKEN}` });
    // The refused scrape is counted like any request.
    expect(rows(families, 'tradeflow_api_requests_total', ['route', 'status'])).toEqual([
      ['/metrics', '401', 1],
    ]);
  });
});
