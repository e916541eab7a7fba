import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { paceSession, runEngine } from '../../test/pace-sessions.ts';
import {
  fixtureSession,
  isolationFree,
  minuteBars,
  runSession,
  withIsolation,
} from '../../test/fixture-sessions.ts';
import { placementsOf } from '../strategy/host/placement.ts';
import { loadStrategies } from '../strategy/loader.ts';
import { waitPolicy } from '../strategy/host/wait-policy.ts';

// `isolation: "auto"`, the default: a data-driven backtest runs a strategy inline unless a warm-up before
// the run measures enough work per bar for a thread to pay; a replay or live run isolates it in a thread.

const twoCores = availableParallelism() >= 2;
const measured = (side: 'under' | 'at least') =>
  new RegExp(`^auto: measured [0-9.]+ us per bar in a warm-up, ${side} the 25 us a thread repays$`);

describe('isolation "auto"', () => {
  // A light strategy and one that computes for 0.2 ms per bar, both left at the default.
  const session = fixtureSession({
    data: { X: minuteBars(60) },
    strategies: [
      {
        module: 'slow',
        name: 'light',
        isolation: 'auto',
        config: { symbols: ['X'], interval: '1m', busy_ms: 0 },
      },
      {
        module: 'slow',
        name: 'heavy',
        isolation: 'auto',
        config: { symbols: ['X'], interval: '1m', busy_ms: 0.2 },
      },
    ],
  });

  it('runs a light strategy inline and a heavy one in a thread, says why, and trades exactly as inline', async () => {
    const auto = await runSession(session, 'auto');
    const inline = await runSession(withIsolation(session, 'inline'), 'inline');
    const where = auto.engine.getMetrics().strategies.map((m) => [m.name, m.isolation, m.placement]);
    expect(where).toEqual(
      twoCores
        ? [
            ['light', 'inline', expect.stringMatching(measured('under'))],
            ['heavy', 'thread', expect.stringMatching(measured('at least'))],
          ]
        : [
            ['light', 'inline', 'auto: one core, so a thread could not run beside the engine'],
            ['heavy', 'inline', 'auto: one core, so a thread could not run beside the engine'],
          ],
    );
    expect(auto.result.strategies.map((s) => [s.name, s.isolation, s.placement])).toEqual(where);
    expect(isolationFree(auto.result)).toEqual(isolationFree(inline.result));
    expect(auto.engine.recorder.fills).toEqual(inline.engine.recorder.fills);
    expect(auto.result.trades.length).toBeGreaterThan(5);
    // The warm-up ran a second instance: the strategies themselves heard every bar once.
    expect(auto.result.strategies.map((s) => s.notifications)).toEqual([60, 60]);
  });

  it('says so when an entry forces the choice', async () => {
    const forced = await runSession(withIsolation(session, 'thread'), 'forced');
    expect(forced.result.strategies.map((s) => [s.isolation, s.placement])).toEqual([
      ['thread', 'isolation "thread" in its entry'],
      ['thread', 'isolation "thread" in its entry'],
    ]);
  });

  it('isolates every strategy in a thread in a replay', async () => {
    const replay = paceSession({
      bars: 5,
      speed: 600,
      strategies: [{ name: 'p', isolation: 'auto' }],
    });
    const run = await runEngine(replay);
    expect(run.metrics.strategies.map((m) => [m.isolation, m.placement])).toEqual([
      ['thread', 'auto: in a replay, each strategy is isolated in its own thread'],
    ]);
  });

  it('runs inline on one core, and when only aggregated series (empty before the run) could be measured', async () => {
    const loaded = await loadStrategies(session.root, session.config.strategies);
    const data = { series: () => undefined, calendar: () => undefined, cash: () => 100_000 };
    const wait = waitPolicy('data');
    expect((await placementsOf(loaded, { wait, data, cores: 1 })).map((p) => p.reason)).toEqual([
      'auto: one core, so a thread could not run beside the engine',
      'auto: one core, so a thread could not run beside the engine',
    ]);
    expect(
      (await placementsOf(loaded, { wait, data, cores: 2 })).map((p) => [p.isolation, p.reason]),
    ).toEqual([
      ['inline', 'auto: no loaded bars to measure it on before the run (inline)'],
      ['inline', 'auto: no loaded bars to measure it on before the run (inline)'],
    ]);
  });
});
