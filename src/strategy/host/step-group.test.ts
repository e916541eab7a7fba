import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { countOut, createStepGroup, StepGroup } from './step-group.ts';

describe('StepGroup', () => {
  it('is done once every thread of the step has counted out, and not before', () => {
    const cell = createStepGroup();
    const group = new StepGroup(cell, 0);
    const view = new Int32Array(cell);
    const tag = group.begin(3);
    expect(countOut(view, tag)).toBe(true);
    expect(countOut(view, tag)).toBe(true);
    expect(group.wait(1)).toBe(false);
    expect(countOut(view, tag)).toBe(true);
    expect(group.wait(1)).toBe(true);
    // A fourth count (a thread that was not in the group) changes nothing.
    expect(countOut(view, tag)).toBe(false);
    expect(group.wait(0)).toBe(true);
  });

  it('ignores a count from an earlier step, and from a step it gave up on', () => {
    const cell = createStepGroup();
    const group = new StepGroup(cell, 0);
    const view = new Int32Array(cell);
    const first = group.begin(2);
    const second = group.begin(1);
    expect(second).not.toBe(first);
    expect(countOut(view, first)).toBe(false);
    expect(group.wait(0)).toBe(false);
    expect(countOut(view, 0)).toBe(false);
    group.abandon();
    expect(countOut(view, second)).toBe(false);
  });

  it('gives every step a new tag, wrapping within 1..127', () => {
    const group = new StepGroup(createStepGroup(), 0);
    const tags = Array.from({ length: 300 }, () => group.begin(1));
    expect(Math.min(...tags)).toBe(1);
    expect(Math.max(...tags)).toBe(127);
    expect(tags.every((t, i) => i === 0 || t !== tags[i - 1])).toBe(true);
  });

  it('wakes a sleeping processor when the last of several threads counts out', async () => {
    const cell = createStepGroup();
    const group = new StepGroup(cell, 0);
    const threads = 4;
    const tag = group.begin(threads);
    const source = `
      const { workerData } = require('node:worker_threads');
      const cell = new Int32Array(workerData.cell);
      const go = new Int32Array(workerData.go);
      Atomics.wait(go, 0, 0);
      for (;;) {
        const v = Atomics.load(cell, 0);
        if (Atomics.compareExchange(cell, 0, v, v - 1) === v) {
          if ((v & 0xffffff) === 1) Atomics.notify(cell, 0);
          break;
        }
      }`;
    const go = new SharedArrayBuffer(4);
    const workers = Array.from(
      { length: threads },
      () => new Worker(source, { eval: true, workerData: { cell, go } }),
    );
    const online = workers.map((w) => new Promise((resolve) => w.once('online', resolve)));
    await Promise.all(online);
    // The workers share this test's counting rule (countOut) in plain JS; the processor side is the real one.
    expect(tag).toBeGreaterThan(0);
    Atomics.store(new Int32Array(go), 0, 1);
    Atomics.notify(new Int32Array(go), 0);
    expect(group.wait(10_000)).toBe(true);
    await Promise.all(workers.map((w) => w.terminate()));
  });
});
