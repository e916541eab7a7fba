import { beforeAll, describe, expect, it } from 'vitest';
import { MemoryLogger } from '../core/logger.ts';
import {
  MIN,
  type EngineRun,
  metricsOf,
  paceSession,
  pressureWarnings,
  reportedSummary,
  runEngine,
  summaryOfStrategies,
  tradesOf,
} from '../../test/pace-sessions.ts';
import { BackpressureMonitor } from '../strategy/host/backpressure.ts';

describe('BackpressureMonitor', () => {
  it('counts every event and warns once per strategy and kind, naming the strategy', () => {
    const log = new MemoryLogger();
    const paused: string[] = [];
    const monitor = new BackpressureMonitor(log, (name) => paused.push(name));
    monitor.report('a', 'queue', 'warn', '9 of 10 queued');
    monitor.report('a', 'queue', 'warn', '10 of 10 queued');
    monitor.report('a', 'overruns', 'warn', 'its next bar was due while it was still busy');
    monitor.report('b', 'queue', 'warn', '8 of 10 queued');
    expect(log.records).toEqual([
      {
        level: 'warn',
        msg: 'backpressure: strategy a: its notification queue is above 80 % full (9 of 10 queued)',
      },
      {
        level: 'warn',
        msg: 'backpressure: strategy a: it keeps overrunning its steps (its next bar was due while it was still busy)',
      },
      {
        level: 'warn',
        msg: 'backpressure: strategy b: its notification queue is above 80 % full (8 of 10 queued)',
      },
    ]);
    expect([monitor.events('a'), monitor.events('b'), monitor.events('c'), monitor.total]).toEqual([
      3, 1, 0, 4,
    ]);
    expect(paused).toEqual([]);
  });

  it('pauses a strategy whose policy is "pause" on the first event of a kind, and says so', () => {
    const log = new MemoryLogger();
    const paused: string[] = [];
    const monitor = new BackpressureMonitor(log, (name) => paused.push(name));
    monitor.report('s', 'slow', 'pause', '3.000 ms per bar, 1.000 ms between bars');
    monitor.report('s', 'slow', 'pause', '4.000 ms per bar, 1.000 ms between bars');
    expect(paused).toEqual(['s']);
    expect(log.records.map((r) => r.msg)).toEqual([
      'backpressure: strategy s: its processing time per bar exceeds the time between bars (3.000 ms per bar, 1.000 ms between bars); pausing it (on_backpressure: "pause")',
    ]);
    expect(monitor.events('s')).toBe(2);
  });
});

