// Turns zod validation issues into coded TradeflowErrors whose messages name each bad path.
import type { z } from 'zod';
import { TradeflowError, type ErrorCode } from './errors.ts';

/** Formats a zod issue path as `strategies[1].config.fast_period`, after an optional prefix. */
export function formatIssuePath(path: readonly PropertyKey[], prefix = ''): string {
  let out = prefix;
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out === '' ? String(p) : `.${String(p)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turns zod issues into one TradeflowError whose message lists `path: problem` lines. */
export function zodToError(
  error: z.ZodError,
  options: { code: ErrorCode; prefix?: string; source?: string },
): TradeflowError {
  const lines = error.issues.map((i) => `${formatIssuePath(i.path, options.prefix)}: ${i.message}`);
  const where = options.source ? `${options.source}: ` : '';
  return new TradeflowError(options.code, `${where}${lines.join('; ')}`, { cause: error });
}

/** Parses `value` with `schema`, throwing a TradeflowError that names each bad path. */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  options: { code: ErrorCode; prefix?: string; source?: string },
): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) throw zodToError(r.error, options);
  return r.data;
}
