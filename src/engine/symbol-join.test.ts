import { describe, expect, it } from 'vitest';
import type { LoadedSession } from '../config/session-config.ts';
import { scriptedFeed } from '../data/feeds/feed.fixture.ts';
import { isTradeflowError } from '../core/errors.ts';
import { MemoryLogger } from '../core/logger.ts';
import type { BarFeed } from '../data/feeds/bar-feed.ts';
import {
  type BarRow,
  closeOf,
  fixtureSession,
  isolationFree,
  minuteBars,
  runSession,
  withIsolation,
} from '../../test/fixture-sessions.ts';
import type { JoinReport } from '../../test/fixtures/project/strategies/join_probe.ts';
import { Engine } from './kernel.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const pick = ({ open, high, low, close, volume }: BarRow) => ({ open, high, low, close, volume });

/** The session with `symbol`'s data source joining at `at` (epoch ms). */
function joining(session: LoadedSession, symbol: string, at: number): LoadedSession {
  const data = session.config.data.map((d) => (d.symbol === symbol ? { ...d, join_at: iso(at) } : d));
  return { ...session, config: { ...session.config, data } };
}

/** What each join_probe instance reported, by instance name, in notification order. */
function reports(run: { engine: Engine }, name = 'p'): JoinReport[] {
  return run.engine.recorder.signals
    .filter((s) => s.strategy === name && s.signal.action === 'HOLD')
    .map((s) => s.signal.metadata as unknown as JoinReport);
}

const probe = (config: Record<string, unknown>) => ({
  module: 'join_probe',
  name: 'p',
  config: { symbols: ['X'], interval: '1m' as const, ...config },
});

const XY = { X: minuteBars(20), Y: minuteBars(20, (i) => 50 + i) };

