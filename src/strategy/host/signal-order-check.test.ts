import { describe, expect, it } from 'vitest';
import type { Signal } from '../../model/signal.ts';
import { checkSignal, SignalProblem } from './signal-check.ts';

const buy = { symbol: 'X', action: 'BUY', quantity: 10 } as const;

/** The problem `checkSignal` finds in `value`, as one line; fails when it finds none. */
function problemOf(value: unknown): string {
  const checked = checkSignal(value);
  if (!(checked instanceof SignalProblem)) throw new Error(`no problem found in ${JSON.stringify(checked)}`);
  return checked.message;
}

describe('checkSignal: order terms', () => {
  it('copies every order term of a well-formed signal', () => {
    const signals: Signal[] = [
      {
        symbol: 'X',
        action: 'BUY',
        quantity: 5,
        orderType: 'stop_limit',
        price: 101,
        stopPrice: 100.5,
        timeInForce: 'DAY',
        ref: 'entry-1',
        bracket: { stopLoss: 95, takeProfit: 110 },
      },
      { symbol: 'X', action: 'SELL', quantity: 5, orderType: 'trailing_stop', trailAmount: 1.5, ref: 't' },
      { symbol: 'X', action: 'SELL', quantity: 5, orderType: 'trailing_stop', trailPercent: 2 },
      { symbol: 'X', action: 'SELL', quantity: 5, bracket: { stopLoss: 110 } },
      { symbol: 'X', action: 'BUY', quantity: 5, orderType: 'limit', price: 99, timeInForce: 'IOC' },
      { symbol: 'X', action: 'CANCEL', ref: 'entry-1', reason: 'stale' },
      { symbol: 'X', action: 'CANCEL', ref: '#12' },
      { symbol: 'X', action: 'CANCEL', ref: 'entry-1:sl' },
      { symbol: 'X', action: 'REPLACE', ref: 'entry-1', price: 100 },
      { symbol: 'X', action: 'REPLACE', ref: '#3', stopPrice: 98, quantity: 7 },
    ];
    for (const s of signals) expect(checkSignal({ ...s, extra: 1 })).toStrictEqual(s);
  });

  it('takes a ref of exactly 64 characters', () => {
    const ref = 'r'.repeat(64);
    expect(checkSignal({ ...buy, ref })).toStrictEqual({ ...buy, ref });
  });

  it.each([
    [{ ...buy, ref: '' }, 'ref: is empty; leave it out or name the order'],
    [{ ...buy, ref: 7 }, 'ref: 7 is not a string'],
    [{ ...buy, ref: 'r'.repeat(65) }, `ref: "${'r'.repeat(40)}"... is longer than 64 characters`],
    [
      { ...buy, ref: '#1' },
      'ref: "#1" starts with "#", which names orders sent without a ref; choose another name',
    ],
    [
      { symbol: 'X', action: 'CANCEL', ref: '#a' },
      'ref: "#a" starts with "#", which names orders sent without a ref; choose another name',
    ],
    [{ ...buy, timeInForce: 'gtc' }, 'timeInForce: "gtc" is not GTC, DAY, IOC or FOK'],
    [
      { ...buy, orderType: 'stop_limit', price: 10 },
      'orderType: a stop_limit order needs stopPrice (the trigger)',
    ],
    [
      { ...buy, orderType: 'stop_limit', stopPrice: 10 },
      'orderType: a stop_limit order needs price (the limit)',
    ],
    [
      { ...buy, orderType: 'stop', price: 10, stopPrice: 9 },
      "stopPrice: 9: only a stop_limit order has a trigger (a stop order's stop is its price)",
    ],
    [
      { ...buy, orderType: 'stop_limit', price: 10, stopPrice: 0 },
      'stopPrice: 0 is not a positive number (up to 1e15)',
    ],
    [
      { ...buy, orderType: 'trailing_stop' },
      'orderType: a trailing_stop order needs trailAmount or trailPercent',
    ],
    [
      { ...buy, orderType: 'trailing_stop', trailAmount: 1, trailPercent: 1 },
      'orderType: a trailing_stop order takes trailAmount or trailPercent, not both',
    ],
    [
      { ...buy, orderType: 'trailing_stop', trailAmount: -1 },
      'trailAmount: -1 is not a positive number (up to 1e15)',
    ],
    [{ ...buy, orderType: 'trailing_stop', trailPercent: 100 }, 'trailPercent: 100 is not below 100'],
    [
      { ...buy, orderType: 'trailing_stop', trailPercent: '5' },
      'trailPercent: "5" (a string) is not a positive number (up to 1e15)',
    ],
    [{ ...buy, trailAmount: 1 }, 'trailAmount: only a BUY or SELL trailing_stop order trails'],
    [{ ...buy, bracket: {} }, 'bracket: needs a stopLoss, a takeProfit or both'],
    [{ ...buy, bracket: [95] }, 'bracket: an array is not an object with stopLoss and/or takeProfit'],
    [{ ...buy, bracket: { stopLoss: -95 } }, 'bracket.stopLoss: -95 is not a positive number (up to 1e15)'],
    [
      { ...buy, bracket: { stopLoss: 110, takeProfit: 95 } },
      'bracket: stopLoss 110 must be below takeProfit 95 for a BUY',
    ],
    [
      { ...buy, action: 'SELL', bracket: { stopLoss: 95, takeProfit: 110 } },
      'bracket: stopLoss 95 must be above takeProfit 110 for a SELL',
    ],
    [
      { symbol: 'X', action: 'CLOSE', bracket: { stopLoss: 1 } },
      'bracket: a CLOSE has no bracket; attach one to a BUY or SELL',
    ],
    [{ symbol: 'X', action: 'CANCEL' }, 'ref: missing; a CANCEL names the order it changes by its ref'],
    [
      { symbol: 'X', action: 'REPLACE', price: 3 },
      'ref: missing; a REPLACE names the order it changes by its ref',
    ],
    [
      { symbol: 'X', action: 'REPLACE', ref: 'a' },
      'signal: a REPLACE needs a new price, stopPrice or quantity',
    ],
    [
      { symbol: 'X', action: 'REPLACE', ref: 'a', quantity: 0 },
      'quantity: 0 is not a positive number (up to 1e15)',
    ],
    [
      { symbol: 'X', action: 'REPLACE', ref: 'a', price: -2 },
      'price: -2 is not a positive number (up to 1e15)',
    ],
  ] as const)('refuses case %# (%s)', (value, message) => {
    expect(problemOf(value)).toBe(message);
  });
});
