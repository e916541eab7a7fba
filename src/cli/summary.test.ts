import { describe, expect, it } from 'vitest';
import { scriptedFeed } from '../data/feeds/feed.fixture.ts';
import { runBacktestWithResult } from '../report/backtest-outcome.ts';
import { fixtureSession, minuteBars, runSession } from '../../test/fixture-sessions.ts';
import { MIN, paceSession } from '../../test/pace-sessions.ts';
import { formatMetrics, formatSummary } from './summary.ts';

describe('the summary title', () => {
  it('names the kind of run: Backtest, Replay (speed_multiplier > 0) or Live (a feed)', async () => {
    const session = (speed: number) =>
      paceSession({ bars: 5, speed, strategies: [{ name: 'a', isolation: 'inline' }] });
    const run = (o: { speed: number; live?: boolean }) =>
      runBacktestWithResult({
        session: session(o.speed),
        runId: 'title',
        startedAt: 0,
        // A feed that ends at once: the bar files are the live run's warm-up.
        ...(o.live
          ? { feed: scriptedFeed('ends', (h) => h.onEnd({ outcome: 'completed', reason: 'done' })) }
          : {}),
      });
    const runs = [await run({ speed: 0 }), await run({ speed: MIN }), await run({ speed: 0, live: true })];
    expect(runs.map(({ result }) => [result.kind, formatSummary(result).split('\n')[0]])).toEqual([
      ['backtest', 'Backtest pace-test'],
      ['replay', 'Replay pace-test'],
      ['live', 'Live pace-test'],
    ]);
  });
});

describe('the metrics table after a run', () => {
  it('shows each strategy with its figures, model errors for a strategy with a model, and the ones that did not start', async () => {
    const run = await runSession(
      fixtureSession({
        data: { X: minuteBars(8) },
        strategies: [
          { module: 'thrower', name: 'rules', config: { symbols: ['X'], interval: '1m', throw_on: [2] } },
          {
            module: 'misfit_model',
            name: 'model',
            isolation: 'inline',
            config: { symbols: ['X'], interval: '1m', fail_on: [2, 3], buy_on: [1] },
          },
          { module: 'thrower', name: 'refuses', config: { symbols: ['X'], interval: '1m', setup: 'false' } },
        ],
      }),
      'summary',
    );
    const lines = formatMetrics(run.result, run.engine.getMetrics()).split('\n');
    expect(lines[0]).toBe('Strategies');
    // Columns are at least two spaces apart; a blank cell leaves a wider gap, so split on the header's starts.
    const header = lines[1]!;
    const starts = [...header.matchAll(/(?<=^ {2}|\S {2,})\S/g)].map((m) => m.index);
    const cells = (line: string) =>
      Object.fromEntries(
        starts.map((s, i) => [
          header.slice(s, starts[i + 1] ?? header.length).trim(),
          line.slice(s, starts[i + 1] ?? line.length).trim(),
        ]),
      );
    expect(cells(lines[2]!)).toMatchObject({
      strategy: 'rules',
      where: 'thread',
      status: 'running',
      bars: '8',
      errors: '1',
      'model errors': '',
    });
    expect(cells(lines[3]!)).toMatchObject({
      strategy: 'model',
      where: 'inline',
      bars: '8',
      signals: '1',
      errors: '0',
      'model errors': '2',
    });
    // The table's figures are the ones the result keeps, written as the table writes them.
    const [rules, model] = run.result.strategies;
    for (const [line, s] of [
      [lines[2]!, rules!],
      [lines[3]!, model!],
    ] as const) {
      expect(cells(line), s.name).toMatchObject({
        bars: String(s.notifications),
        signals: String(s.signals),
        errors: String(s.errors),
        'bad signals': String(s.invalid_signals),
        'avg ms': s.avg_ms.toFixed(3),
        'p99 ms': s.p99_ms.toFixed(3),
        'max ms': s.max_ms.toFixed(3),
        overruns: String(s.overruns),
        dropped: String(s.dropped),
        queue: String(s.queue_depth),
        backpressure: String(s.backpressure_events),
      });
    }
    expect(model).toMatchObject({ inference_errors: 2 });
    expect(cells(lines[4]!)).toMatchObject({ strategy: 'refuses', status: 'not started', bars: '' });
    expect(lines.slice(5)).toEqual([
      '  refuses: setup returned false',
      expect.stringMatching(
        /^ {2}3 strategies: 2 active, 0 paused, 0 faulted; 1 signals; slowest (rules|model); lag avg 0\.000 ms, max 0\.000 ms; 0 backpressure events$/,
      ),
    ]);
  });
});
