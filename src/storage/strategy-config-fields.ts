// The fields of a stored strategy configuration and their schema: what a row of strategy_configurations
// holds, checked on the way in and on the way out.
import { z } from 'zod';
import { RiskSchema, type RiskConfig } from '../config/orders-config.ts';

const NAME = /^[A-Za-z0-9._-]+$/;
const NAME_RULE = 'must be letters, digits or . _ - (no spaces or commas)';

/**
 * How a stored configuration's parameters are checked against its strategy's config schema, when it is
 * saved and when a session loads it: `schema` (the default) refuses any parameter the schema does not
 * know or accept; `schema_loose` drops the parameters the schema does not know (named in a note) and
 * checks the rest; `none` stores the parameters as given and leaves every check to the run that loads
 * them (whose error then names the session entry). See docs/cli.md.
 */
export const VALIDATOR_TYPES = ['schema', 'schema_loose', 'none'] as const;

/** A validator type (see {@link VALIDATOR_TYPES}). */
export type ValidatorType = (typeof VALIDATOR_TYPES)[number];

/** What a stored strategy configuration holds besides its name and times; checked before it is written. */
export const StrategyConfigurationFieldsSchema = z
  .object({
    /** A registered strategy type (`momentum`) or a module path under strategies/ (`strategies/examples/rsi`). */
    type: z.string().min(1),
    /** The strategy's own config without `symbols` (those are the instruments). */
    parameters: z
      .record(z.string(), z.unknown())
      .refine((p) => !Object.hasOwn(p, 'symbols'), 'give the symbols as instruments, not as a parameter'),
    instruments: z
      .array(z.string().regex(/^[A-Za-z0-9._^=-]+$/, 'must be letters, digits or . _ ^ = -'))
      .min(1, 'needs at least one symbol'),
    active_brokers: z
      .array(z.string().regex(NAME, NAME_RULE))
      .min(1, 'needs at least one account')
      .refine((b) => new Set(b).size === b.length, 'names an account twice'),
    enabled: z.boolean(),
    validator_type: z.enum(VALIDATOR_TYPES),
    /** The strategy's own risk limits, carried into its session entry's `risk`. */
    risk: RiskSchema.optional(),
  })
  .strict();

/** The fields of a strategy configuration, as checked. */
export type StrategyConfigurationFields = z.output<typeof StrategyConfigurationFieldsSchema>;

/**
 * A strategy configuration as stored: its fields, its unique name, and when it was created and last changed.
 * Keys are those of the table and of the session config (`active_brokers`), so it prints as it is stored.
 */
export interface StrategyConfiguration extends StrategyConfigurationFields {
  readonly name: string;
  /** Epoch ms, from the repository's clock. */
  readonly created_at: number;
  readonly updated_at: number;
}

/**
 * A new configuration: a name and its fields; `active_brokers` defaults to the default account, `enabled`
 * to true, `validator_type` to `schema`, `risk` to none.
 */
export type NewStrategyConfiguration = Pick<StrategyConfigurationFields, 'type' | 'instruments'> &
  Partial<
    Pick<StrategyConfigurationFields, 'parameters' | 'active_brokers' | 'enabled' | 'validator_type' | 'risk'>
  > & {
    readonly name: string;
  };

/** Changes to a stored configuration: the fields given replace the stored ones; `risk: null` removes it. */
export type StrategyConfigurationChanges = Partial<Omit<StrategyConfigurationFields, 'risk'>> & {
  readonly risk?: RiskConfig | null;
};
