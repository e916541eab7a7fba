// tradeflow replay --speed: what it accepts and how it refuses the rest.
import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { speedArgument } from './speed-option.ts';

describe('--speed', () => {
  it('takes any finite number greater than 0', () => {
    expect(['60', '0.5', '1e6', ' 2 ', '1'].map(speedArgument)).toEqual([60, 0.5, 1e6, 2, 1]);
  });

  it('refuses 0, negatives, words, infinities and nothing, saying what it expects', () => {
    for (const text of ['0', '-0', '-2', 'fast', '10x', 'Infinity', '1e999', 'NaN', '', '  ']) {
      expect(() => speedArgument(text), text).toThrow(InvalidArgumentError);
      expect(() => speedArgument(text), text).toThrow(/^expected a number greater than 0 \(/);
    }
  });
});
