// The session config: its zod schema (the types derive from it) and the loader that reads and checks a file.
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { escapeText } from '../core/escape.ts';
import { TradeflowError } from '../core/errors.ts';
import { parseWith } from '../core/zod-errors.ts';
import { isValidTimeZone } from '../core/time.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import { INTERVALS } from '../model/interval.ts';
import { LiveSchema } from './live-config.ts';
import { DurationSchema, IntrabarSchema, RiskSchema } from './orders-config.ts';

export {
  DurationSchema,
  IntrabarSchema,
  RiskSchema,
  type IntrabarRule,
  type RiskConfig,
} from './orders-config.ts';
export { FeedSchema, LiveSchema, ReconnectSchema, type FeedConfig, type LiveConfig } from './live-config.ts';

/**
 * The session config: which data to load, which strategies to run on it, and the paper broker's terms.
 * Types are derived from these schemas, never written twice. `docs/session-config.md` documents them.
 */

const HHMM = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time HH:MM from 00:00 to 24:00');

/** A custom trading session, e.g. 09:00-22:00 Europe/Berlin on weekdays. */
export const CustomCalendarSchema = z
  .object({
    name: z.string().min(1).optional(),
    timezone: z.string().min(1),
    open: HHMM,
    close: HHMM,
    weekdays: z.array(z.number().int().min(1).max(7)).min(1).optional(),
    holidays: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD')).optional(),
  })
  .strict();

/** A calendar by name or a custom session. */
export const CalendarSpecSchema = z.union([z.enum(['us_equities', '24h']), CustomCalendarSchema], {
  error:
    'must be "us_equities", "24h" or a custom session { timezone, open: "HH:MM", close: "HH:MM", weekdays?, holidays? }',
});

/** One bar file and how to read it. */
export const DataSourceSchema = z
  .object({
    symbol: z
      .string()
      .min(1)
      .regex(/^[A-Za-z0-9._^=-]+$/, 'must be letters, digits or . _ ^ = -'),
    file: z.string().min(1),
    format: z.enum(['yahoo', 'backtrader', 'ohlcv']).optional(),
    interval: z.enum(INTERVALS).optional(),
    calendar: CalendarSpecSchema.default('us_equities'),
    timezone: z
      .string()
      .refine(isValidTimeZone, 'must be an IANA time zone such as "UTC" or "America/New_York"')
      .optional(),
    stamp: z.enum(['open', 'close']).optional(),
    on_bad_row: z.enum(['error', 'skip']).default('error'),
    /**
     * When the symbol joins a running session (ISO 8601 with a zone): its bars up to then are warm-up
     * history, strategies hear `onSymbolAdded`, and its later bars are stepped. Absent: from the start.
     */
    join_at: z.iso
      .datetime({
        offset: true,
        error: 'must be an ISO 8601 time with a zone, such as "2024-03-01T14:30:00Z"',
      })
      .optional(),
  })
  .strict();

/** One strategy entry: a module under strategies/ and its own config (validated by the module's schema). */
export const StrategyEntrySchema = z
  .object({
    module: z.string().min(1).optional(),
    type: z.string().min(1).optional(),
    name: z.string().min(1).optional(),
    enabled: z.boolean().default(true),
    isolation: z.enum(['auto', 'thread', 'inline']).default('auto'),
    queue_size: z.number().int().min(1).max(1_000_000).default(100),
    step_timeout_ms: z.number().finite().positive().default(10_000),
    /** Time a strategy's start (model load, `setup`) may take; a thread's start includes importing its module. */
    setup_timeout_ms: z.number().finite().positive().default(30_000),
    /** Time a strategy's `teardown` may take (a thread's includes finishing its queue). */
    teardown_timeout_ms: z.number().finite().positive().default(5_000),
    /** Thread strategies: the V8 heap the thread may use (`resourceLimits.maxOldGenerationSizeMb`). */
    max_heap_mb: z.number().int().min(16).max(65_536).default(1024),
    /** Thread strategies: growth of the thread's off-heap memory (buffers) since its setup, checked between steps. */
    max_offheap_mb: z.number().int().min(1).max(1_048_576).default(1024),
    on_queue_full: z.enum(['block', 'drop_oldest']).default('block'),
    on_backpressure: z.enum(['warn', 'pause']).default('warn'),
    config: z.record(z.string(), z.unknown()).default({}),
    /** The strategy's own risk limits, checked after its account's (see `RiskSchema`). */
    risk: RiskSchema.optional(),
    /** Calls `onTick` this often (simulated time in a backtest or replay, the wall clock live), in ms. */
    tick_interval: DurationSchema.optional(),
    active_brokers: z
      .array(z.string().min(1))
      .min(1, 'needs at least one account (leave it out for the default account)')
      .default([DEFAULT_ACCOUNT]),
  })
  .strict()
  .superRefine((e, ctx) => {
    if ((e.module === undefined) === (e.type === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: e.module === undefined ? ['module'] : ['type'],
        message:
          'give either "module" (a file under strategies/) or "type" (a registered strategy type), not both',
      });
    }
  });

