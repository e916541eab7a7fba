// Fault fixture: a strategy whose onBars is not declared async but returns a promise (one in three rejects).
import { BaseStrategy, baseStrategySchema, type Interval, type Signal } from 'tradeflow';
import type { z } from 'zod';

export const configSchema = baseStrategySchema;

/** Returns its signals in a promise, so the engine sees a promise instead of an array. */
export class PromiseBarsStrategy extends BaseStrategy<z.output<typeof configSchema>> {
  #calls = 0;

  onBars(symbol: string, _interval: Interval): readonly Signal[] {
    this.#calls++;
    const signals: readonly Signal[] = [{ symbol, action: 'BUY', quantity: 1 }];
    const promise =
      this.#calls % 3 === 0 ? Promise.reject(new Error('rejected on purpose')) : Promise.resolve(signals);
    return promise as unknown as readonly Signal[];
  }
}
