// The watch of a running session driven through fake streams and a hand-turned timer, over real engines:
// each key reaches the engine, `q` ends the run cancelled, the terminal is given back on every way out,
// and without a terminal the run prints its fills and status lines.
import type { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../core/logger.ts';
import { Engine } from '../../engine/kernel.ts';
import { runBacktestWithResult } from '../../report/backtest-outcome.ts';
import { paceSession, MIN } from '../../../test/pace-sessions.ts';
import { buy, probeSession } from '../../../test/probe-sessions.ts';
import { fillLine } from './plain-lines.ts';
import { createRunWatch } from './run-watch.ts';
import { fakeScreen, fakeTty, handTimer, settle } from './run-watch.fixture.ts';

const ENTER = '\x1b[?1049h\x1b[?25l';
const LEAVE = '\x1b[?25h\x1b[?1049l';

async function probeEngine() {
  return Engine.create({
    session: probeSession({
      strategies: [
        { name: 'first', config: { signals: {} } },
        { name: 'second', config: { signals: {} } },
      ],
    }),
    runId: 'keys',
    logger: new MemoryLogger(),
  });
}

describe('the terminal view', () => {
  it('pauses and resumes the engine and each strategy by key, and says what a key did', async () => {
    const engine = await probeEngine();
    const { input, raw } = fakeTty();
    const { output, writes } = fakeScreen();
    const timer = handTimer();
    const quits: string[] = [];
    const watch = createRunWatch({
      style: 'view',
      output,
      input,
      logger: new MemoryLogger(),
      every: timer.every,
      onProcessExit: () => () => {},
    });
    watch.attach(engine, { name: 'keys', onQuit: (why) => quits.push(why) });
    expect(raw).toEqual([true]);
    const state = () => ({
      paused: engine.getMetrics().system.enginePaused,
      strategies: engine.getMetrics().strategies.map((s) => s.state),
    });
    const press = async (keys: string) => {
      input.write(keys);
      await settle();
      return writes.at(-1) ?? '';
    };
    expect(await press('p')).toContain('PAUSED');
    expect(state()).toEqual({ paused: true, strategies: ['running', 'running'] });
    expect(await press('2')).toContain('strategy 2 (second) paused: it gets no bars (2 resumes)');
    expect(state()).toEqual({ paused: true, strategies: ['running', 'paused'] });
    expect(await press('p')).toContain('resumed');
    expect(await press('1')).toContain('strategy 1 (first) paused');
    expect(state()).toEqual({ paused: false, strategies: ['paused', 'paused'] });
    expect(await press('12')).toContain('strategy 2 (second) resumed');
    expect(state()).toEqual({ paused: false, strategies: ['running', 'running'] });
    expect(await press('7')).toContain('key 7: there is no strategy 7');
    // Keys that mean nothing change nothing and draw nothing.
    const drawn = writes.length;
    await press('x\x1b[A\x1b[1~0');
    expect(writes.length).toBe(drawn);
    expect(state()).toEqual({ paused: false, strategies: ['running', 'running'] });
    expect(quits).toEqual([]);
    await press('q');
    await press('\x03');
    expect(quits).toEqual(['q', 'Ctrl-C']);
    // The timer redraws.
    timer.tick();
    expect(writes.length).toBe(drawn + 3);
    watch.close();
    expect(raw).toEqual([true, false]);
    expect(writes[0]).toBe(ENTER);
    expect(writes.at(-1)).toBe(LEAVE);
    expect(input.listenerCount('data')).toBe(0);
    expect(timer.running).toBe(0);
    // Closed is closed: keys no longer reach the engine.
    input.write('p');
    await settle();
    expect(state().paused).toBe(false);
  });

  it('closes at once when the run is told to stop, and holds the run messages until then', async () => {
    const engine = await probeEngine();
    const { input, raw } = fakeTty();
    const { output, writes } = fakeScreen(60);
    const log = new MemoryLogger();
    const exitHooks: (() => void)[] = [];
    const abort = new AbortController();
    const watch = createRunWatch({
      style: 'view',
      output,
      input,
      logger: log,
      every: handTimer().every,
      onProcessExit: (fn) => {
        exitHooks.push(fn);
        return () => exitHooks.splice(exitHooks.indexOf(fn), 1);
      },
    });
    watch.logger.warn('before the view');
    watch.attach(engine, {
      name: 'abort',
      abort: abort.signal,
      onQuit: (why) => {
        watch.logger.warn(`${why}: stopping`);
        abort.abort();
      },
    });
    expect(exitHooks).toHaveLength(1);
    watch.logger.warn('a strategy said \x1b[2J something');
    input.write('p');
    await settle();
    // Shown at the bottom of the view (escaped), not yet written.
    expect(writes.at(-1)).toContain('warn: a strategy said \\x1b[2J something');
    expect(log.records.map((r) => r.msg)).toEqual(['before the view']);
    input.write('q');
    await settle();
    expect(raw).toEqual([true, false]);
    expect(writes.at(-1)).toBe(LEAVE);
    expect(exitHooks).toHaveLength(0);
    expect(log.records.map((r) => r.msg)).toEqual([
      'before the view',
      'a strategy said \x1b[2J something',
      'q: stopping',
    ]);
    watch.close();
    expect(writes.filter((w) => w === LEAVE)).toHaveLength(1);
  });

  it('gives the terminal back at process exit when nothing closed it', async () => {
    const engine = await probeEngine();
    const { input, raw } = fakeTty();
    const { output, writes } = fakeScreen();
    let atExit: (() => void) | undefined;
    const watch = createRunWatch({
      style: 'view',
      output,
      input,
      logger: new MemoryLogger(),
      every: handTimer().every,
      onProcessExit: (fn) => {
        atExit = fn;
        return () => (atExit = undefined);
      },
    });
    watch.attach(engine, { name: 'exit', onQuit: () => {} });
    atExit?.();
    expect(raw).toEqual([true, false]);
    expect(writes.at(-1)).toBe(LEAVE);
    watch.close();
  });

  it('reads no keys when stdin is not a terminal, and says so', async () => {
    const engine = await probeEngine();
    const { input, raw } = fakeTty(false);
    const { output, writes } = fakeScreen();
    const watch = createRunWatch({
      style: 'view',
      output,
      input,
      logger: new MemoryLogger(),
      every: handTimer().every,
      onProcessExit: () => () => {},
    });
    watch.attach(engine, { name: 'no keys', onQuit: () => {} });
    input.write('p');
    await settle();
    expect(engine.getMetrics().system.enginePaused).toBe(false);
    expect(writes.at(-1)).toContain('keys: none (stdin is not a terminal)');
    expect(raw).toEqual([]);
    watch.close();
  });

  it.each([
    ['q', (input: PassThrough) => input.write('q')],
    ['a stop signal (SIGTERM)', (_input: PassThrough, abort: AbortController) => abort.abort()],
  ] as const)(
    '%s stops a replay even while paused: it ends cancelled with its results so far',
    async (_how, stop) => {
      // 200 bars at 20 ms each: four seconds if nothing stopped it.
      const session = paceSession({
        bars: 200,
        speed: MIN / 20,
        strategies: [{ name: 'a', isolation: 'inline', config: { position_size: 1 } }],
      });
      const { input, raw } = fakeTty();
      const { output, writes } = fakeScreen();
      const abort = new AbortController();
      const watch = createRunWatch({
        style: 'view',
        output,
        input,
        logger: new MemoryLogger(),
        every: handTimer().every,
        onProcessExit: () => () => {},
      });
      let engine: Engine | undefined;
      const running = runBacktestWithResult({
        session,
        runId: 'quit',
        startedAt: 0,
        abort: abort.signal,
        onEngine: (e) => {
          engine = e;
          watch.attach(e, { name: 'quit', abort: abort.signal, onQuit: () => abort.abort() });
          input.write('p');
        },
      });
      // Paused, and the run's loop waiting at the pause: no step runs meanwhile.
      while (!engine?.getMetrics().system.enginePaused) await settle();
      const steps = engine.steps;
      for (let i = 0; i < 20; i++) await settle();
      expect(engine.steps).toBe(steps);
      // A paused run must still stop (it would wait for a resume forever otherwise).
      stop(input, abort);
      const { result } = await running;
      watch.close();
      expect(result).toMatchObject({ kind: 'replay', status: 'cancelled' });
      expect(result.steps).toBeLessThan(200);
      expect(raw).toEqual([true, false]);
      expect(writes.at(-1)).toBe(LEAVE);
    },
  );
});

describe('the plain lines', () => {
  it('prints each fill once as the timer finds it, a status line every 10th tick, and the last status at the end', async () => {
    const log = new MemoryLogger();
    const timer = handTimer();
    const lines: string[] = [];
    const watch = createRunWatch({
      style: 'lines',
      output: { write: (text: string) => lines.push(...text.split('\n').slice(0, -1)) },
      logger: log,
      every: timer.every,
    });
    const { engine } = await runBacktestWithResult({
      session: probeSession({
        strategies: [
          { name: 'probe', config: { signals: { 1: buy(2), 2: [{ symbol: 'X', action: 'CLOSE' }] } } },
        ],
      }),
      runId: 'lines',
      startedAt: 0,
      onEngine: (e) => watch.attach(e, { name: 'lines', onQuit: () => {} }),
    });
    const fills = engine.recorder.fills.map((f) => fillLine(f, false));
    expect(fills).toHaveLength(2);
    for (let i = 0; i < 9; i++) timer.tick();
    expect(lines).toEqual(fills);
    timer.tick();
    const status: unknown = expect.stringMatching(
      /^status steps 4 last bar 2024-01-02 \S+ equity [\d,.]+ \| probe \w+ 2 signals 0 errors 0 overruns$/,
    );
    expect(lines).toEqual([...fills, status]);
    watch.close();
    expect(lines).toEqual([...fills, status, status, '']);
    expect(timer.running).toBe(0);
    // Messages pass straight through: there is no view to hide them.
    watch.logger.warn('plain');
    expect(log.records.map((r) => r.msg)).toEqual(['plain']);
  });
});
