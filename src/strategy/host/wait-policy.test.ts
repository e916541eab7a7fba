import { describe, expect, it } from 'vitest';
import { waitPolicy } from './wait-policy.ts';

describe('the wait policy, chosen once per run', () => {
  it('waits for every strategy in a data-driven backtest', () => {
    const p = waitPolicy('data');
    expect([p.budgetMs(1000), p.budgetMs(Number.POSITIVE_INFINITY), p.waitsForAll, p.dropsWhenFull]).toEqual([
      Number.POSITIVE_INFINITY,
      Number.POSITIVE_INFINITY,
      true,
      false,
    ]);
  });

  it("waits within the replay's budget, and for all on the last step, which has no next one", () => {
    const p = waitPolicy('clock', (next) => next / 1000);
    expect([p.budgetMs(5000), p.budgetMs(Number.POSITIVE_INFINITY), p.waitsForAll, p.dropsWhenFull]).toEqual([
      5,
      Number.POSITIVE_INFINITY,
      false,
      false,
    ]);
  });

  it('never waits in a live run, and drops from a full queue rather than hold up the feed', () => {
    const p = waitPolicy('live');
    expect([p.budgetMs(5000), p.budgetMs(Number.POSITIVE_INFINITY), p.waitsForAll, p.dropsWhenFull]).toEqual([
      0,
      0,
      false,
      true,
    ]);
  });
});
