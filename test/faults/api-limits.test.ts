// Fault tests of the API's resource bounds (issue item 6, API part): the most strategies and data sources
// one request may name (a clear 400), and a heap limit on each run's thread that fails only that run.
import { afterEach, describe, expect, it } from 'vitest';
import { AppPool, type BacktestJson, type ErrorJson, testApp } from '../../src/api/app.fixture.ts';
import {
  FAULT_ROOT,
  misbehaving,
  ORCL_SOURCE,
  postBacktest,
  STEADY,
  steady,
} from './api/api-faults.fixture.ts';

const pool = new AppPool();
afterEach(pool.closeAll);

/** A config with `strategies` steady entries over `sources` copies of the ORCL source. */
function sized(strategies: number, sources: number): Record<string, unknown> {
  return {
    name: 'sized',
    data: Array.from({ length: sources }, (_, i) => ({
      ...ORCL_SOURCE,
      symbol: i === 0 ? 'ORCL' : `ORCL${i}`,
    })),
    strategies: Array.from({ length: strategies }, (_, i) => ({ ...STEADY, name: `steady_${i}` })),
  };
}

describe('request bounds', () => {
  it('refuses more strategy entries than the server takes with a 400 naming the limit and how to raise it', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT, maxStrategiesPerRun: 2 });
    const res = await postBacktest(app, sized(3, 1));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>()).toMatchObject({
      code: 'TF_ERR_REQUEST_INVALID',
      details: [
        {
          path: 'config.strategies',
          message:
            '3 strategy entries; this server takes at most 2 per backtest: split the run, or start the server with a higher --max-strategies',
        },
      ],
    });
    expect((await postBacktest(app, sized(2, 1))).json<BacktestJson>().status).toBe('completed');
  });

  it('refuses more data sources than the server takes with a 400 naming the limit', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT, maxDataSourcesPerRun: 1 });
    const res = await postBacktest(app, sized(1, 2));
    expect(res.statusCode).toBe(400);
    expect(res.json<ErrorJson>().details).toEqual([
      {
        path: 'config.data',
        message:
          '2 data sources; this server takes at most 1 per backtest: split the run, or start the server with a higher --max-data-sources',
      },
    ]);
  });

  it('has bounds by default: 33 strategy entries or 101 data sources are refused', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT });
    const strategies = await postBacktest(app, sized(33, 1));
    expect(strategies.statusCode).toBe(400);
    expect(strategies.json<ErrorJson>().details?.[0]?.message).toMatch(
      /^33 strategy entries; .* at most 32 /,
    );
    const sources = await postBacktest(app, sized(1, 101));
    expect(sources.statusCode).toBe(400);
    expect(sources.json<ErrorJson>().details?.[0]?.message).toMatch(/^101 data sources; .* at most 100 /);
  });
});

describe('the limits themselves', () => {
  it('are checked when the app is built: a limit out of its range is a coded error naming it', () => {
    expect(() => testApp({ runHeapMb: 8 })).toThrow(
      'runHeapMb: must be an integer from 16 to 1048576, got 8',
    );
    expect(() => testApp({ maxStrategiesPerRun: 0 })).toThrow(
      'maxStrategiesPerRun: must be an integer from 1 to 10000, got 0',
    );
    expect(() => testApp({ stopGraceMs: 1.5 })).toThrow(
      'stopGraceMs: must be an integer from 0 to 600000, got 1.5',
    );
  });
});

describe('the heap limit of a run', () => {
  it('fails only the run that goes over it; the server answers and the next run reports its memory', async () => {
    const app = pool.newApp({ projectRoot: FAULT_ROOT, runHeapMb: 64 });
    const res = await postBacktest(app, misbehaving('hog', { on: 2, hog_mb: 512 }));
    expect(res.statusCode).toBe(200);
    const failed = res.json<BacktestJson>();
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^TF_ERR_RUN_ABORTED: .*went over its heap limit of 64 MiB/);
    expect((await app.inject({ url: '/healthz' })).json()).toMatchObject({ status: 'ok', active_runs: 0 });

    const next = (await postBacktest(app, steady())).json<BacktestJson>();
    expect(next.status).toBe('completed');
    const memory = (next.result as unknown as { memory: Record<string, number> }).memory;
    expect(memory['heap_limit_mb']).toBe(64);
    expect(memory['heap_peak_mb']).toBeGreaterThan(1);
    expect(memory['heap_peak_mb']).toBeLessThanOrEqual(64);
  });
});
