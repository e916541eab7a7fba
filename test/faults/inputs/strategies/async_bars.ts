// Fault fixture: a strategy whose onBars is declared async, which the loader refuses.
import { BaseStrategy, baseStrategySchema, type Interval, type Signal } from 'tradeflow';
import type { z } from 'zod';

export const configSchema = baseStrategySchema;

/** Buys on every bar, but asynchronously: the engine would only ever see a promise. */
export class AsyncBarsStrategy extends BaseStrategy<z.output<typeof configSchema>> {
  // @ts-expect-error the fault under test: onBars must return its signals, not a promise of them
  // eslint-disable-next-line @typescript-eslint/require-await
  async onBars(symbol: string, _interval: Interval): Promise<readonly Signal[]> {
    return [{ symbol, action: 'BUY', quantity: 1 }];
  }
}
