import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory-store.ts';
import { aRun } from '../storage/store.fixture.ts';
import { RunRecorder } from './recorder.ts';

/** A recorder over a memory store, and how many equity points the store holds. */
function setup() {
  const store = new MemoryStore();
  store.startRun(aRun());
  const recorder = new RunRecorder({ runId: 'run-1', store });
  const stored = () => store.readRun('run-1')?.equity.length;
  return { recorder, stored };
}

describe('RunRecorder', () => {
  it('writes pending events once a second has passed since its last write by time, not only at 10,000', () => {
    const { recorder, stored } = setup();
    let ts = 0;
    const point = () => recorder.onEquity({ ts: ++ts, equity: 1, cash: 1 });
    point();
    recorder.onTime(5_000); // the first look writes what the run did before it
    expect(stored()).toBe(1);
    point();
    recorder.onTime(5_400);
    recorder.onTime(5_999);
    expect(stored()).toBe(1);
    recorder.onTime(6_000);
    expect(stored()).toBe(2);
    for (let i = 0; i < 3; i++) point();
    recorder.onTime(6_500);
    expect(stored()).toBe(2);
    recorder.onTime(7_100);
    expect(stored()).toBe(5);
  });

  it('still writes by count between the looks at the time', () => {
    const store = new MemoryStore();
    store.startRun(aRun());
    const recorder = new RunRecorder({ runId: 'run-1', store, batchEvents: 3 });
    recorder.onTime(0);
    for (let i = 1; i <= 3; i++) recorder.onEquity({ ts: i, equity: 1, cash: 1 });
    recorder.onTime(10);
    expect(store.readRun('run-1')?.equity).toHaveLength(3);
  });

  it('writes nothing without a store, and an empty flush writes no batch', () => {
    const alone = new RunRecorder({ runId: 'run-1' });
    alone.onEquity({ ts: 1, equity: 1, cash: 1 });
    alone.onTime(10_000);
    alone.flush();
    const { recorder, stored } = setup();
    recorder.onTime(10_000);
    recorder.flush();
    expect(stored()).toBe(0);
  });
});