describe('a symbol joining the session (join_at)', () => {
  const session = joining(fixtureSession({ data: XY, strategies: [probe({})] }), 'Y', closeOf(9));

  it('publishes its bars up to the join as history, steps the later ones, and tells the strategy, in threads as inline', async () => {
    const inline = await runSession(withIsolation(session, 'inline'), 'inline');
    const threads = await runSession(withIsolation(session, 'thread'), 'threads');
    for (const run of [inline, threads]) {
      const ys = reports(run).filter((r) => r.symbol === 'Y');
      expect(ys).toHaveLength(10);
      // Bars 0..9 are history when it joins after the step at closeOf(9); bar 10 is its first step.
      expect(ys[0]).toMatchObject({ now: closeOf(10), length: 11, lastTime: closeOf(10), lastClose: 60.5 });
      expect(ys[0]!.heard).toEqual([`Y@${closeOf(9)}`]);
      expect(ys.at(-1)).toMatchObject({ now: closeOf(19), length: 20, position: 1 });
      expect(reports(run).filter((r) => r.symbol === 'X')).toHaveLength(20);
      expect(reports(run).find((r) => r.symbol === 'X' && r.now === closeOf(9))!.heard).toEqual([]);
      // The buy on its first stepped bar fills at the next bar's open.
      expect(run.result.open_positions).toEqual([expect.objectContaining({ symbol: 'Y', quantity: 1 })]);
      const fill = run.engine.recorder.fills.find((f) => f.symbol === 'Y')!;
      expect([fill.ts, fill.price]).toEqual([closeOf(11), 61]);
      expect(run.engine.getMetrics().strategies[0]).toMatchObject({
        subscriptions: [
          ['X', '1m'],
          ['Y', '1m'],
        ],
        errors: 0,
      });
      expect(
        run.log.records.some((l) =>
          l.msg.includes('Y joined the session with 10 bars of history; subscribed: p'),
        ),
      ).toBe(true);
    }
    expect(isolationFree(threads.result)).toEqual(isolationFree(inline.result));
    expect(reports(threads)).toEqual(reports(inline));
  });

  it('tells a thread strategy notified only now and then at the time of the join, as inline', async () => {
    const sparse = joining(
      fixtureSession({ data: XY, strategies: [probe({ interval: '5m', join_interval: '1m' })] }),
      'Y',
      closeOf(7),
    );
    for (const isolation of ['inline', 'thread'] as const) {
      const run = await runSession(withIsolation(sparse, isolation), `sparse-${isolation}`);
      const ys = reports(run).filter((r) => r.symbol === 'Y');
      expect(ys[0], isolation).toMatchObject({ now: closeOf(8), heard: [`Y@${closeOf(7)}`], quality: 100 });
    }
  });

  it('lets a strategy thread read the joined series in place: a value written to its shared column after the join shows', async () => {
    const sentinel = 4242.25;
    const engine: Engine = await Engine.create({
      session: withIsolation(session, 'thread'),
      runId: 'joined-in-place',
      logger: new MemoryLogger(),
      progressEvery: 1,
      onProgress: () => {
        if (engine.steps === 14)
          new Float64Array(engine.loaded.data.get('Y', '1m')!.descriptor.close)[0] = sentinel;
      },
    });
    try {
      await engine.run();
    } finally {
      await engine.stop();
    }
    const ys = reports({ engine }).filter((r) => r.symbol === 'Y');
    expect(ys.map((r) => r.watched)).toEqual([
      ...Array<number>(4).fill(50.5),
      ...Array<number>(6).fill(sentinel),
    ]);
  });

  it('builds an aggregated series of the joined symbol from its history, equal to one there from the start', async () => {
    const fiveMinute = fixtureSession({ data: XY, strategies: [probe({ join_interval: '5m' })] });
    const joined = await runSession(withIsolation(joining(fiveMinute, 'Y', closeOf(12)), 'thread'), 'agg');
    const y5 = reports(joined).filter((r) => r.symbol === 'Y');
    // Buckets closing at bars 4 and 9 are history; the bucket of bars 10..14 closes in the run.
    expect(y5.map((r) => [r.interval, r.now, r.length])).toEqual([
      ['5m', closeOf(14), 3],
      ['5m', closeOf(19), 4],
    ]);
    const fromStart = await runSession(
      withIsolation(
        fixtureSession({
          data: XY,
          strategies: [{ module: 'zero_copy', name: 'z', config: { symbols: ['Y'], interval: '5m' } }],
        }),
        'inline',
      ),
      'agg-start',
    );
    const a = joined.engine.loaded.data.get('Y', '5m')!;
    const b = fromStart.engine.loaded.data.get('Y', '5m')!;
    const rows = (s: typeof a) =>
      Array.from({ length: s.length }, (_, i) => [
        s.timeAt(i),
        s.openAt(i),
        s.highAt(i),
        s.lowAt(i),
        s.closeAt(i),
        s.volumeAt(i),
      ]);
    expect(rows(a)).toEqual(rows(b));
    expect(a.length).toBe(4);
  });

  it('keeps the subscriptions of a strategy whose onSymbolAdded throws, counting the error, in threads as inline', async () => {
    const throws = joining(
      fixtureSession({ data: XY, strategies: [probe({ on_join: 'throw' })] }),
      'Y',
      closeOf(9),
    );
    for (const isolation of ['inline', 'thread'] as const) {
      const run = await runSession(withIsolation(throws, isolation), `throw-${isolation}`);
      expect(reports(run).every((r) => r.symbol === 'X')).toBe(true);
      expect(reports(run)).toHaveLength(20);
      expect(run.engine.getMetrics().strategies[0]).toMatchObject({
        subscriptions: [['X', '1m']],
        errors: 1,
      });
      expect(run.log.records.map((l) => l.msg)).toContain(
        'strategy p: onSymbolAdded(Y) threw: cannot follow Y; it keeps its subscriptions',
      );
    }
  });

  it('keeps the subscriptions of a strategy that asks for a symbol no source provides, naming it', async () => {
    const unknown = joining(
      fixtureSession({ data: XY, strategies: [probe({ on_join: 'unknown' })] }),
      'Y',
      closeOf(9),
    );
    for (const isolation of ['inline', 'thread'] as const) {
      const run = await runSession(withIsolation(unknown, isolation), `unknown-${isolation}`);
      expect(reports(run)).toHaveLength(20);
      expect(run.log.records.map((l) => l.msg)).toContain(
        'strategy p subscribes to NOPE, which no data source provides (loaded: X, Y); it keeps its subscriptions',
      );
    }
  });

  it('warns about a symbol due to join after the last bar, which never joins', async () => {
    const late = joining(fixtureSession({ data: XY, strategies: [probe({})] }), 'Y', closeOf(40));
    const run = await runSession(withIsolation(late, 'inline'), 'late');
    expect(run.engine.loaded.symbols).toEqual(['X']);
    expect(run.log.records.map((l) => l.msg)).toContain(
      `data[1]: Y was to join at ${iso(closeOf(40))}, after the session's last bar; it never joined`,
    );
  });

  it('checks a joining source when the session loads, before any step', async () => {
    const bad = joining(
      fixtureSession({
        data: { X: minuteBars(5), Y: minuteBars(5, (i) => (i === 3 ? -1 : 50)) },
        strategies: [probe({})],
      }),
      'Y',
      closeOf(2),
    );
    const error = await Engine.create({ session: bad, runId: 'bad' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(error) && error.message).toMatch(/Y\.csv:5: /);
  });
});

describe('a symbol joining a live run', () => {
  it("takes the joined symbol's bars from the feed once it has joined, with all its file as history", async () => {
    const xy = fixtureSession({
      data: { X: minuteBars(10), Y: minuteBars(13, (i) => 50 + i) },
      strategies: [probe({})],
    });
    const ySource = xy.config.data.find((d) => d.symbol === 'Y')!;
    const session: LoadedSession = {
      ...xy,
      config: { ...xy.config, data: xy.config.data.filter((d) => d.symbol === 'X') },
    };
    const live = minuteBars(20, (i) => 50 + i);
    const bar = (symbol: string, i: number) => ({
      symbol,
      interval: '1m' as const,
      tsClose: closeOf(i),
      ...pick(live[i]!),
    });
    for (const isolation of ['inline', 'thread'] as const) {
      const engine = await Engine.create({
        session: withIsolation(session, isolation),
        runId: `live-${isolation}`,
        logger: new MemoryLogger(),
        syncMode: 'live',
      });
      let added: Promise<unknown> | undefined;
      const feed: BarFeed = scriptedFeed('script', (h) => {
        void (async () => {
          for (let i = 10; i < 13; i++) h.onBar(bar('X', i));
          added = engine.addSymbol(ySource);
          for (let i = 13; i < 20; i++) {
            h.onBar(bar('X', i));
            h.onBar(bar('Y', i));
            await new Promise((r) => setImmediate(r));
          }
          h.onEnd({ outcome: 'completed', reason: 'script done' });
        })();
      });
      try {
        await engine.runLive(feed);
      } finally {
        await engine.stop();
      }
      await expect(added).resolves.toMatchObject({ symbol: 'Y', historyBars: 13, subscribers: ['p'] });
      expect(engine.liveRejected).toBe(0);
      const ys = reports({ engine }).filter((r) => r.symbol === 'Y');
      if (isolation === 'inline') {
        expect(ys.map((r) => [r.now, r.length])).toEqual(
          Array.from({ length: 7 }, (_, k) => [closeOf(13 + k), 14 + k]),
        );
      } else {
        // A live run does not wait for threads: a late one reads the bars published by the time it runs.
        expect(ys).toHaveLength(7);
        expect(ys.every((r, k) => r.length >= 14 + k && r.length <= 20)).toBe(true);
      }
    }
  });
});

describe('engine.addSymbol and engine.updateSubscriptions', () => {
  const xOnly = fixtureSession({ data: XY, strategies: [probe({ late: ['X', '5m'], late_after: 4 })] });
  const ySource = xOnly.config.data.find((d) => d.symbol === 'Y')!;
  const session: LoadedSession = {
    ...xOnly,
    config: { ...xOnly.config, data: xOnly.config.data.filter((d) => d.symbol === 'X') },
  };

  it('adds a symbol between two steps of a running backtest, and rebuilds the map when asked, in threads as inline', async () => {
    const outcomes: Record<string, unknown[]> = {};
    for (const isolation of ['inline', 'thread'] as const) {
      const pending: Promise<unknown>[] = [];
      const engine: Engine = await Engine.create({
        session: withIsolation(session, isolation),
        runId: `add-${isolation}`,
        logger: new MemoryLogger(),
        progressEvery: 1,
        onProgress: () => {
          if (engine.steps !== 6 || pending.length > 0) return;
          pending.push(engine.addSymbol(ySource));
          pending.push(
            engine
              .addSymbol({ symbol: 'Z', file: `${ySource.file}.missing`, format: 'ohlcv' })
              .catch((e: Error) => e.message),
          );
          pending.push(engine.updateSubscriptions());
        },
      });
      try {
        await engine.run();
      } finally {
        await engine.stop();
      }
      outcomes[isolation] = await Promise.all(pending);
      const rs = reports({ engine });
      const ys = rs.filter((r) => r.symbol === 'Y');
      // Asked after step 6: Y joins before step 7 with bars 0..5 as history.
      expect(ys[0]).toMatchObject({ now: closeOf(6), length: 7 });
      expect(ys).toHaveLength(14);
      // The late 5m subscription is routed from then on: buckets closing at bars 9, 14 and 19.
      expect(rs.filter((r) => r.interval === '5m').map((r) => r.now)).toEqual([
        closeOf(9),
        closeOf(14),
        closeOf(19),
      ]);
      expect(engine.getMetrics().strategies[0]).toMatchObject({
        subscriptions: [
          ['X', '1m'],
          ['Y', '1m'],
          ['X', '5m'],
        ],
        errors: 0,
      });
    }
    expect(outcomes.thread).toEqual(outcomes.inline);
    expect(outcomes.inline![0]).toEqual({ symbol: 'Y', historyBars: 6, subscribers: ['p'] });
    expect(outcomes.inline![1]).toMatch(/Y\.csv\.missing/);
  });

  it('applies changes asked for before the run one after the other, before the first step', async () => {
    const engine = await Engine.create({ session: withIsolation(session, 'thread'), runId: 'before' });
    const z = { ...ySource, symbol: 'Z' };
    const both = [engine.addSymbol(ySource), engine.addSymbol(z), engine.updateSubscriptions()];
    try {
      await engine.run();
    } finally {
      await engine.stop();
    }
    await expect(Promise.all(both)).resolves.toEqual([
      { symbol: 'Y', historyBars: 0, subscribers: ['p'] },
      { symbol: 'Z', historyBars: 0, subscribers: ['p'] },
      undefined,
    ]);
    const rs = reports({ engine });
    expect(
      ['X', 'Y', 'Z'].map((s) => rs.filter((r) => r.symbol === s && r.interval === '1m').length),
    ).toEqual([20, 20, 20]);
  });

  it('says a symbol joins later when a strategy subscribes to it at start', async () => {
    const early = joining(
      fixtureSession({ data: XY, strategies: [probe({ symbols: ['X', 'Y'] })] }),
      'Y',
      closeOf(9),
    );
    await expect(Engine.create({ session: early, runId: 'early' })).rejects.toThrow(
      /subscribes to Y, which joins the session later \(its data source's join_at\)/,
    );
  });

  it('refuses a bad data source or a symbol already in the session, naming the field', async () => {
    const engine = await Engine.create({ session: withIsolation(session, 'inline'), runId: 'refuse' });
    try {
      await expect(engine.addSymbol({ symbol: 'Y' })).rejects.toThrow(/addSymbol\.file/);
      await expect(engine.addSymbol({ ...ySource, symbol: 'X' })).rejects.toThrow(
        /addSymbol\.symbol: X is already loaded/,
      );
      expect(engine.loaded.symbols).toEqual(['X']);
    } finally {
      await engine.stop();
    }
  });
});
