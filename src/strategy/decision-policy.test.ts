import { describe, expect, it } from 'vitest';
import type { Signal } from '../model/signal.ts';
import { majorityVote, unanimous } from './decision-policy.ts';

const buy = (confidence?: number, reason = 'r'): Signal => ({
  symbol: 'X',
  action: 'BUY',
  quantity: 10,
  reason,
  ...(confidence === undefined ? {} : { confidence }),
});
const close = (confidence?: number): Signal => ({
  symbol: 'X',
  action: 'CLOSE',
  reason: 'c',
  ...(confidence === undefined ? {} : { confidence }),
});
const hold: Signal = { symbol: 'X', action: 'HOLD' };

describe('majority_vote (min ML confidence 0.7)', () => {
  const p = majorityVote({ minMlConfidence: 0.7 });
  it.each([
    ['both agree: combined, confidence averaged', buy(0.8), buy(0.6), { action: 'BUY', confidence: 0.7 }],
    ['disagree, ML below the bar: the rules', buy(0.9), close(0.6), { action: 'BUY', confidence: 0.9 }],
    [
      'disagree, ML at or above the bar: the model',
      buy(0.9),
      close(0.75),
      { action: 'CLOSE', confidence: 0.75 },
    ],
    ['only ML, confident: the model', undefined, buy(0.8), { action: 'BUY', confidence: 0.8 }],
    ['only ML, not confident: nothing', undefined, buy(0.5), undefined],
    ['no ML signal: the rules', buy(), undefined, { action: 'BUY' }],
    ['ML holds: the rules', close(), hold, { action: 'CLOSE' }],
    ['neither: nothing', undefined, undefined, undefined],
  ] as const)('%s', (_name, rules, ml, want) => {
    const got = p.decide(rules, ml);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want);
  });

  it('keeps the rules signal’s quantity when both agree', () => {
    expect(p.decide(buy(1), { ...buy(0.8), quantity: 99 })?.quantity).toBe(10);
  });
});

describe('unanimous', () => {
  const p = unanimous();
  it.each([
    ['both agree', buy(0.8), buy(0.6), { action: 'BUY', confidence: 0.7 }],
    ['disagree', buy(0.9), close(0.99), undefined],
    ['no ML signal', buy(), undefined, undefined],
    ['only ML', undefined, buy(0.99), undefined],
  ] as const)('%s', (_name, rules, ml, want) => {
    const got = p.decide(rules, ml);
    if (want === undefined) expect(got).toBeUndefined();
    else expect(got).toMatchObject(want);
  });
});
