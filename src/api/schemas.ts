// The zod schemas of the API's requests: bodies, route parameters and list queries.
import { z } from 'zod';
import { SERVICE_RUN_KINDS } from '../storage/service-run.ts';

/** The most tickers one screen takes. */
export const MAX_TICKERS = 10_000;

/** A ticker as a request names it. */
export const TickerSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._^=-]{0,23}$/,
    'must be 1-24 letters, digits or . _ ^ = - (starting with a letter or digit)',
  );

/** `POST /api/strategies/execute`. */
export const ExecuteRequestSchema = z
  .object({
    strategy: z.string().min(1, 'name a screener (GET /api/strategies lists them)'),
    tickers: z
      .array(TickerSchema)
      .min(1, 'needs at least one ticker')
      .max(MAX_TICKERS, `at most ${MAX_TICKERS} tickers per run`),
    parameters: z.record(z.string(), z.unknown()).default({}),
    async: z.boolean().default(false),
  })
  .strict();

/** `POST /api/backtests`: a session config (as in a session file) and whether to answer at once. */
export const BacktestRequestSchema = z
  .object({
    config: z.record(z.string(), z.unknown()),
    async: z.boolean().default(false),
  })
  .strict();

/** A run id in a URL. */
export const RunParamsSchema = z.object({
  id: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/, 'must be a run id (letters, digits, . _ -)'),
});

/** Paging of a run list. */
export const ListQuerySchema = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(20),
    offset: z.coerce.number().int().min(0).default(0),
    kind: z.enum(SERVICE_RUN_KINDS).optional(),
  })
  .strict();

/** Paging of a backtest list (the kind is implied). */
export const BacktestListQuerySchema = ListQuerySchema.omit({ kind: true });
