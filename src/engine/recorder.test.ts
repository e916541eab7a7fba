import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../storage/memory-store.ts';
import { aRun } from '../storage/store.fixture.ts';
import { RunRecorder } from './recorder.ts';

/** A recorder over a memory store whose monotonic time the test sets. */
function setup() {
  const store = new MemoryStore();
  store.startRun(aRun());
  const time = { now: 0 };
  const recorder = new RunRecorder({ runId: 'run-1', store, monotonic: () => time.now });
  const stored = () => store.readRun('run-1')?.equity.length;
  return { recorder, time, stored };
}

describe('RunRecorder', () => {
  it('writes pending events once a second has passed, at a step end, without waiting for 10,000', () => {
    const { recorder, time, stored } = setup();
    let ts = 0;
    const step = (ms: number) => {
      recorder.onEquity({ ts: ++ts, equity: 1, cash: 1 });
      time.now += ms;
      recorder.atStepEnd();
    };
    for (let i = 0; i < 99; i++) step(5); // 495 ms
    expect(stored()).toBe(0);
    for (let i = 0; i < 200; i++) step(5); // past 1 s: written at a look after it
    const first = stored()!;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThan(299);
    for (let i = 0; i < 400; i++) step(5);
    expect(stored()).toBeGreaterThan(first);
  });

  it('looks at the time every few steps while steps are fast, and after each step once they are slow', () => {
    const { recorder, time, stored } = setup();
    let looks = 0;
    const counting = new RunRecorder({
      runId: 'run-1',
      store: new MemoryStore(),
      monotonic: () => {
        looks++;
        return time.now;
      },
    });
    looks = 0;
    for (let i = 0; i < 10_000; i++) counting.atStepEnd(); // fast steps: the time never moves
    expect(looks).toBeLessThanOrEqual(10_000 / 16 + 5);
    // Steps turn slow (200 ms each): within a bounded number of steps a second passes and the events go.
    recorder.onEquity({ ts: 1, equity: 1, cash: 1 });
    for (let i = 0; i < 10_000; i++) recorder.atStepEnd();
    let steps = 0;
    while (stored() === 0) {
      time.now += 200;
      recorder.atStepEnd();
      steps++;
    }
    expect(steps).toBeLessThanOrEqual(16 + 5);
  });

  it('writes nothing without a store, and an empty flush writes no batch', () => {
    const recorder = new RunRecorder({ runId: 'run-1', monotonic: () => 0 });
    recorder.onEquity({ ts: 1, equity: 1, cash: 1 });
    recorder.atStepEnd();
    recorder.flush();
    const { recorder: r, stored } = setup();
    r.flush();
    expect(stored()).toBe(0);
  });
});
