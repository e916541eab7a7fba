// The suite every RunStore must pass for live runs: a step committed whole (events, bars, state), read back
// for a resume, and a run reopened to go on.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LiveState, StoredBar } from '../model/live-state.ts';
import { storageErrorOf, writeErrorOf } from './store.contract.ts';
import type { LiveStep, RunStore } from './store.ts';
import { aBatch, aFill, anOrder, aRun, aTrade, equityPoints } from './store.fixture.ts';

const T0 = Date.UTC(2024, 0, 2, 14, 31);

/** A live bar of FXY at minute `i` after T0. */
export function aBar(i: number, overrides: Partial<StoredBar> = {}): StoredBar {
  return {
    symbol: 'FXY',
    interval: '1m',
    ts: T0 + i * 60_000,
    open: 60 + i,
    high: 61 + i,
    low: 59 + i,
    close: 60.5 + i,
    volume: 100 * i,
    ...overrides,
  };
}

/** A live state after `steps` steps, one long book open. */
export function aState(steps: number, overrides: Partial<LiveState> = {}): LiveState {
  return {
    steps,
    exposureSteps: steps - 1,
    lastTs: T0 + (steps - 1) * 60_000,
    nextOrder: steps + 1,
    nextFill: steps,
    nextTrade: 1,
    accounts: [
      {
        account: 'default',
        cash: 9_000.25,
        marks: { FXY: 60.5 + steps },
        books: [
          {
            strategy: 'sma',
            symbol: 'FXY',
            qty: 10,
            avgPrice: 61,
            entryTime: T0,
            entryQty: 10,
            entryValue: 610,
            exitQty: 0,
            exitValue: 0,
            realized: 0,
            commission: 1,
            maxAbsQty: 10,
            entryStep: 12,
            direction: 1,
          },
        ],
      },
    ],
    ...overrides,
  };
}

function aStep(i: number, overrides: Partial<LiveStep> = {}): LiveStep {
  return { ...aBatch(), bars: [aBar(i)], state: aState(i + 1), ...overrides };
}

/** Registers the live suite; `makeStore` returns a new, empty store. */
export function liveStoreContract(name: string, makeStore: () => RunStore): void {
  describe(`RunStore live contract: ${name}`, () => {
    let store: RunStore;
    beforeEach(() => {
      store = makeStore();
      store.startRun(aRun({ kind: 'live' }));
    });
    afterEach(() => {
      store.close();
    });

    it('commits a step whole: its events, its bars and the state after it, which the next step replaces', async () => {
      store.writeStep('run-1', aStep(0, { orders: [anOrder({ status: 'open' })] }));
      store.writeStep(
        'run-1',
        aStep(1, {
          orders: [anOrder({ status: 'filled', tsClosed: T0 })],
          fills: [aFill()],
          trades: [aTrade()],
        }),
      );
      await store.flush();
      expect(store.readLive('run-1')).toStrictEqual({ state: aState(2), bars: [aBar(0), aBar(1)] });
      const run = store.readRun('run-1')!;
      expect(run.orders.map((o) => o.status)).toEqual(['filled']);
      expect(run.fills).toHaveLength(1);
      expect(run.trades).toHaveLength(1);
    });

    it('reads bars back in time order, by symbol within a time', async () => {
      store.writeStep(
        'run-1',
        aStep(0, { bars: [aBar(1, { symbol: 'B' }), aBar(0, { symbol: 'Z' }), aBar(1, { symbol: 'A' })] }),
      );
      await store.flush();
      expect(store.readLive('run-1')!.bars.map((b) => `${b.symbol}@${(b.ts - T0) / 60_000}`)).toEqual([
        'Z@0',
        'A@1',
        'B@1',
      ]);
    });

    it('holds no state before the first step, and nothing for a run it does not hold', () => {
      expect(store.readLive('run-1')).toStrictEqual({ state: undefined, bars: [] });
      expect(store.readLive('nope')).toBeUndefined();
    });

    it('refuses a step whose bar is stored already, writing nothing of it', async () => {
      store.writeStep('run-1', aStep(0));
      const e = await writeErrorOf(store, () =>
        store.writeStep('run-1', aStep(0, { equity: equityPoints(1), state: aState(9) })),
      );
      expect(e.message).toContain('run-1');
      expect(store.readLive('run-1')).toStrictEqual({ state: aState(1), bars: [aBar(0)] });
      expect(store.readRun('run-1')!.equity).toEqual([]);
    });

    it('refuses a step whose state or bar holds a value that is not a finite number, naming it', async () => {
      const bad = aState(1, { accounts: [{ ...aState(1).accounts[0]!, cash: Number.NaN }] });
      const e = await writeErrorOf(store, () => store.writeStep('run-1', aStep(0, { state: bad })));
      expect(e.message).toContain('state.accounts.0.cash is not a finite number');
      const e2 = await writeErrorOf(store, () =>
        store.writeStep('run-1', aStep(0, { bars: [aBar(0, { close: Number.POSITIVE_INFINITY })] })),
      );
      expect(e2.message).toContain('close is Infinity');
      expect(store.readLive('run-1')).toStrictEqual({ state: undefined, bars: [] });
    });

    it('reopens a run that ended other than completed, owned by this process, and takes steps again', async () => {
      store.writeStep('run-1', aStep(0));
      store.endRun('run-1', { status: 'interrupted', endedAt: 5, error: 'killed' });
      await writeErrorOf(store, () => store.writeStep('run-1', aStep(1)));
      store.reopenRun('run-1');
      store.writeStep('run-1', aStep(1));
      await store.flush();
      const run = store.readRun('run-1')!;
      expect({ status: run.status, endedAt: run.endedAt, error: run.error }).toEqual({
        status: 'running',
        endedAt: null,
        error: null,
      });
      expect(store.readLive('run-1')!.bars).toHaveLength(2);
    });

    it('refuses to reopen a run it does not hold, a running one and a completed one', async () => {
      const errors = [
        await writeErrorOf(store, () => store.reopenRun('nope')),
        await writeErrorOf(store, () => store.reopenRun('run-1')),
      ];
      store.endRun('run-1', { status: 'completed', endedAt: 5 });
      errors.push(await writeErrorOf(store, () => store.reopenRun('run-1')));
      expect(errors.map((e) => e.message.replace(/^[^:]*: /, ''))).toEqual([
        expect.stringContaining('no run "nope" to reopen'),
        expect.stringContaining('run "run-1" is still running'),
        expect.stringContaining('run "run-1" has completed'),
      ]);
    });

    it('refuses calls once closed', () => {
      store.close();
      expect(storageErrorOf(() => store.readLive('run-1')).message).toContain('closed');
      expect(storageErrorOf(() => store.writeStep('run-1', aStep(0))).message).toContain('closed');
    });
  });
}
