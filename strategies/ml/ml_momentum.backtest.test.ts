import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../../src/core/errors.ts';
import { MemoryLogger } from '../../src/core/logger.ts';
import { runBacktestWithResult } from '../../src/report/backtest-outcome.ts';
import type { readYahooDaily } from '../../src/indicators/bars.fixture.ts';
import { csvFeatureRows, onnxProbabilities } from '../../src/ml/bundled-model.fixture.ts';
import { InlineRunner } from '../../src/strategy/host/inline-runner.ts';
import { MemoryStore } from '../../src/storage/memory-store.ts';
import { backtest, session, tempFiles } from '../../test/helpers.ts';
import { configSchema, MlMomentumStrategy } from './ml_momentum.ts';

// ml_momentum next to a rules strategy on real NVDA daily bars, inline and in threads: with the bundled
// model, without a model (degraded), with require_model, and with a corrupt model file.

const FILE = 'data/daily/nvda-1999-2014.txt';
type Isolation = 'inline' | 'thread';

const mlEntry = (isolation: Isolation, strategyConfig: Readonly<Record<string, unknown>> = {}) => ({
  module: 'strategies/ml/ml_momentum',
  isolation,
  config: { symbols: ['NVDA'], position_size: 100, ...strategyConfig },
});
const rulesEntry = (isolation: Isolation) => ({
  module: 'strategies/examples/simple_ma_cross',
  isolation,
  config: { symbols: ['NVDA'], position_size: 100 },
});
const sessionOf = (...strategies: unknown[]) => ({ data: [{ symbol: 'NVDA', file: FILE }], strategies });

const csvRows = () => csvFeatureRows('daily/nvda-1999-2014.txt');

type HandTrade = readonly [entryDate: string, entryPrice: number, exitDate: string, exitPrice: number];

/** Replays a long-only buy/close rule over the CSV, each signal filled at the next row's open. */
function replay(
  bars: ReturnType<typeof readYahooDaily>,
  decisions: readonly { i: number; action: 'BUY' | 'CLOSE' | undefined }[],
): { trades: HandTrade[]; open: number | undefined } {
  const trades: HandTrade[] = [];
  let entry: { date: string; price: number } | undefined;
  for (const { i, action } of decisions) {
    if (i + 1 >= bars.close.length) break;
    const next = { date: bars.date[i + 1]!, price: bars.open[i + 1]! };
    if (!entry && action === 'BUY') entry = next;
    else if (entry && action === 'CLOSE') {
      trades.push([entry.date, entry.price, next.date, next.price]);
      entry = undefined;
    }
  }
  return { trades, open: entry?.price };
}

/** A strategy's trades as [entry date, entry price, exit date, exit price]; prices to the CSV's 6 decimals. */
const tradesOf = (result: Awaited<ReturnType<typeof backtest>>['result'], strategy: string) =>
  result.trades
    .filter((t) => t.strategy === strategy)
    .map((t) => [
      t.entry_time.slice(0, 10),
      round6(t.entry_price),
      t.exit_time.slice(0, 10),
      round6(t.exit_price),
    ]);