describe('Backpressure in a replay', () => {
  const bars = 40;
  let run: EngineRun;
  beforeAll(async () => {
    // 2 ms of wall time per bar; the slow threads take 6 ms per bar, so they overrun every step.
    const slow = { busy_ms: 6, hold: true };
    run = await runEngine(
      paceSession({
        bars,
        speed: MIN / 2,
        strategies: [
          { name: 'keeps_up', isolation: 'inline', config: { hold: true } },
          { name: 'quick', config: { hold: true } },
          { name: 'laggard', config: slow },
          { name: 'pauser', on_backpressure: 'pause', config: slow },
          { name: 'dropper', queue_size: 2, on_queue_full: 'drop_oldest', config: slow },
        ],
      }),
    );
    // Five threads to start: a machine busy with other work needs more than the default 10 s.
  }, 60_000);

  it('counts overruns of a thread slower than the step budget, and it catches up from its queue', () => {
    const laggard = metricsOf(run, 'laggard');
    expect(laggard).toMatchObject({ status: 'running', notifications: bars, signals: bars, dropped: 0 });
    expect(laggard.overruns).toBeGreaterThan(0);
    expect(laggard.backpressureEvents).toBeGreaterThanOrEqual(laggard.overruns);
    // Its last signals still count: every one of them was routed.
    expect(tradesOf(run.engine, 'laggard').signals).toHaveLength(bars);
    expect([run.engine.steps, run.engine.cancelled]).toEqual([bars, false]);
  });

  it('warns once per kind of backpressure, naming the strategy', () => {
    const warnings = pressureWarnings(run.log, 'laggard');
    expect(warnings).toContain(
      'backpressure: strategy laggard: it keeps overrunning its steps (its next bar was due while it was still busy)',
    );
    const kinds = warnings.map((w) => w.replace(/ \(.*$/, ''));
    expect(new Set(kinds).size).toBe(kinds.length);
    expect(pressureWarnings(run.log, 'keeps_up')).toEqual([]);
  });

  it('pauses a strategy whose on_backpressure is "pause"; the others keep running', () => {
    const pauser = metricsOf(run, 'pauser');
    expect(pauser.status).toBe('paused');
    expect(pauser.notifications).toBeGreaterThan(0);
    expect(pauser.notifications).toBeLessThan(bars);
    expect(pressureWarnings(run.log, 'pauser')[0]).toBe(
      'backpressure: strategy pauser: it keeps overrunning its steps (its next bar was due while it was still busy); pausing it (on_backpressure: "pause")',
    );
    for (const name of ['keeps_up', 'quick', 'laggard']) {
      expect(metricsOf(run, name)).toMatchObject({ status: 'running', notifications: bars });
    }
  });

  it('drops the oldest notification of a full queue with on_queue_full "drop_oldest", and counts it', () => {
    const dropper = metricsOf(run, 'dropper');
    expect(dropper.status).toBe('running');
    expect(dropper.dropped).toBeGreaterThan(0);
    expect(dropper.notifications + dropper.dropped).toBe(bars);
    expect(tradesOf(run.engine, 'dropper').signals).toHaveLength(dropper.notifications);
  });

  it('sums the strategies’ figures in the system metrics', () => {
    expect(reportedSummary(run.metrics)).toEqual(summaryOfStrategies(run.metrics, 0));
    expect(run.metrics.system).toMatchObject({ strategiesTotal: 5, active: 4, paused: 1, faulted: 0 });
    expect(run.metrics.system.backpressureEvents).toBeGreaterThan(0);
    expect(['laggard', 'pauser', 'dropper']).toContain(run.metrics.system.slowestStrategy);
  });
});

describe('Full queues', () => {
  it('drops in a live run even with on_queue_full "block": the feed is never held up', async () => {
    const bars = 30;
    const run = await runEngine(
      paceSession({
        bars,
        strategies: [{ name: 'behind', queue_size: 2, config: { busy_ms: 3, hold: true } }],
      }),
      { syncMode: 'live' },
    );
    expect(run.engine.syncMode).toBe('live');
    const behind = metricsOf(run, 'behind');
    expect(behind.status).toBe('running');
    expect(behind.dropped).toBeGreaterThan(0);
    expect(behind.notifications + behind.dropped).toBe(bars);
    expect(tradesOf(run.engine, 'behind').signals).toHaveLength(behind.notifications);
  });

  it('blocks in a backtest with on_queue_full "block": nothing is dropped and the results equal inline', async () => {
    // One notification per symbol per step, a queue of one: every step waits for room once.
    const entry = { name: 'two_symbols', queue_size: 1, config: { symbols: ['X', 'Y'], hold: true } };
    const bars = { X: 20, Y: 20 };
    const threaded = await runEngine(paceSession({ bars, strategies: [entry] }));
    const inline = await runEngine(paceSession({ bars, strategies: [{ ...entry, isolation: 'inline' }] }));
    expect(metricsOf(threaded, 'two_symbols')).toMatchObject({ notifications: 40, dropped: 0, overruns: 0 });
    // A step that waits long for it on a busy machine may add a readiness warning; nothing else may come.
    expect(pressureWarnings(threaded.log, 'two_symbols').filter((w) => !w.includes('kept waiting'))).toEqual([
      'backpressure: strategy two_symbols: its notification queue is above 80 % full (1 of 1 queued)',
    ]);
    expect(threaded.engine.recorder.orders).toEqual(inline.engine.recorder.orders);
    expect(tradesOf(threaded.engine, 'two_symbols')).toEqual(tradesOf(inline.engine, 'two_symbols'));
    expect(tradesOf(inline.engine, 'two_symbols').trades.length).toBeGreaterThan(3);
  });

  it('terminates a thread that exits while the engine waits for room in its queue, and goes on', async () => {
    const run = await runEngine(
      paceSession({
        bars: { X: 10, Y: 10 },
        strategies: [
          { name: 'partner', isolation: 'inline', config: { symbols: ['X', 'Y'] } },
          // Its third notification is the first of step 2, which the engine hands over to make room.
          {
            name: 'exits',
            queue_size: 1,
            step_timeout_ms: 1500,
            config: { symbols: ['X', 'Y'], exit_on: 3 },
          },
        ],
      }),
    );
    expect(metricsOf(run, 'exits')).toMatchObject({
      status: 'faulted',
      faultReason: 'step timeout: still busy after 1500 ms (step_timeout_ms); terminated',
      notifications: 2,
    });
    expect(metricsOf(run, 'partner')).toMatchObject({ status: 'running', notifications: 20 });
    expect(run.engine.steps).toBe(10);
  });
});
