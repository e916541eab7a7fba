// Item 3 of the fault suite: strategy code that never returns or never settles is bounded in time, wherever
// it runs (setup, teardown, onSymbolAdded, onQualityUpdate, inline onBars), and the run goes on without it.
import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BacktestResult } from '../../src/report/result.ts';
import { ROOT } from '../helpers.ts';
import {
  barFiles,
  type Entry,
  FAULTS_ROOT,
  faultSession,
  runFaultSession,
  steady,
  strategyOf,
  tradesOf,
} from './timeouts/session.fixture.ts';

const BARS = 400;
const ISOLATIONS = ['inline', 'thread'] as const;

/** A hanging strategy's entry: hangs in `hang_in`, with short limits so the test does not wait long. */
const hangs = (
  isolation: 'inline' | 'thread',
  hangIn: string,
  extra: Readonly<Record<string, unknown>> = {},
): Entry => ({
  module: 'strategies/hangs',
  isolation,
  setup_timeout_ms: 500,
  teardown_timeout_ms: 500,
  step_timeout_ms: 800,
  config: { symbols: ['A'], interval: '1m', hang_in: hangIn },
  ...extra,
});

/** The companion's trades in a run of it alone: what every faulted run must still hold. */
const alone = await runFaultSession(faultSession({ bars: BARS, strategies: [steady()] }));
const companionTrades = tradesOf(alone.result, 'steady');

/** Runs the session with the hanging strategy first, inline then in a thread; returns both results. */
async function bothPlacements(
  hangIn: string,
  o: { bars?: number; joinAt?: number; companion?: 'inline' | 'thread' } = {},
) {
  const results = [];
  for (const isolation of ISOLATIONS) {
    const session = faultSession({
      bars: o.bars ?? BARS,
      ...(o.joinAt === undefined ? {} : { joinAt: o.joinAt }),
      strategies: [hangs(isolation, hangIn), steady(o.companion)],
    });
    results.push({ isolation, ...(await runFaultSession(session)) });
  }
  return results;
}

describe('a strategy that hangs is bounded in time, inline and in a thread; the run completes with the others intact', () => {
  for (const hangIn of ['setup_promise', 'setup_loop'] as const) {
    it(`a setup that never ${hangIn === 'setup_loop' ? 'returns' : 'settles'} is refused at setup_timeout_ms`, async () => {
      for (const { isolation, result } of await bothPlacements(hangIn, { companion: 'thread' })) {
        expect(result.status, isolation).toBe('completed');
        expect(strategyOf(result, 'hangs'), isolation).toMatchObject({
          status: 'not_started',
          reason: 'setup did not finish within 500 ms (setup_timeout_ms)',
        });
        expect(tradesOf(result, 'steady'), isolation).toEqual(companionTrades);
      }
    });
  }

  for (const hangIn of ['teardown_promise', 'teardown_loop'] as const) {
    it(`a teardown that never ${hangIn === 'teardown_loop' ? 'returns' : 'settles'} is given up at teardown_timeout_ms`, async () => {
      for (const { isolation, result } of await bothPlacements(hangIn)) {
        expect(result.status, isolation).toBe('completed');
        const s = strategyOf(result, 'hangs');
        expect(s.status, isolation).toBe('faulted');
        expect(s.reason, isolation).toBe('teardown did not finish within 500 ms (teardown_timeout_ms)');
        expect(s.notifications, isolation).toBe(BARS);
        expect(tradesOf(result, 'steady'), isolation).toEqual(companionTrades);
      }
    });
  }

  it('an onSymbolAdded that never returns faults its strategy at step_timeout_ms', async () => {
    for (const { isolation, result } of await bothPlacements('symbol_added', { joinAt: 100 })) {
      expect(result.status, isolation).toBe('completed');
      const s = strategyOf(result, 'hangs');
      expect(s.status, isolation).toBe('faulted');
      expect(s.reason, isolation).toMatch(
        isolation === 'inline'
          ? /^onSymbolAdded\(B\) did not return within 800 ms \(step_timeout_ms\); interrupted$/
          : /^step timeout: still busy after \d+ ms \(step_timeout_ms per queued notification\) with a control request; terminated$/,
      );
      // It heard the bars before the join, none after.
      expect(s.notifications, isolation).toBeGreaterThanOrEqual(100);
      expect(s.notifications, isolation).toBeLessThan(BARS);
      expect(tradesOf(result, 'steady'), isolation).toEqual(companionTrades);
    }
  });

  it('an onQualityUpdate that never returns faults its strategy at step_timeout_ms', async () => {
    // 2000 minute bars cross midnight: the new session day brings the first quality update.
    const bars = 2000;
    const reference = tradesOf(
      (await runFaultSession(faultSession({ bars, strategies: [steady()] }))).result,
      'steady',
    );
    expect(reference).toHaveLength(bars / 10);
    for (const { isolation, result } of await bothPlacements('quality', { bars })) {
      expect(result.status, isolation).toBe('completed');
      const s = strategyOf(result, 'hangs');
      expect(s.status, isolation).toBe('faulted');
      expect(s.reason, isolation).toBe(
        isolation === 'inline'
          ? 'onQualityUpdate(A, 1m) did not return within 800 ms (step_timeout_ms); interrupted'
          : 'step timeout: still busy after 800 ms (step_timeout_ms); terminated',
      );
      expect(tradesOf(result, 'steady'), isolation).toEqual(reference);
    }
  });

  it('inline: an onBars that never returns is interrupted at step_timeout_ms and faulted; the run completes', async () => {
    const { result, log } = await runFaultSession(
      faultSession({
        bars: BARS,
        strategies: [
          hangs('inline', 'bars', {
            config: { symbols: ['A'], interval: '1m', hang_in: 'bars', on_bar: 50 },
          }),
          steady(),
        ],
      }),
    );
    expect(result.status).toBe('completed');
    const s = strategyOf(result, 'hangs');
    expect(s).toMatchObject({
      status: 'faulted',
      isolation: 'inline',
      reason: 'onBars(A, 1m) did not return within 800 ms (step_timeout_ms); interrupted',
    });
    expect(s.notifications).toBe(49);
    expect(companionTrades).toHaveLength(BARS / 10);
    expect(log.records.some((r) => r.level === 'error' && r.msg.includes('the run goes on without it'))).toBe(
      true,
    );
    // Its position from its first bar is still held; the companion's trades are exactly those of a run alone.
    expect(result.open_positions.filter((p) => p.strategy === 'hangs')).toHaveLength(1);
    expect(tradesOf(result, 'steady')).toEqual(companionTrades);
    expect(result.steps).toBe(alone.result.steps);
  });

  it('auto: an onBars that never returns in the warm-up sends the strategy to a thread, where its step timeout ends it', async () => {
    const { result } = await runFaultSession(
      faultSession({
        bars: BARS,
        strategies: [
          hangs('inline', 'bars', {
            isolation: 'auto',
            config: { symbols: ['A'], interval: '1m', hang_in: 'bars', on_bar: 40 },
          }),
          steady(),
        ],
      }),
    );
    expect(result.status).toBe('completed');
    const s = strategyOf(result, 'hangs');
    expect(s.isolation).toBe('thread');
    expect(s.placement).toBe(
      'auto: its warm-up onBars did not return within 800 ms (step_timeout_ms), so it runs in a thread, where its step timeout can end it',
    );
    expect(s.status).toBe('faulted');
    expect(s.reason).toBe('step timeout: still busy after 800 ms (step_timeout_ms); terminated');
    expect(tradesOf(result, 'steady')).toEqual(companionTrades);
  });
});

