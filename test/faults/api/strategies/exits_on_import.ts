// Fault fixture for the API: a strategy module whose top-level code ends its thread as it is imported.
import type { z } from 'zod';
import { BaseStrategy, baseStrategySchema, type Interval, NO_SIGNALS, type Signal } from 'tradeflow';

process.exit(9);

/** Config: only the common keys (never read: the module does not finish loading). */
export const configSchema = baseStrategySchema;

type Config = z.output<typeof configSchema>;

/** Never constructed: importing the module ends the thread first. */
export class ExitsOnImportStrategy extends BaseStrategy<Config> {
  onBars(_symbol: string, _interval: Interval): readonly Signal[] {
    return NO_SIGNALS;
  }
}
