// Benchmark of scheduled strategies and run events: ticks per second of a 30s-tick strategy over minute
// bars, and what an `--events` file costs the SMA cross backtest.
import { join } from 'node:path';
import type { LoadedSession } from '../src/config/session-config.ts';
import { openEventsFile } from '../src/cli/events-file.ts';
import { runBacktestWithResult } from '../src/report/backtest-outcome.ts';
import { type Figure, median } from './harness.ts';

/** The session with its strategy swapped for tick_ma_cross on a 30s tick (two ticks per minute bar). */
function tickSession(session: LoadedSession): LoadedSession {
  const strategies = session.config.strategies.map((s) => ({
    ...s,
    module: 'strategies/examples/tick_ma_cross',
    tick_interval: 30_000,
  }));
  return { ...session, config: { ...session.config, strategies } };
}

/**
 * Ticks per second of run (tick steps between bars included) for tick_ma_cross on a 30s tick; and the
 * SMA cross backtest without a store, with and without an events file.
 */
export async function ticksBench(options: {
  session: LoadedSession;
  dir: string;
  runs: number;
}): Promise<Figure[]> {
  const { dir } = options;
  const ticking = tickSession(options.session);
  const tickRates: number[] = [];
  const plain: number[] = [];
  const withEvents: number[] = [];
  let ticks = 0;
  let events = 0;
  let bars = 0;
  for (let run = 0; run < options.runs; run++) {
    const t = await runBacktestWithResult({ session: ticking, runId: `ticks-${run}`, startedAt: 0 });
    // Its notifications are its bars and its ticks.
    ticks = (t.result.strategies[0]?.notifications ?? 0) - t.result.bars;
    tickRates.push(ticks / (t.facts.timings.runMs / 1000));
    const bare = await runBacktestWithResult({
      session: options.session,
      runId: `bare-${run}`,
      startedAt: 0,
    });
    bars = bare.result.bars;
    plain.push(bars / (bare.facts.timings.runMs / 1000));
    const file = openEventsFile(join(dir, `events-${run}.jsonl`));
    try {
      const e = await runBacktestWithResult({
        session: options.session,
        runId: `events-${run}`,
        startedAt: 0,
        events: file.events,
      });
      withEvents.push(e.result.bars / (e.facts.timings.runMs / 1000));
    } finally {
      file.close();
    }
    events = file.lines();
  }
  return [
    {
      key: 'ticks_per_s',
      label: `tick_ma_cross on a 30s tick over the 1m bars (${ticks.toLocaleString('en-US')} ticks, half of them steps of their own)`,
      value: median(tickRates),
      unit: 'ticks/s',
      better: 'higher',
    },
    {
      key: 'bars_per_s_events_off',
      label: `SMA cross, ${bars.toLocaleString('en-US')} 1m bars, no store, no events listener`,
      value: median(plain),
      unit: 'bars/s',
      better: 'higher',
    },
    {
      key: 'bars_per_s_events_file',
      label: `the same run writing an events file (${events.toLocaleString('en-US')} lines)`,
      value: median(withEvents),
      unit: 'bars/s',
      better: 'higher',
    },
  ];
}
