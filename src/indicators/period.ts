// Checks an indicator's period parameter, so that a bad one is a config error naming it.
import { TradeflowError } from '../core/errors.ts';

/** Returns `value` when it is an integer >= `min`, else throws a config error naming the parameter. */
export function checkPeriod(value: number, name: string, min = 1): number {
  if (!Number.isInteger(value) || value < min) {
    throw new TradeflowError('TF_ERR_STRATEGY_CONFIG', `${name}: must be an integer >= ${min}, got ${value}`);
  }
  return value;
}
