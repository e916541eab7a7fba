// Fault fixture: a strategy that returns malformed signals of chosen kinds (each with a well-formed HOLD
// beside it) on every `every`th bar, to show that a bad signal is that strategy's problem, not the run's.
import { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

/** The kinds of bad output, each named after what is wrong with it. */
export const BAD_KINDS = [
  'null-element',
  'huge-quantity',
  'missing-action',
  'lowercase-action',
  'missing-symbol',
  'empty-symbol',
  'number-symbol',
  'unknown-symbol',
  'nan-quantity',
  'infinite-quantity',
  'string-quantity',
  'bigint-quantity',
  'missing-quantity',
  'negative-quantity',
  'nan-limit-price',
  'limit-without-price',
  'unknown-order-type',
  'number-reason',
  'confidence-above-one',
  'circular-metadata',
  'bigint-metadata',
  'huge-metadata',
  'returns-string',
] as const;

/** One kind of bad output. */
export type BadKind = (typeof BAD_KINDS)[number];

export const configSchema = baseStrategySchema.extend({
  /** The kinds of bad output: one on each `every`th notification, in turn, each once. */
  kinds: z.array(z.enum(BAD_KINDS)).min(1),
  every: z.number().int().positive().default(4),
});

type Config = z.output<typeof configSchema>;

/** Returns the malformed signal of `kind` for `symbol` (a plain JS strategy can return any of these). */
function badSignal(kind: Exclude<BadKind, 'returns-string'>, symbol: string): unknown {
  const buy = { symbol, action: 'BUY', quantity: 10 };
  switch (kind) {
    case 'null-element':
      return null;
    case 'huge-quantity':
      return { ...buy, quantity: 1e308 };
    case 'missing-action':
      return { symbol, quantity: 10 };
    case 'lowercase-action':
      return { ...buy, action: 'buy' };
    case 'missing-symbol':
      return { action: 'BUY', quantity: 10 };
    case 'empty-symbol':
      return { ...buy, symbol: '' };
    case 'number-symbol':
      return { ...buy, symbol: 7 };
    case 'unknown-symbol':
      return { ...buy, symbol: 'NOPE' };
    case 'nan-quantity':
      return { ...buy, quantity: NaN };
    case 'infinite-quantity':
      return { ...buy, quantity: Infinity };
    case 'string-quantity':
      return { ...buy, quantity: '10' };
    case 'bigint-quantity':
      return { ...buy, quantity: 10n };
    case 'missing-quantity':
      return { symbol, action: 'BUY' };
    case 'negative-quantity':
      return { ...buy, quantity: -10 };
    case 'nan-limit-price':
      return { ...buy, orderType: 'limit', price: NaN };
    case 'limit-without-price':
      return { ...buy, orderType: 'limit' };
    case 'unknown-order-type':
      return { ...buy, orderType: 'MKT' };
    case 'number-reason':
      return { ...buy, reason: 404 };
    case 'confidence-above-one':
      return { ...buy, confidence: 1.5 };
    case 'circular-metadata': {
      const metadata: Record<string, unknown> = { note: 'loops' };
      metadata.self = metadata;
      return { ...buy, metadata };
    }
    case 'bigint-metadata':
      return { ...buy, metadata: { volume: 10n } };
    case 'huge-metadata':
      return { ...buy, metadata: { blob: 'x'.repeat(100_000) } };
  }
}

/** Returns each of its kinds of bad output once, in turn on every `every`th bar, with a well-formed HOLD beside it. */
export class BadSignalsStrategy extends BaseStrategy<Config> {
  #n = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    const n = ++this.#n;
    const { kinds, every } = this.config;
    const kind = n % every === 0 ? kinds[n / every - 1] : undefined;
    if (kind === undefined) return NO_SIGNALS;
    if (kind === 'returns-string') return 'BUY' as unknown as readonly Signal[];
    const hold: Signal = { symbol, action: 'HOLD', reason: `beside ${kind}` };
    return [badSignal(kind, symbol), hold] as readonly Signal[];
  }
}