const nonNegative = z.number().finite().min(0);

/** The terms of the default paper account (named `default`), shared by the strategies routed to it. */
export const BrokerSchema = z
  .object({
    initial_cash: z.number().finite().positive().default(100_000),
    commission: z
      .object({
        per_share: nonNegative.default(0),
        bps: nonNegative.default(0),
        minimum: nonNegative.default(0),
      })
      .strict()
      .default({ per_share: 0, bps: 0, minimum: 0 }),
    slippage_bps: nonNegative.default(0),
    allow_short: z.boolean().default(false),
    /** Which exit of a bracket a bar that reaches both fills (see `IntrabarSchema`). */
    intrabar: IntrabarSchema.default('worst'),
    /** Most of a bar's volume an order may fill on it (e.g. 0.1); the rest works on later bars. Off when left out. */
    max_volume_share: z.number().finite().positive().max(1).optional(),
    /** The account's risk limits (see `RiskSchema`). */
    risk: RiskSchema.optional(),
  })
  .strict();

/** A further paper account: its own cash and cost model, on the same terms as `broker`, with a name. */
export const AccountSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits or . _ - (no spaces or commas)')
      .refine((n) => n !== DEFAULT_ACCOUNT, {
        message: `"${DEFAULT_ACCOUNT}" is the account built from "broker"; give this account another name`,
      }),
    ...BrokerSchema.shape,
  })
  .strict();

/** Where results go; paths are relative to the project root. */
export const OutputSchema = z
  .object({
    dir: z.string().min(1).optional(),
    database: z.string().min(1).optional(),
    report: z.boolean().default(true),
  })
  .strict();

/**
 * A session's name: it names the output folder (`out/<name>`) and the run ids, so it must be one plain
 * folder name. A name that would place output elsewhere (`../x`, `/tmp/x`, `a/b`) is refused, not
 * rewritten: a silently changed name would put the results where nobody looks (`output.dir` chooses
 * the folder).
 */
export const SessionNameSchema = z
  .string()
  .min(1)
  .max(200)
  // eslint-disable-next-line no-control-regex
  .refine((n) => !/[/\\:\u0000-\u001f\u007f]/.test(n) && n !== '.' && n !== '..', {
    message:
      'must be a plain name (no / \\ : or control characters, not "." or ".."): it names the output folder out/<name>; set "output.dir" to write elsewhere',
  });

/** The whole session config. */
export const SessionConfigSchema = z
  .object({
    name: SessionNameSchema.optional(),
    root: z.string().min(1).optional(),
    speed_multiplier: z.number().finite().min(0).default(0),
    data: z.array(DataSourceSchema).min(1, 'needs at least one data source'),
    strategies: z.array(StrategyEntrySchema),
    db_strategies: z.boolean().default(false),
    broker: BrokerSchema.default(BrokerSchema.parse({})),
    accounts: z.array(AccountSchema).default([]),
    output: OutputSchema.default({ report: true }),
    live: LiveSchema.optional(),
  })
  .strict()
  .superRefine((cfg, ctx) => {
    if (cfg.strategies.length === 0 && !cfg.db_strategies) {
      ctx.addIssue({
        code: 'custom',
        path: ['strategies'],
        message: 'needs at least one strategy (or "db_strategies": true to run those stored in the database)',
      });
    }
    checkAccounts(cfg, ctx);
    // One source per symbol, whatever its interval: the engine aggregates other intervals from it.
    const seen = new Map<string, number>();
    cfg.data.forEach((d, i) => {
      const prev = seen.get(d.symbol);
      if (prev !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['data', i, 'symbol'],
          message: `duplicates data[${prev}] (${d.symbol}); load each symbol once (other intervals are aggregated from it)`,
        });
      } else seen.set(d.symbol, i);
    });
  });

