// Benchmark of the HTTP API: screens run through the app, progress writes, and requests under load from a second process.
import { spawn } from 'node:child_process';
import { join, resolve } from 'node:path';
import { buildApp, type TradeflowApp } from '../src/api/app.ts';
import { MAX_TICKERS } from '../src/api/schemas.ts';
import { delay, WallClock } from '../src/core/clock.ts';
import {
  bundledTickerSource,
  SyntheticTickerSource,
  syntheticTicker,
} from '../src/screener/ticker-source.ts';
import { ProgressStore } from '../src/storage/runs-progress.ts';
import { type Figure, median } from './harness.ts';

const ROOT = resolve(import.meta.dirname, '..');
const LOAD_CLIENT = join(ROOT, 'bench/progress-load.ts');

interface LoadReport {
  readonly requests: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly elapsedMs: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
}

const universe = (n: number) => Array.from({ length: n }, (_, i) => syntheticTicker(i + 1));

/** Runs one screen to completion through the API (a synchronous execute) and returns its wall time in ms. */
async function timedScreen(app: TradeflowApp, tickers: readonly string[]): Promise<number> {
  const t0 = performance.now();
  const res = await app.inject({
    method: 'POST',
    url: '/api/strategies/execute',
    payload: { strategy: 'bullish_breakout', tickers },
  });
  const ms = performance.now() - t0;
  const body = res.json<{ status: string; completed: number }>();
  if (res.statusCode !== 200 || body.status !== 'completed' || body.completed !== tickers.length) {
    throw new Error(`bench screen failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  }
  return ms;
}

/** Times `count` per-ticker progress writes (a ticker row and the run's counts, one transaction each). */
function progressWrites(dbPath: string, count: number, result: unknown): number {
  const store = new ProgressStore(dbPath);
  try {
    const tickers = universe(count);
    store.createRun({
      id: 'writes',
      kind: 'screen',
      strategy: 'bullish_breakout',
      parameters: {},
      tickers,
      total: count,
      createdAt: 0,
    });
    store.transition('writes', 'running', 0);
    const t0 = performance.now();
    for (let i = 0; i < count; i++) {
      store.recordTicker({
        runId: 'writes',
        position: i,
        ticker: tickers[i] as string,
        processedAt: i,
        passed: i % 7 === 0,
        score: 50 + (i % 50),
        status: 'ok',
        result,
        completed: i + 1,
        total: count,
        passedCount: Math.floor(i / 7) + 1,
        errorCount: 0,
        nextTicker: tickers[i + 1] ?? null,
      });
    }
    return (performance.now() - t0) / count;
  } finally {
    store.close();
  }
}

/** Runs the load client in a second process against `url` and returns its report. */
function loadFromChild(url: string, durationMs: number, connections: number): Promise<LoadReport> {
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', LOAD_CLIENT, url, String(durationMs), String(connections)],
      {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (out += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (err += s));
    const timer = setTimeout(() => child.kill('SIGKILL'), durationMs + 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) fail(new Error(`load client exited with ${code}: ${err}`));
      else done(JSON.parse(out) as LoadReport);
    });
  });
}

/**
 * The API's figures: a 500-ticker screen through the API with per-ticker progress writes, the cost of one
 * progress write, and the progress endpoint under load from a second process over loopback while a
 * screen runs (the server is this process, listening on 127.0.0.1; the load is bounded in time).
 */
export async function apiBench(options: { dir: string; quick?: boolean; runs?: number }): Promise<Figure[]> {
  const runs = options.runs ?? (options.quick ? 1 : 3);
  const loadMs = options.quick ? 1500 : 3000;
  const connections = 16;
  const app = buildApp({
    db: join(options.dir, 'api-bench.db'),
    tickerSource: new SyntheticTickerSource(bundledTickerSource(), 500),
    clock: new WallClock(),
  });
  try {
    await timedScreen(app, ['ORCL', 'NVDA', 'YHOO']); // reads the three files once, as a running server would have
    const screenMs: number[] = [];
    for (let run = 0; run < runs; run++) screenMs.push(await timedScreen(app, universe(500)));

    const sample = (
      await app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: ['ORCL'] },
      })
    ).json<{ results: { classification: string; reasons: unknown; metrics: unknown }[] }>().results[0];
    const result = {
      classification: sample?.classification,
      reasons: sample?.reasons,
      metrics: sample?.metrics,
    };
    const writeMs = median(
      Array.from({ length: runs }, (_, i) =>
        progressWrites(join(options.dir, `writes-${i}.db`), 5000, result),
      ),
    );

    // A screen runs for the whole load: the 500 tickers over and over, MAX_TICKERS a run, and another run
    // as soon as one ends (on a fast machine one run may end before the load does). The client polls the first.
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (address === null || typeof address === 'string') throw new Error('no TCP address');
    const long = Array.from({ length: MAX_TICKERS }, (_, i) => syntheticTicker((i % 500) + 1));
    const execute = (async: boolean) =>
      app.inject({
        method: 'POST',
        url: '/api/strategies/execute',
        payload: { strategy: 'bullish_breakout', tickers: long, async },
      });
    const runId = (await execute(true)).json<{ run_id: string }>().run_id;
    const progressPath = `/api/strategies/runs/${runId}/progress`;
    let loading = true;
    let screened = 0;
    const progressOf = async (id: string) =>
      (await app.inject({ url: `/api/strategies/runs/${id}/progress` })).json<{
        status: string;
        completed: number;
      }>();
    const busy = (async () => {
      let current = runId;
      let base = (await progressOf(current)).completed; // counted from when the load starts
      for (;;) {
        const p = await progressOf(current);
        if (!loading || p.status !== 'running') screened += p.completed - base;
        if (!loading) {
          if (p.status === 'running')
            await app.inject({ method: 'POST', url: `/api/strategies/runs/${current}/cancel` });
          return;
        }
        if (p.status !== 'running') {
          current = (await execute(true)).json<{ run_id: string }>().run_id;
          base = 0;
        }
        await delay(10).promise;
      }
    })();
    const load = await loadFromChild(`http://127.0.0.1:${address.port}${progressPath}`, loadMs, connections);
    loading = false;
    await busy;
    if (load.errors > 0 || load.non2xx > 0) {
      throw new Error(`progress load: ${load.errors} errors, ${load.non2xx} non-2xx answers`);
    }

    return [
      {
        key: 'screen500_s',
        label:
          'screen of 500 tickers through the API (synthetic universe, bars in memory), a progress write each',
        value: median(screenMs) / 1000,
        unit: 's',
        target: 2,
        better: 'lower',
      },
      {
        key: 'progress_write_avg_ms',
        label: 'one progress write: ticker row + run counts, one transaction (WAL, synchronous=NORMAL)',
        value: writeMs,
        unit: 'ms',
        target: 1,
        better: 'lower',
      },
      {
        key: 'progress_rps',
        label: `progress endpoint from a second process, ${connections} keep-alive connections, ${loadMs / 1000} s, while a screen runs (${screened} tickers screened meanwhile; p50 ${load.p50.toFixed(2)} ms)`,
        value: load.rps,
        unit: 'req/s',
        target: 2000,
        better: 'higher',
      },
      {
        key: 'progress_p99_ms',
        label: 'the same load: 99th percentile latency',
        value: load.p99,
        unit: 'ms',
        target: 10,
        better: 'lower',
      },
    ];
  } finally {
    await app.close();
  }
}
