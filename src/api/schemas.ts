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

/** The feeds a live session may name: a JSON WebSocket feed's URL, a replay of its files, or Binance. */
const FEED_PATTERN = /^(wss?:\/\/\S+|replay|binance)$/;

/**
 * `POST /api/sessions`: a live or replay session from a session config (inline, or a session file under
 * the project), with a replay's pace and a live session's feed.
 */
export const SessionRequestSchema = z
  .object({
    mode: z.enum(['live', 'replay'], { error: 'must be "live" or "replay"' }),
    config: z.record(z.string(), z.unknown()).optional(),
    session: z
      .string()
      .min(1)
      .max(1024)
      .regex(/\.json$/, 'must name a .json session file under the project (config/examples/...)')
      .optional(),
    speed: z.number().finite().positive('must be more than 0').max(100_000_000).optional(),
    feed: z.string().regex(FEED_PATTERN, 'must be "ws://...", "wss://...", "replay" or "binance"').optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.config === undefined) === (b.session === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['config'],
        message:
          'give either "config" (a session config object) or "session" (a session file under the project), and not both',
      });
    }
    if (b.mode === 'replay' && b.feed !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['feed'], message: 'only a live session takes a feed' });
    }
  });

/** A session's strategy in a URL. */
export const SessionStrategyParamsSchema = RunParamsSchema.extend({
  name: z.string().min(1).max(256),
});

/** Paging of a session list. */
export const SessionListQuerySchema = ListQuerySchema.omit({ kind: true });