/** Checks that account names are unique and that every strategy routes to accounts the session has. */
function checkAccounts(
  cfg: {
    accounts: readonly { name: string }[];
    strategies: readonly { active_brokers: readonly string[] }[];
  },
  ctx: z.RefinementCtx,
): void {
  const known = new Map<string, number>();
  cfg.accounts.forEach((a, i) => {
    const prev = known.get(a.name);
    if (prev !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['accounts', i, 'name'],
        message: `"${a.name}" is already the name of accounts[${prev}]; give each account its own name`,
      });
    } else known.set(a.name, i);
  });
  const names = [DEFAULT_ACCOUNT, ...known.keys()];
  cfg.strategies.forEach((s, i) => {
    s.active_brokers.forEach((name, j) => {
      const problem = !names.includes(name)
        ? `unknown account "${name}"; known accounts: ${names.join(', ')}`
        : s.active_brokers.indexOf(name) !== j
          ? `names account "${name}" twice`
          : undefined;
      if (problem !== undefined) {
        ctx.addIssue({ code: 'custom', path: ['strategies', i, 'active_brokers', j], message: problem });
      }
    });
  });
}

/** A validated session config. */
export type SessionConfig = z.output<typeof SessionConfigSchema>;
/** A validated data source entry. */
export type DataSourceConfig = z.output<typeof DataSourceSchema>;
/** A validated strategy entry. */
export type StrategyEntry = z.output<typeof StrategyEntrySchema>;
/** A validated broker section. */
export type BrokerConfig = z.output<typeof BrokerSchema>;
/** A validated entry of `accounts`. */
export type AccountConfig = z.output<typeof AccountSchema>;
/** A calendar name or custom session. */
export type CalendarSpec = z.output<typeof CalendarSpecSchema>;

/** A session config with the file it came from and the root its relative paths resolve against. */
export interface LoadedSession {
  readonly config: SessionConfig;
  readonly name: string;
  readonly file: string;
  readonly root: string;
}

/** Finds the project root for a config: the nearest folder above it holding `strategies/` or `package.json`. */
export function findProjectRoot(fromDir: string): string {
  let dir = resolve(fromDir);
  for (;;) {
    if (existsSync(resolve(dir, 'strategies')) || existsSync(resolve(dir, 'package.json'))) return dir;
    const up = dirname(dir);
    if (up === dir) return resolve(fromDir);
    dir = up;
  }
}

/** Validates a parsed config object; `source` names the file in messages. */
export function parseSessionConfig(value: unknown, source = 'session config'): SessionConfig {
  return parseWith(SessionConfigSchema, value, { code: 'TF_ERR_CONFIG_INVALID', source });
}

/** Options of `loadSessionConfig`. */
export interface LoadSessionOptions {
  /** Sets `db_strategies` to true, as if the file did (`--with-db-strategies`). */
  readonly dbStrategies?: boolean;
}

/** Reads and validates a session config file. */
export function loadSessionConfig(file: string, options: LoadSessionOptions = {}): LoadedSession {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new TradeflowError(
      'TF_ERR_CONFIG_READ',
      `${file}: cannot read the session config (${(e as Error).message})`,
      {
        cause: e,
      },
    );
  }
  // A byte order mark (editors on Windows write one) is read past, as the bar file loader does.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // JSON.parse quotes the text around the error: escaped, so no control byte reaches the terminal.
    throw new TradeflowError(
      'TF_ERR_CONFIG_READ',
      `${file}: not valid JSON (${escapeText((e as Error).message, 200)})`,
      { cause: e },
    );
  }
  if (options.dbStrategies && typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    raw = { ...raw, db_strategies: true };
  }
  const config = parseSessionConfig(raw, file);
  const root = config.root
    ? isAbsolute(config.root)
      ? config.root
      : resolve(dirname(path), config.root)
    : findProjectRoot(dirname(path));
  const stem = path.replace(/^.*[\\/]/, '').replace(/\.json$/i, '');
  const name = config.name ?? (SessionNameSchema.safeParse(stem).success ? stem : 'session');
  return { config, name, file: path, root };
}
