// The screeners tradeflow ships, by name, and how a run's thread finds a screener again from its name
// and module.
import { TradeflowError } from '../core/errors.ts';
import { bullishBreakout } from './bullish-breakout.ts';
import type { ScreenerStrategy } from './types.ts';

/** The screener strategies tradeflow ships, by name. */
export const SCREENERS: Readonly<Record<string, ScreenerStrategy>> = {
  [bullishBreakout.name]: bullishBreakout,
};

/** Returns a screener by name, or undefined. */
export function screenerByName(name: string): ScreenerStrategy | undefined {
  return Object.hasOwn(SCREENERS, name) ? SCREENERS[name] : undefined;
}

/** Returns the names of the screeners, sorted. */
export function screenerNames(): string[] {
  return Object.keys(SCREENERS).sort();
}

/** How a run's thread finds a screener: its name, and its module when the registry lacks it (plain data). */
export interface ScreenerRef {
  readonly name: string;
  readonly module?: { readonly url: string; readonly export: string };
}

/** Returns how a run's thread finds `screener`, or throws TF_ERR_CONFIG_INVALID when it could not. */
export function screenerRef(screener: ScreenerStrategy): ScreenerRef {
  if (screener.module !== undefined) return { name: screener.name, module: { ...screener.module } };
  if (screenerByName(screener.name) === screener) return { name: screener.name };
  throw new TradeflowError(
    'TF_ERR_CONFIG_INVALID',
    `screeners.${screener.name}: the registry has no such screener, so a run's thread could not load it; ` +
      'give it `module: { url: import.meta.url, export: "<its export name>" }`',
  );
}

/** Returns the screener a ref names (imported from its module when it has one), or throws TF_ERR_CONFIG_INVALID. */
export async function screenerFrom(ref: ScreenerRef): Promise<ScreenerStrategy> {
  if (ref.module === undefined) {
    const bundled = screenerByName(ref.name);
    if (bundled !== undefined) return bundled;
    throw new TradeflowError('TF_ERR_CONFIG_INVALID', `no screener "${ref.name}" in the registry`);
  }
  const mod = (await import(ref.module.url)) as Record<string, unknown>;
  const found = Object.hasOwn(mod, ref.module.export) ? mod[ref.module.export] : undefined;
  const screener = found as Partial<ScreenerStrategy> | undefined;
  if (typeof screener?.evaluate !== 'function' || screener.name !== ref.name) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_INVALID',
      `screener "${ref.name}": ${ref.module.url} exports no screener of that name as "${ref.module.export}"`,
    );
  }
  return screener as ScreenerStrategy;
}