/** Runs the real CLI on a session file; sends `signal` once stderr says the inline strategy is looping. */
function stuckCli(file: string, args: readonly string[], signal: NodeJS.Signals) {
  return new Promise<{ code: number | null; stderr: string; afterSignalMs: number }>((done, fail) => {
    const child = spawn(process.execPath, ['bin/tradeflow.mjs', 'backtest', file, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let sentAt = Number.NaN;
    // Far past the bound under test: only a run that never ends gets here.
    const guard = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.stdout.resume();
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      stderr += s;
      if (Number.isNaN(sentAt) && stderr.includes('hangs: looping')) {
        sentAt = performance.now();
        child.kill(signal);
      }
    });
    child.on('error', fail);
    child.on('close', (code) => {
      clearTimeout(guard);
      done({ code, stderr, afterSignalMs: performance.now() - sentAt });
    });
  });
}

describe('Ctrl-C and SIGTERM end a CLI backtest whose inline strategy is stuck, with results written', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal}: the stuck call is interrupted at step_timeout_ms, then the run stops as cancelled`, async () => {
      const { dir, data } = barFiles(20_000);
      const file = join(dir, 'stuck.json');
      writeFileSync(
        file,
        JSON.stringify({
          name: 'stuck',
          root: FAULTS_ROOT,
          data,
          strategies: [
            {
              module: 'strategies/hangs',
              isolation: 'inline',
              step_timeout_ms: 1500,
              config: { symbols: ['A'], interval: '1m', hang_in: 'bars', on_bar: 50 },
            },
            // Half a millisecond a bar keeps the run going for about 10 s after the stuck call is ended.
            { ...steady(), config: { symbols: ['A'], interval: '1m', busy_ms: 0.5 } },
          ],
        }),
      );
      const out = join(dir, 'out');
      const db = join(dir, 'runs.db');
      const run = await stuckCli(file, ['--out', out, '--db', db, '--json'], signal);
      // The bound: step_timeout_ms (1.5 s), then the next look at the signal (about 0.1 s), then writing
      // the results; the limit here is generous and only tells a bounded stop from a hang.
      expect(run.afterSignalMs).toBeLessThan(20_000);
      expect(run.code, run.stderr).toBe(130);
      const result = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8')) as BacktestResult;
      expect(result.status).toBe('cancelled');
      expect(strategyOf(result, 'hangs')).toMatchObject({
        status: 'faulted',
        reason: 'onBars(A, 1m) did not return within 1500 ms (step_timeout_ms); interrupted',
      });
      expect(result.steps).toBeGreaterThan(50);
      expect(result.steps).toBeLessThan(20_000);
      const store = new Database(db, { readonly: true });
      try {
        const row = store.prepare('SELECT id, status FROM runs').get() as { id: string; status: string };
        expect(row).toEqual({ id: result.run_id, status: 'cancelled' });
        const trades = store.prepare('SELECT count(*) AS n FROM trades WHERE run_id = ?').get(row.id) as {
          n: number;
        };
        expect(trades.n).toBe(result.trades.length);
        expect(store.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        store.close();
      }
    }, 60_000);
  }
});
