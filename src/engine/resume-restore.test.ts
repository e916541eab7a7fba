import { describe, expect, it } from 'vitest';
import { isTradeflowError } from '../core/errors.ts';
import { aBar } from '../storage/store-live.contract.ts';
import { MemoryStore } from '../storage/memory-store.ts';
import { aFill, anOrder, aRun, equityPoints } from '../storage/store.fixture.ts';
import { session } from '../../test/helpers.ts';
import { RunRecorder } from './recorder.ts';
import { appendStoredBars } from './resume-restore.ts';
import { loadSessionData } from './session-builder.ts';

const T_LAST = Date.UTC(2030, 0, 1); // after every bar of the file below
const loadHistory = () => {
  const loaded = loadSessionData(
    session({
      data: [{ symbol: 'FXY', file: 'data/intraday/FXY_1min.csv', format: 'ohlcv', calendar: '24h' }],
      strategies: [
        {
          module: 'strategies/examples/simple_ma_cross',
          config: { symbols: ['FXY'], interval: '1m', fast_period: 2, slow_period: 3 },
        },
      ],
    }),
  );
  return loaded;
};

describe('appendStoredBars', () => {
  it("appends a resumed run's bars after its file's, returning how many came from the file", () => {
    const loaded = loadHistory();
    const fromFile = loaded.sources[0]!.series.written;
    const last = loaded.sources[0]!.series.timeAt(fromFile - 1);
    const bars = [1, 2].map((k) => aBar(0, { ts: last + k * 60_000, close: 60 + k }));
    expect(appendStoredBars(loaded, bars)).toEqual([fromFile]);
    const series = loaded.sources[0]!.series;
    expect([series.written, series.closeAt(fromFile + 1)]).toEqual([fromFile + 2, 62]);
  });

  it('refuses a bar of no source, of another interval, or not after the file (the file changed)', () => {
    const codes = [
      [aBar(0, { symbol: 'NOPE', ts: T_LAST * 2 })],
      [aBar(0, { interval: '5m', ts: T_LAST * 2 })],
      [aBar(0, { ts: 0 })],
    ].map((bars) => {
      try {
        appendStoredBars(loadHistory(), bars);
        return 'none';
      } catch (e) {
        return isTradeflowError(e, 'TF_ERR_RESUME') ? e.message : String(e);
      }
    });
    expect(codes).toEqual([
      expect.stringContaining('bars of NOPE, for which the session has no data source'),
      expect.stringContaining('5m bars of FXY'),
      expect.stringContaining('its file changed since the run started'),
    ]);
  });
});

describe('RunRecorder of a resumed run', () => {
  it('keeps the stored events for the result and writes only what comes after', () => {
    const store = new MemoryStore();
    store.startRun(aRun());
    store.writeBatch('run-1', {
      orders: [anOrder({ status: 'open' })],
      fills: [],
      trades: [],
      signals: [],
      equity: equityPoints(2),
    });
    const recorder = new RunRecorder({ runId: 'run-1', store });
    recorder.preload(store.readRun('run-1')!);
    recorder.commitBySteps();
    recorder.onTime(1e12); // by time: nothing goes, the steps commit
    expect(recorder.orders).toHaveLength(1);
    recorder.onOrder(anOrder({ status: 'filled', tsClosed: 5 }));
    recorder.onFill(aFill());
    const batch = recorder.takeBatch();
    expect({ orders: batch.orders.length, fills: batch.fills.length, equity: batch.equity.length }).toEqual({
      orders: 1,
      fills: 1,
      equity: 0,
    });
    expect(recorder.equity).toHaveLength(2);
    expect(recorder.orders.map((o) => o.status)).toEqual(['filled']);
  });
});
