import { describe, expect, it } from 'vitest';
import { MemoryLogger } from '../../core/logger.ts';
import type { Interval } from '../../model/interval.ts';
import type { Signal } from '../../model/signal.ts';
import { BaseStrategy } from '../base-strategy.ts';
import { HookCaller, LOGGED_ERRORS } from './hooks.ts';
import { MetricsWriter, readMetrics, sharedMetrics } from './metrics.ts';
import { checkSignal, MAX_METADATA_CHARS, MAX_METADATA_DEPTH, SignalProblem } from './signal-check.ts';

const buy = { symbol: 'X', action: 'BUY', quantity: 10 } as const;

/** The problem `checkSignal` finds in `value`, as one line; fails when it finds none. */
function problemOf(value: unknown): string {
  const checked = checkSignal(value);
  if (!(checked instanceof SignalProblem)) throw new Error(`no problem found in ${JSON.stringify(checked)}`);
  return checked.message;
}

describe('checkSignal', () => {
  it('returns a clean copy of a well-formed signal, with only the fields a signal has', () => {
    const full: Signal = {
      symbol: 'X',
      action: 'BUY',
      quantity: 2.5,
      price: 101.25,
      orderType: 'limit',
      reason: 'cross up',
      confidence: 0.75,
      metadata: { fast: 10.5, tags: ['a', null, true], nested: { deep: [1, { x: 'y' }] } },
    };
    const checked = checkSignal({ ...full, extra: 10n, id: () => 1 });
    expect(checked).toStrictEqual(full);
    expect(checked).not.toBe(full);
    expect((checked as Signal).metadata).not.toBe(full.metadata);
  });

  it('takes null for a field left out, and CLOSE and HOLD without a quantity', () => {
    expect(checkSignal({ symbol: 'X', action: 'CLOSE', quantity: null, price: null })).toStrictEqual({
      symbol: 'X',
      action: 'CLOSE',
    });
    expect(checkSignal({ symbol: 'X', action: 'HOLD' })).toStrictEqual({ symbol: 'X', action: 'HOLD' });
  });

  it('passes finite values the broker refuses, so that they become rejected orders with the reason', () => {
    for (const s of [
      { ...buy, quantity: 0 },
      { ...buy, quantity: -5 },
      { ...buy, orderType: 'limit' },
      { ...buy, orderType: 'stop', price: -1 },
      { ...buy, symbol: 'NOT_IN_THE_SESSION' },
      { ...buy, quantity: 1e15, price: -1e15 },
      { ...buy, quantity: 0.001 },
    ]) {
      expect(checkSignal(s)).toStrictEqual(s);
    }
  });

  it.each([
    [null, 'signal: null is not a signal object'],
    [undefined, 'signal: undefined is not a signal object'],
    ['BUY', 'signal: "BUY" (a string) is not a signal object'],
    [[buy], 'signal: an array is not a signal object'],
    [{ ...buy, action: undefined }, 'action: missing; use BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE'],
    [{ ...buy, action: 'SHORT' }, 'action: "SHORT" is not BUY, SELL, CLOSE, HOLD, CANCEL or REPLACE'],
    [{ ...buy, symbol: undefined }, 'symbol: missing'],
    [{ ...buy, symbol: '' }, 'symbol: "" (a string) is empty'],
    [{ ...buy, symbol: ['X'] }, 'symbol: an array is not a string'],
    [{ ...buy, symbol: 'X'.repeat(257) }, `symbol: "${'X'.repeat(40)}"... (a string) is too long`],
    [{ symbol: 'X', action: 'SELL' }, 'quantity: missing; a SELL needs the number of shares'],
    [{ ...buy, quantity: Number.NaN }, 'quantity: NaN is not a finite number'],
    [{ ...buy, quantity: -Infinity }, 'quantity: -Infinity is not a finite number'],
    [{ ...buy, quantity: '10' }, 'quantity: "10" (a string) is not a finite number'],
    [{ ...buy, quantity: 10n }, 'quantity: 10n (a BigInt) is not a finite number'],
    [{ symbol: 'X', action: 'HOLD', quantity: Number.NaN }, 'quantity: NaN is not a finite number'],
    [{ ...buy, price: Infinity }, 'price: Infinity is not a finite number'],
    [
      { ...buy, quantity: 1e308 },
      "quantity: 1e+308 is outside -1e15 .. 1e15 (larger values would overflow the run's books)",
    ],
    [
      { ...buy, quantity: -1e16 },
      "quantity: -10000000000000000 is outside -1e15 .. 1e15 (larger values would overflow the run's books)",
    ],
    [
      { ...buy, orderType: 'limit', price: 1e300 },
      "price: 1e+300 is outside -1e15 .. 1e15 (larger values would overflow the run's books)",
    ],
    [
      { ...buy, orderType: 'LIMIT', price: 1 },
      'orderType: "LIMIT" is not market, limit, stop, stop_limit or trailing_stop',
    ],
    [{ ...buy, reason: { why: 1 } }, 'reason: a plain object is not a string'],
    [{ ...buy, reason: 'r'.repeat(4097) }, 'reason: 4097 characters, more than 4096'],
    [{ ...buy, confidence: -0.1 }, 'confidence: -0.1 is not within [0, 1]'],
    [{ ...buy, confidence: Number.NaN }, 'confidence: NaN is not a finite number'],
    [{ ...buy, metadata: 'note' }, 'metadata: "note" (a string) is not a plain object'],
    [{ ...buy, metadata: [1, 2] }, 'metadata: an array is not a plain object'],
    [
      { ...buy, metadata: { at: new Date(0) } },
      'metadata.at: a Date is not plain JSON data; use plain objects, arrays, strings, numbers and booleans',
    ],
    [
      { ...buy, metadata: { m: new Map() } },
      'metadata.m: a Map is not plain JSON data; use plain objects, arrays, strings, numbers and booleans',
    ],
    [
      { ...buy, metadata: { a: [1, Number.NaN] } },
      'metadata.a[1]: NaN is not a finite number (JSON has no NaN or Infinity)',
    ],
    [{ ...buy, metadata: { a: [undefined] } }, 'metadata.a[0]: undefined is not JSON data'],
    [{ ...buy, metadata: { f: () => 1 } }, 'metadata.f: a function is not JSON data'],
    [{ ...buy, metadata: { s: Symbol('s') } }, 'metadata.s: a symbol is not JSON data'],
    [
      { ...buy, metadata: { b: { n: 1n } } },
      'metadata.b.n: 1n (a BigInt) cannot be written as JSON; pass a number or a string',
    ],
  ] as const)('refuses case %# (%s)', (value, message) => {
    expect(problemOf(value)).toBe(message);
  });

  it('names a circular reference in metadata, and where it points', () => {
    const meta: Record<string, unknown> = { list: [] };
    (meta.list as unknown[]).push({ back: meta });
    expect(problemOf({ ...buy, metadata: meta })).toBe(
      'metadata.list[0].back: refers back to metadata (a circular reference)',
    );
    const inner: Record<string, unknown> = {};
    inner.self = inner;
    expect(problemOf({ ...buy, metadata: { inner } })).toBe(
      'metadata.inner.self: refers back to an enclosing value (a circular reference)',
    );
    // The same object twice, not inside itself, is no cycle: each place gets its copy, as in JSON.
    const shared = { v: 1 };
    expect(checkSignal({ ...buy, metadata: { a: shared, b: shared } })).toMatchObject({
      metadata: { a: { v: 1 }, b: { v: 1 } },
    });
  });

  it('bounds metadata by its size as JSON and its depth', () => {
    const fits = { blob: 'x'.repeat(MAX_METADATA_CHARS - 20) };
    expect(JSON.stringify(fits).length).toBeLessThanOrEqual(MAX_METADATA_CHARS);
    expect(checkSignal({ ...buy, metadata: fits })).toMatchObject({ metadata: fits });
    expect(problemOf({ ...buy, metadata: { blob: 'x'.repeat(MAX_METADATA_CHARS) } })).toBe(
      `metadata: more than ${MAX_METADATA_CHARS} characters as JSON; keep metadata small (it is stored with every signal)`,
    );
    // Many small values add up as well.
    const many = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, i]));
    expect(JSON.stringify(many).length).toBeGreaterThan(MAX_METADATA_CHARS);
    expect(problemOf({ ...buy, metadata: many })).toMatch(/^metadata: more than/);
    let deep: Record<string, unknown> = {};
    const root = deep;
    for (let d = 0; d < MAX_METADATA_DEPTH + 1; d++) deep = deep.d = {};
    expect(problemOf({ ...buy, metadata: root })).toMatch(
      new RegExp(`^metadata(\\.d)+: nested deeper than ${MAX_METADATA_DEPTH} levels$`),
    );
  });

  it('keeps a "__proto__" key as a plain key, never as the copy’s prototype', () => {
    const metadata = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const checked = checkSignal({ ...buy, metadata }) as Signal;
    expect(Object.getPrototypeOf(checked.metadata)).toBe(Object.prototype);
    expect((checked.metadata as { polluted?: boolean }).polluted).toBeUndefined();
    expect(JSON.stringify(checked.metadata)).toBe('{"__proto__":{"polluted":true},"a":1}');
  });

  it('reads each field once, and turns a getter that throws into a problem', () => {
    let reads = 0;
    const counted = {
      symbol: 'X',
      action: 'BUY',
      get quantity() {
        reads++;
        return reads === 1 ? 5 : Number.NaN;
      },
    };
    expect(checkSignal(counted)).toStrictEqual({ symbol: 'X', action: 'BUY', quantity: 5 });
    expect(reads).toBe(1);
    const throwing = {
      ...buy,
      get price(): number {
        throw new Error('no price yet');
      },
    };
    expect(problemOf(throwing)).toBe('signal: reading it threw: no price yet');
  });
});

