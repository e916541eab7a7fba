import { describe, expect, it } from 'vitest';
import { CrossOver } from './cross-over.ts';

/** Feeds `a - b` differences (b = 0) and returns the outputs. */
const run = (differences: readonly number[], cross = new CrossOver()): number[] =>
  differences.map((d) => cross.update(d, 0));

describe('CrossOver', () => {
  it('signals +1 when a moves above b and -1 when it moves below', () => {
    expect(run([-1, 1, 2, -3, -1, 4])).toEqual([0, 1, 0, -1, 0, 1]);
  });

  it('compares a with b, not a with zero', () => {
    const cross = new CrossOver();
    expect([cross.update(10, 11), cross.update(12, 11), cross.update(12, 13)]).toEqual([0, 1, -1]);
  });

  it('lets ties keep the last non-zero difference, so below-tie-above is one cross up', () => {
    expect(run([-1, 0, 0, 1])).toEqual([0, 0, 0, 1]);
    expect(run([1, 0, -1])).toEqual([0, 0, -1]);
    // Touching and returning is not a cross.
    expect(run([-1, 0, -1, 0, -2])).toEqual([0, 0, 0, 0, 0]);
    expect(run([1, 0, 1])).toEqual([0, 0, 0]);
  });

  it('never crosses on the first difference, and a zero first difference seeds a neutral memory', () => {
    expect(run([1, -1])).toEqual([0, -1]);
    expect(run([0, 1, -1])).toEqual([0, 0, -1]);
    expect(run([0, 0, -1, 1])).toEqual([0, 0, 0, 1]);
  });

  it('returns 0 on NaN inputs without seeding or touching the memory', () => {
    const cross = new CrossOver();
    expect(cross.isReady).toBe(false);
    expect([cross.update(NaN, 1), cross.update(1, NaN)]).toEqual([0, 0]);
    expect(cross.isReady).toBe(false);
    expect(run([-1, NaN, 1], cross)).toEqual([0, 0, 1]);
    expect(cross.isReady).toBe(true);
    expect(run([NaN, NaN, -1], cross)).toEqual([0, 0, -1]);
  });

  it('reports its last result and forgets the memory on reset', () => {
    const cross = new CrossOver();
    run([-1, 1], cross);
    expect(cross.value).toBe(1);
    cross.update(2, 0);
    expect(cross.value).toBe(0);
    cross.reset();
    expect([cross.value, cross.isReady]).toEqual([0, false]);
    expect(run([1, 2], cross)).toEqual([0, 0]);
  });
});