// The portfolio reports a price as value / quantity (100 * 3.446667 / 100 = 3.4466669999999997).
const round6 = (x: number) => Number(x.toFixed(6));
describe.each<Isolation>(['inline', 'thread'])('ml_momentum in a backtest (%s)', (isolation) => {
  it('trades exactly where onnxruntime over the CSV closes says, next to a rules strategy', async () => {
    const store = new MemoryStore();
    const log = new MemoryLogger();
    const { result } = await runBacktestWithResult({
      session: session(sessionOf(mlEntry(isolation), rulesEntry(isolation))),
      runId: 'ml',
      startedAt: 0,
      store,
      logger: log,
    });
    expect(result.strategies.map((s) => [s.name, s.status])).toEqual([
      ['ml_momentum', 'ran'],
      ['simple_ma_cross', 'ran'],
    ]);
    expect(
      log.records.filter(
        (r) => (r.level === 'warn' || r.level === 'error') && !r.msg.startsWith('backpressure:'),
      ),
    ).toEqual([]);

    const { bars, rows } = csvRows();
    const p = await onnxProbabilities(rows.map((r) => r.values));
    const decide = (x: number) => (x >= 0.55 ? 'BUY' : x <= 0.45 ? 'CLOSE' : undefined);
    // A probability can sit within float32 rounding of a threshold (one is 3e-7 from 0.55): the per-bar
    // pass must take the same side there as onnxruntime, or the replay below would be ambiguous.
    const perBar = new MlMomentumStrategy(configSchema.parse({ symbols: ['NVDA'] }), 'ml_momentum');
    await perBar.loadModel();
    const row = (values: Float64Array) => ({ symbol: 'NVDA', interval: '1d' as const, tsClose: 0, values });
    expect(
      rows.filter((r, k) => decide(perBar.predictProbability(row(r.values))!) !== decide(p[k]!)),
    ).toEqual([]);
    const hand = replay(
      bars,
      rows.map((r, k) => ({ i: r.i, action: decide(p[k]!) })),
    );
    expect(hand.trades).toHaveLength(25);
    expect(tradesOf(result, 'ml_momentum')).toEqual(hand.trades);
    const openMl = result.open_positions
      .filter((o) => o.strategy === 'ml_momentum')
      .map((o) => round6(o.avg_price));
    expect(openMl).toEqual(hand.open === undefined ? [] : [hand.open]);

    const signals = store.readRun('ml')!.signals.filter((s) => s.strategy === 'ml_momentum');
    expect(signals.length).toBeGreaterThanOrEqual(2 * hand.trades.length);
    for (const { signal } of signals) {
      const probability = (signal.metadata as { probability: number }).probability;
      const [confidence, reason] =
        signal.action === 'BUY'
          ? [probability, `model: P(up) ${probability.toFixed(4)} >= 0.55`]
          : [1 - probability, `model: P(up) ${probability.toFixed(4)} <= 0.45`];
      expect(signal).toMatchObject({ confidence, reason });
      expect(confidence).toBeGreaterThanOrEqual(0.55);
    }
  });

  it('runs degraded on its rules when the model file is missing, and the run completes', async () => {
    const { result, log, engine } = await backtest(
      sessionOf(mlEntry(isolation, { model_path: 'models/missing.onnx' }), rulesEntry(isolation)),
    );
    expect(result.status).toBe('completed');
    expect(result.strategies.map((s) => [s.name, s.status])).toEqual([
      ['ml_momentum', 'ran'],
      ['simple_ma_cross', 'ran'],
    ]);
    const warnings = log.records.filter((r) => r.level === 'warn' && !r.msg.startsWith('backpressure:'));
    expect(warnings.map((r) => r.msg)).toEqual([
      'strategy ml_momentum: the model did not load, running degraded on its rules: model file models/missing.onnx does not exist',
    ]);
    expect(warnings[0]!.fields).toEqual({
      strategy: 'ml_momentum',
      model: 'models/missing.onnx',
      degraded: true,
    });
    // The inline runner exposes the reason; a thread runner hears it in its ready message (see docs/ml.md).
    const [ml, rules] = engine.strategies.runners;
    if (ml instanceof InlineRunner && rules instanceof InlineRunner) {
      expect(ml.degraded).toBe('the model did not load: model file models/missing.onnx does not exist');
      expect(rules.degraded).toBeUndefined();
    } else expect(isolation).toBe('thread');

    // The rules: buy when the 20-bar return and the gap to SMA(20) are both positive, close when both are negative.
    const { bars, rows } = csvRows();
    const hand = replay(
      bars,
      rows.map((r) => {
        const c = bars.close;
        const ret20 = c[r.i]! / c[r.i - 20]! - 1;
        const sma = c.slice(r.i - 19, r.i + 1).reduce((a, b) => a + b, 0) / 20;
        const action = ret20 > 0 && c[r.i]! > sma ? 'BUY' : ret20 < 0 && c[r.i]! < sma ? 'CLOSE' : undefined;
        return { i: r.i, action };
      }),
    );
    expect(hand.trades).toHaveLength(118);
    expect(tradesOf(result, 'ml_momentum')).toEqual(hand.trades);
  });

  it('does not start with require_model: true and a missing model, and says why', async () => {
    const { result, log } = await backtest(
      sessionOf(
        mlEntry(isolation, { model_path: 'models/missing.onnx', require_model: true }),
        rulesEntry(isolation),
      ),
    );
    const reason =
      'require_model is true and the model did not load: model file models/missing.onnx does not exist';
    expect(result.strategies.map((s) => [s.name, s.status, s.reason])).toEqual([
      ['simple_ma_cross', 'ran', undefined],
      ['ml_momentum', 'not_started', reason],
    ]);
    expect(
      log.records.filter((r) => r.level === 'warn' && !r.msg.startsWith('backpressure:')).map((r) => r.msg),
    ).toEqual([`strategy ml_momentum did not start: ${reason}`]);
    const alone = await backtest(
      sessionOf(mlEntry(isolation, { model_path: 'models/missing.onnx', require_model: true })),
    ).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isTradeflowError(alone, 'TF_ERR_NO_STRATEGIES')).toBe(true);
    expect((alone as Error).message).toBe(`no strategy started (ml_momentum: ${reason})`);
  });

  it('names a corrupt model file in a clear error', async () => {
    const file = join(tempFiles({}), 'corrupt.onnx');
    writeFileSync(file, Buffer.from('this is not a protobuf \u0000\u00ff\u00fe garbage'.repeat(8), 'latin1'));
    const required = await backtest(
      sessionOf(mlEntry(isolation, { model_path: file, require_model: true }), rulesEntry(isolation)),
    );
    const reason = required.result.strategies.find((s) => s.name === 'ml_momentum')?.reason ?? '';
    expect(reason).toMatch(
      new RegExp(
        `^require_model is true and the model did not load: model file ${file} is not a valid ONNX model: onnxruntime could not load it \\(.+\\)$`,
      ),
    );
    const degraded = await backtest(
      sessionOf(mlEntry(isolation, { model_path: file }), rulesEntry(isolation)),
    );
    expect(degraded.result.strategies.map((s) => s.status)).toEqual(['ran', 'ran']);
    expect(
      degraded.log.records
        .filter((r) => r.level === 'warn' && !r.msg.startsWith('backpressure:'))
        .map((r) => r.msg),
    ).toEqual([
      expect.stringContaining(
        `strategy ml_momentum: the model did not load, running degraded on its rules: model file ${file} is not a valid ONNX model`,
      ),
    ]);
  });
});