/** A strategy that returns, on each bar, the next value of its script. */
class Scripted extends BaseStrategy {
  #n = 0;
  constructor(readonly script: readonly unknown[]) {
    super({ symbols: ['X'], interval: '1d', position_size: 1 }, 'scripted');
  }
  onBars(_symbol: string, _interval: Interval): readonly Signal[] {
    return this.script[this.#n++] as readonly Signal[];
  }
}

describe('the hook policy and invalid signals', () => {
  const hold = { symbol: 'X', action: 'HOLD' } as const;
  const script = [
    [hold, { ...buy, quantity: Number.NaN }, null],
    [],
    'BUY',
    [{ ...buy, metadata: { n: 1n } }, buy],
    [buy, { ...buy, extra: 1 }],
  ];

  it('drops each invalid signal, keeps the others, counts it as an error and an invalid signal, and logs the first ones', () => {
    const log = new MemoryLogger();
    const metrics = sharedMetrics();
    const hooks = new HookCaller(new Scripted(script), log, new MetricsWriter(metrics));
    const out = script.map(() => hooks.onBars('X', '1d'));
    expect(out).toEqual([[hold], [], [], [buy], [buy, buy]]);
    // Only clean copies leave the strategy: the unknown key is gone.
    expect(out[4]![1]).toStrictEqual(buy);
    expect(readMetrics(metrics)).toMatchObject({
      notifications: 5,
      signals: 4,
      errors: 4,
      invalidSignals: 4,
    });
    expect(log.records.map((r) => r.msg)).toEqual([
      'strategy scripted: onBars(X, 1d) returned an invalid signal (2 of 3), dropped: quantity: NaN is not a finite number',
      'strategy scripted: onBars(X, 1d) returned an invalid signal (3 of 3), dropped: signal: null is not a signal object',
      'strategy scripted: onBars(X, 1d) returned the string "BUY", not an array of signals',
      'strategy scripted: onBars(X, 1d) returned an invalid signal (1 of 2), dropped: metadata.n: 1n (a BigInt) cannot be written as JSON; pass a number or a string',
    ]);
  });

  it('does the same a step at a time, as a strategy thread calls it', () => {
    const one = { log: new MemoryLogger(), metrics: sharedMetrics() };
    const byStep = { log: new MemoryLogger(), metrics: sharedMetrics() };
    const single = new HookCaller(new Scripted(script), one.log, new MetricsWriter(one.metrics));
    const stepped = new HookCaller(new Scripted(script), byStep.log, new MetricsWriter(byStep.metrics));
    const fromOne = script.flatMap(() => single.onBars('X', '1d'));
    const queue = script.map((_, i) => i);
    const fromStep: Signal[] = [];
    stepped.onStep({ next: () => queue.shift() ?? -1, bar: () => ['X', '1d'] }, fromStep);
    expect(fromStep).toStrictEqual(fromOne);
    // What a thread sends is plain JSON: it reads back as the same signals.
    expect(JSON.parse(JSON.stringify(fromStep))).toStrictEqual(fromOne);
    const counts = (m: Float64Array) => {
      const { notifications, signals, errors, invalidSignals } = readMetrics(m);
      return { notifications, signals, errors, invalidSignals };
    };
    expect(counts(byStep.metrics)).toEqual(counts(one.metrics));
    expect(byStep.log.records).toEqual(one.log.records);
  });

  it('logs no more than the first errors of a strategy, and counts them all', () => {
    const bad = Array.from({ length: LOGGED_ERRORS + 3 }, () => [{ ...buy, quantity: '1' }]);
    const log = new MemoryLogger();
    const metrics = sharedMetrics();
    const hooks = new HookCaller(new Scripted(bad), log, new MetricsWriter(metrics));
    for (let i = 0; i < bad.length; i++) hooks.onBars('X', '1d');
    expect(log.records).toHaveLength(LOGGED_ERRORS);
    expect(readMetrics(metrics)).toMatchObject({
      errors: bad.length,
      invalidSignals: bad.length,
      signals: 0,
    });
  });
});
