import { describe, expect, it } from 'vitest';
import { guarded, runWithin, settleWithin, TimeLimitExceeded } from './watchdog.ts';

describe('runWithin', () => {
  it('returns what the function returns, and rethrows what it throws', () => {
    expect(runWithin(() => 42, 1000)).toBe(42);
    expect(() =>
      runWithin(() => {
        throw new RangeError('bad');
      }, 1000),
    ).toThrow(RangeError);
  });

  it('interrupts an endless loop at the limit; the code it ends cannot catch it', () => {
    let caught = false;
    let finished = false;
    const spin = () => {
      try {
        for (;;);
      } catch {
        caught = true;
      } finally {
        finished = true;
      }
    };
    expect(() => runWithin(spin, 100)).toThrow(new TimeLimitExceeded(100));
    expect({ caught, finished }).toEqual({ caught: false, finished: false });
    // The guard is gone: code runs normally after it.
    expect(guarded()).toBe(false);
    expect(runWithin(() => 'after', 100)).toBe('after');
  });

  it('calls a function inside another guarded run directly, under the outer limit', () => {
    const seen: boolean[] = [];
    runWithin(() => {
      seen.push(guarded());
      runWithin(() => seen.push(guarded()), 1);
    }, 1000);
    expect(seen).toEqual([true, true]);
    expect(guarded()).toBe(false);
  });

  it('runs without a guard when the limit is infinite', () => {
    expect(runWithin(() => guarded(), Number.POSITIVE_INFINITY)).toBe(false);
  });
});

describe('settleWithin', () => {
  it('returns a value or the value a promise settles with', async () => {
    expect(await settleWithin(() => 1, 1000)).toBe(1);
    expect(await settleWithin(() => Promise.resolve(2), 1000)).toBe(2);
    await expect(settleWithin(() => Promise.reject(new Error('no')), 1000)).rejects.toThrow('no');
  });

  it('gives up on a promise that never settles at the limit', async () => {
    await expect(settleWithin(() => new Promise(() => {}), 50)).rejects.toThrow(new TimeLimitExceeded(50));
  });

  it('interrupts a synchronous part that never returns', async () => {
    await expect(
      settleWithin(() => {
        for (;;);
      }, 50),
    ).rejects.toBeInstanceOf(TimeLimitExceeded);
  });
});
