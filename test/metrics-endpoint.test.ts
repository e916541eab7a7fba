import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BacktestResult } from '../src/report/result.ts';
import { type Family, parsePrometheusText } from './prometheus-text.ts';
import { ROOT } from './helpers.ts';

// Runs the real CLI with --metrics-port 0 and scrapes /metrics over loopback while it runs and after.
// Every wait is bounded, and a child a test leaves behind is killed.

const tmp = mkdtempSync(join(tmpdir(), 'tradeflow-metrics-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

/** Polls `probe` every 20 ms until it returns a value; fails after `ms`. */
async function until<T>(probe: () => T | undefined, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Cli {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stdout: string;
  stderr: string;
}

/** Starts the real CLI as a child process, collecting its output. */
function cli(args: readonly string[]): Cli {
  const child = spawn(process.execPath, ['bin/tradeflow.mjs', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const run: Cli = {
    child,
    exited: new Promise((done) => child.on('exit', (code, signal) => done({ code, signal }))),
    stdout: '',
    stderr: '',
  };
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (run.stdout += s));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (run.stderr += s));
  return run;
}

/** Resolves as `p` does, or fails after `ms`. */
function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    p,
    new Promise<never>((_, fail) =>
      setTimeout(() => fail(new Error(`no ${what} within ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Waits for the address the CLI prints on stderr. */
function address(run: Cli): Promise<string> {
  return until(
    () => /^metrics: (http:\/\/127\.0\.0\.1:\d+\/metrics)$/m.exec(run.stderr)?.[1],
    30_000,
    `the metrics address; stderr: ${run.stderr}`,
  );
}

async function scrape(url: string): Promise<ReadonlyMap<string, Family>> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
  return parsePrometheusText(await res.text());
}

/** Returns each strategy's value of a per-strategy series, by strategy name. */
function byStrategy(families: ReadonlyMap<string, Family>, name: string): Record<string, number> {
  return Object.fromEntries(
    (families.get(name)?.samples ?? []).map((s) => [s.labels['strategy'] ?? '', s.value]),
  );
}

function gauge(families: ReadonlyMap<string, Family>, name: string, labels: Record<string, string> = {}) {
  return families.get(name)?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    ?.value;
}

/** Sums a per-strategy series over strategies. */
function total(
  families: ReadonlyMap<string, Family>,
  name = 'tradeflow_strategy_notifications_total',
): number {
  return Object.values(byStrategy(families, name)).reduce((a, b) => a + b, 0);
}

/**
 * Scrapes every 20 ms until `done()` or until the listener goes away (a network error: the run ended and
 * closed it). A scrape not answered within its 5 s (a busy machine) is no reading, not a failure; the
 * deadline `ms` bounds the whole. Each reading must parse, and no strategy's notifications may go down
 * from one to the next.
 */
async function scrapeUntil(
  url: string,
  done: () => boolean,
  ms: number,
): Promise<ReadonlyMap<string, Family>[]> {
  const readings: ReadonlyMap<string, Family>[] = [];
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the run did not end within ${ms} ms`);
    let next: ReadonlyMap<string, Family>;
    try {
      next = await scrape(url);
    } catch (e) {
      if (e instanceof TypeError && e.message === 'fetch failed') break;
      if (e instanceof Error && e.name === 'TimeoutError') continue;
      throw e;
    }
    const prev = readings.at(-1);
    if (prev) {
      const before = byStrategy(prev, 'tradeflow_strategy_notifications_total');
      for (const [name, n] of Object.entries(byStrategy(next, 'tradeflow_strategy_notifications_total')))
        expect(n, name).toBeGreaterThanOrEqual(before[name] ?? 0);
    }
    readings.push(next);
    await new Promise((r) => setTimeout(r, 20));
  }
  return readings;
}

describe('tradeflow backtest --metrics-port', () => {
  it('with --hold-metrics: serves the run, keeps serving its final figures after it, and exits 0 on SIGINT', async () => {
    const out = join(tmp, 'held');
    const run = cli([
      'backtest',
      'config/examples/daily-portfolio.json',
      '--no-db',
      '--out',
      out,
      '--metrics-port',
      '0',
      '--hold-metrics',
    ]);
    const url = await address(run);
    const held = () => run.stderr.includes('until Ctrl-C');
    const readings = await scrapeUntil(url, held, 60_000);
    expect(held(), 'the listener stayed up until the run was over').toBe(true);
    expect(readings.length).toBeGreaterThan(0);
    const last = await scrape(url);
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BacktestResult;
    expect(result.status).toBe('completed');
    expect(run.stdout).toContain('Backtest daily-portfolio');

    const names = result.strategies.map((s) => s.name);
    expect(names).toEqual(['simple_ma_cross', 'rsi', 'buy_and_hold']);
    const notifications = byStrategy(last, 'tradeflow_strategy_notifications_total');
    const signals = byStrategy(last, 'tradeflow_strategy_signals_total');
    for (const s of result.strategies) {
      expect(notifications[s.name], s.name).toBe(s.notifications);
      expect(signals[s.name], s.name).toBe(s.signals);
      const labels = { strategy: s.name, type: 'rules' };
      expect(gauge(last, 'tradeflow_strategy_errors_total', { ...labels, category: 'processing' })).toBe(
        s.errors,
      );
      expect(gauge(last, 'tradeflow_strategy_queue_depth', labels)).toBe(0);
      // The run is over: the result keeps the figures the last scrape shows.
      expect(s.queue_depth, s.name).toBe(0);
      expect(gauge(last, 'tradeflow_strategy_overruns_total', labels), s.name).toBe(s.overruns);
      expect(gauge(last, 'tradeflow_strategy_dropped_total', labels), s.name).toBe(s.dropped);
      expect(gauge(last, 'tradeflow_strategy_backpressure_events_total', labels), s.name).toBe(
        s.backpressure_events,
      );
      expect(gauge(last, 'tradeflow_strategy_processing_p99_seconds', labels), s.name).toBeCloseTo(
        s.p99_ms / 1000,
        12,
      );
      expect(gauge(last, 'tradeflow_strategy_processing_max_seconds', labels), s.name).toBeCloseTo(
        s.max_ms / 1000,
        12,
      );
    }
    for (const name of [
      'tradeflow_strategy_overruns_total',
      'tradeflow_strategy_dropped_total',
      'tradeflow_strategy_backpressure_events_total',
      'tradeflow_strategy_processing_p99_seconds',
      'tradeflow_strategy_processing_max_seconds',
    ])
      expect(Object.keys(byStrategy(last, name)), name).toEqual(names);
    expect(last.get('tradeflow_strategy_processing_seconds')?.type).toBe('histogram');
    expect(gauge(last, 'tradeflow_strategies', { type: 'rules' })).toBe(3);
    expect(gauge(last, 'tradeflow_strategies', { type: 'ml' })).toBe(0);
    expect(gauge(last, 'tradeflow_strategies', { type: 'hybrid' })).toBe(0);
    expect(gauge(last, 'tradeflow_strategies_active')).toBe(3);
    expect(gauge(last, 'tradeflow_strategies_faulted')).toBe(0);

    // Held: the run is over and the figures stay; SIGINT ends the process with exit code 0 and frees the port.
    await new Promise((r) => setTimeout(r, 100));
    expect(total(await scrape(url))).toBe(total(last));
    run.child.kill('SIGINT');
    expect(await within(run.exited, 10_000, 'exit after SIGINT')).toEqual({ code: 0, signal: null });
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 120_000);

  it('without --hold-metrics: shows a paced replay mid-run, then closes the listener and exits 0 by itself', async () => {
    // The last 400 ORCL days (about 5e10 ms) replayed in about 2 s: the pacer waits between steps, so the engine
    // lets the event loop serve scrapes mid-run. Strategies as in the example portfolio.
    const bars = readFileSync(join(ROOT, 'data/daily/orcl-1995-2014.txt'), 'utf8').trimEnd().split('\n');
    const data = join(tmp, 'orcl-last-400.csv');
    writeFileSync(data, [bars[0], ...bars.slice(-400)].join('\n') + '\n');
    const portfolio = JSON.parse(
      readFileSync(join(ROOT, 'config/examples/daily-portfolio.json'), 'utf8'),
    ) as {
      strategies: { config: object }[];
    };
    const config = join(tmp, 'paced.json');
    writeFileSync(
      config,
      JSON.stringify({
        name: 'paced',
        root: ROOT,
        speed_multiplier: 2.5e7,
        data: [{ symbol: 'ORCL', file: data }],
        strategies: portfolio.strategies.map((s) => ({ ...s, config: { ...s.config, symbols: ['ORCL'] } })),
      }),
    );
    const out = join(tmp, 'paced');
    const run = cli(['backtest', config, '--no-db', '--out', out, '--metrics-port', '0']);
    const url = await address(run);
    let exited = false;
    void run.exited.then(() => (exited = true));
    const readings = await scrapeUntil(url, () => exited, 60_000);
    expect(await within(run.exited, 20_000, 'exit after the run')).toEqual({ code: 0, signal: null });
    const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BacktestResult;
    expect(result.status).toBe('completed');
    const final = result.strategies.reduce((n, s) => n + s.notifications, 0);
    const midRun = readings.filter((f) => total(f) > 0 && total(f) < final);
    expect(
      midRun.length,
      `readings: ${readings.map((f) => total(f)).join(', ')} of ${final}`,
    ).toBeGreaterThan(0);
    for (const f of midRun) {
      expect(Object.keys(byStrategy(f, 'tradeflow_strategy_signals_total'))).toEqual([
        'simple_ma_cross',
        'rsi',
        'buy_and_hold',
      ]);
      expect(gauge(f, 'tradeflow_strategies_active')).toBe(3);
    }
    await expect(fetch(url, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  }, 120_000);
});
