// Benchmark of where strategies run: inline, in threads and with the default `auto` isolation, light and busy.
import { join, resolve } from 'node:path';
import { parseSessionConfig, type LoadedSession } from '../src/config/session-config.ts';
import { monotonicMs } from '../src/core/clock.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { writeMinuteBars } from './backtest.bench.ts';
import { type Figure, median } from './harness.ts';
import { busyWork } from './strategies-root/strategies/busy_work.ts';

const ROOT = resolve(import.meta.dirname, '..');
/** A project root of bench-only strategies (their modules import the project's src by relative path). */
const BENCH_ROOT = join(import.meta.dirname, 'strategies-root');

type Isolation = 'auto' | 'inline' | 'thread';

/** SMA periods of the five strategies; the first is the pipeline benchmark's. */
const PERIODS = [
  [10, 30],
  [5, 20],
  [20, 50],
  [15, 40],
  [8, 25],
] as const;

/** Target of the busy strategies' work per bar. */
const WORK_US = 50;

function session(options: {
  file: string;
  root: string;
  strategies: readonly { module: string; config: Record<string, unknown> }[];
  isolation: Isolation;
}): LoadedSession {
  const config = parseSessionConfig({
    name: 'bench-threads',
    data: [{ symbol: 'ORCL', file: options.file, format: 'ohlcv', interval: '1m', calendar: '24h' }],
    strategies: options.strategies.map((s, i) => ({
      module: s.module,
      name: `s${i}`,
      // `auto` is the default: left out, as a user would.
      ...(options.isolation === 'auto' ? {} : { isolation: options.isolation }),
      config: { symbols: ['ORCL'], interval: '1m', ...s.config },
    })),
  });
  return { config, name: 'bench-threads', file: join(options.root, 'bench.json'), root: options.root };
}

function smaSession(file: string, count: number, isolation: Isolation): LoadedSession {
  return session({
    file,
    root: ROOT,
    isolation,
    strategies: PERIODS.slice(0, count).map(([fast, slow]) => ({
      module: 'strategies/examples/simple_ma_cross',
      config: { fast_period: fast, slow_period: slow, position_size: 10 },
    })),
  });
}

/** Runs a session `runs` times without a store; returns the median run phase (ms) and its steps. */
async function runPhase(s: LoadedSession, runs: number): Promise<{ ms: number; steps: number }> {
  const times: number[] = [];
  let steps = 0;
  for (let run = 0; run < runs; run++) {
    const { result, facts } = await runBacktestWithResult({
      session: s,
      runId: `threads-${run}`,
      startedAt: 0,
    });
    for (const m of result.strategies) {
      if (m.status !== 'ran') throw new Error(`bench strategy ${m.name} ${m.status}: ${m.reason ?? ''}`);
    }
    steps = result.steps;
    times.push(facts.timings.runMs);
  }
  return { ms: median(times), steps };
}

const stepsPerS = (r: { ms: number; steps: number }) => r.steps / (r.ms / 1000);

/** Returns how many busyWork iterations take about `us` microseconds on this thread, unloaded. */
function calibrate(us: number): { iterations: number; us: number } {
  const timeOf = (n: number) => {
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      const t0 = monotonicMs();
      busyWork(n, 100 + i);
      samples.push((monotonicMs() - t0) * 1000);
    }
    return median(samples);
  };
  let n = 1000;
  for (let i = 0; i < 6; i++) n = Math.max(1, Math.round((n * us) / Math.max(timeOf(n), 0.01)));
  return { iterations: n, us: timeOf(n) };
}

/**
 * Strategy threads against inline strategies, run phase only (`facts.timings.runMs`, no store): one SMA cross on
 * the big file; five SMA crosses on a smaller one (the step barrier with five threads is slow); five
 * strategies doing ~50 us of arithmetic per bar, where threads can win by running in parallel.
 */
export async function threadBench(options: {
  /** One-minute bars for the one-strategy figures. */
  file: string;
  dir: string;
  runs: number;
  quick: boolean;
}): Promise<Figure[]> {
  const { file, dir, runs, quick } = options;
  const one = { inline: 0, thread: 0, steps: 0 };
  for (const isolation of ['inline', 'thread'] as const) {
    const r = await runPhase(smaSession(file, 1, isolation), runs);
    one[isolation] = stepsPerS(r);
    one.steps = r.steps;
  }

  const fiveFile = join(dir, 'orcl-1m-five.csv');
  writeMinuteBars(fiveFile, quick ? 20_000 : 50_000);
  const five = { inline: 0, thread: 0, auto: 0, steps: 0 };
  for (const isolation of ['inline', 'thread', 'auto'] as const) {
    const r = await runPhase(smaSession(fiveFile, 5, isolation), runs);
    five[isolation] = stepsPerS(r);
    five.steps = r.steps;
  }

  const busyFile = join(dir, 'orcl-1m-busy.csv');
  writeMinuteBars(busyFile, quick ? 5_000 : 20_000);
  const work = calibrate(WORK_US);
  const busy = { inline: 0, thread: 0, steps: 0 };
  for (const isolation of ['inline', 'thread'] as const) {
    const s = session({
      file: busyFile,
      root: BENCH_ROOT,
      isolation,
      strategies: PERIODS.map(() => ({
        module: 'strategies/busy_work',
        config: { work_iterations: work.iterations },
      })),
    });
    // Two runs at most: each takes seconds, long enough for a stable time.
    const r = await runPhase(s, Math.min(runs, 2));
    busy[isolation] = r.ms;
    busy.steps = r.steps;
  }

  const n = (x: number) => x.toLocaleString('en-US');
  // What the work cost per strategy and bar in the inline run, engine included: more than calibrated
  // when other processes share the cores.
  const perBarUs = (busy.inline * 1000) / (PERIODS.length * busy.steps);
  return [
    {
      key: 'inline_steps_per_s',
      label: `1 SMA cross inline, ${n(one.steps)} 1m bars, run phase, no store`,
      value: one.inline,
      unit: 'steps/s',
      better: 'higher',
    },
    {
      key: 'thread_steps_per_s',
      label: '1 SMA cross in a thread, the same bars',
      value: one.thread,
      unit: 'steps/s',
      target: 300_000,
      better: 'higher',
    },
    {
      key: 'inline5_steps_per_s',
      label: `5 SMA crosses inline, ${n(five.steps)} 1m bars`,
      value: five.inline,
      unit: 'steps/s',
      better: 'higher',
    },
    {
      key: 'default5_steps_per_s',
      label: '5 SMA crosses with the default isolation (auto), the same bars',
      value: five.auto,
      unit: 'steps/s',
      target: 0.9 * five.inline,
      better: 'higher',
    },
    {
      key: 'thread5_steps_per_s',
      label: '5 SMA crosses forced into 5 threads, the same bars',
      value: five.thread,
      unit: 'steps/s',
      better: 'higher',
    },
    {
      key: 'thread5_speedup_vs_inline5',
      label: `5 busy strategies (${work.us.toFixed(0)} us/bar calibrated, ${perBarUs.toFixed(0)} us as run inline), ${n(busy.steps)} bars: inline ${n(Math.round(busy.inline))} ms / in threads ${n(Math.round(busy.thread))} ms`,
      value: busy.inline / busy.thread,
      unit: 'x',
      target: 1,
      better: 'higher',
    },
  ];
}
