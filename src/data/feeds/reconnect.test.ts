import { describe, expect, it } from 'vitest';
import { seededRandom } from '../../core/random.ts';
import { Backoff, backoffDelayMs, DEFAULT_RECONNECT } from './reconnect.ts';
import { ReconnectSchema } from '../../config/session-config.ts';

describe('reconnect policy', () => {
  it('has the config schema defaults', () => {
    expect(DEFAULT_RECONNECT).toEqual(ReconnectSchema.parse({}));
  });

  it('doubles the step per attempt up to the cap, with jitter only in the upper half of the step', () => {
    const policy = { max_attempts: 10, initial_delay_ms: 100, max_delay_ms: 1_000 };
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(policy, a, () => 0))).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 9].map((a) => backoffDelayMs(policy, a, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('gives the same waits for the same seed and others for another, and stops after max_attempts', () => {
    const policy = { max_attempts: 4, initial_delay_ms: 100, max_delay_ms: 10_000 };
    const waits = (seed: number) => {
      const b = new Backoff(policy, seed);
      const out: (number | undefined)[] = [];
      for (let i = 0; i < 5; i++) out.push(b.next()?.delayMs);
      return out;
    };
    expect(waits(7)).toEqual(waits(7));
    expect(waits(7)).not.toEqual(waits(8));
    expect(waits(7)[4]).toBeUndefined();
    expect(waits(7).slice(0, 4).every((w, i) => w! >= 50 * 2 ** i && w! <= 100 * 2 ** i)).toBe(true);
  });

  it('counts attempts from 1 again after a reset, and a policy of 0 attempts gives none', () => {
    const b = new Backoff({ max_attempts: 2, initial_delay_ms: 10, max_delay_ms: 10 }, 1);
    expect([b.next()?.attempt, b.next()?.attempt, b.next()]).toEqual([1, 2, undefined]);
    b.reset();
    expect(b.next()?.attempt).toBe(1);
    expect(new Backoff({ max_attempts: 0, initial_delay_ms: 10, max_delay_ms: 10 }, 1).next()).toBeUndefined();
  });

  it('draws numbers in [0, 1) from the seed', () => {
    const r = seededRandom(42);
    const xs = Array.from({ length: 1000 }, r);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(new Set(xs).size).toBe(1000);
  });
});
