// Strategy configurations stored by name in a run database: their schema, and the repository that checks
// and keeps them.
import type Database from 'better-sqlite3';
import type { Clock } from '../core/clock.ts';
import { isTradeflowError, TradeflowError } from '../core/errors.ts';
import { parseWith } from '../core/zod-errors.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import { openDatabase } from './sqlite-open.ts';
import { storageError } from './store-rules.ts';
import {
  type NewStrategyConfiguration,
  type StrategyConfiguration,
  type StrategyConfigurationChanges,
  type StrategyConfigurationFields,
  StrategyConfigurationFieldsSchema,
} from './strategy-config-fields.ts';

const NAME = /^[A-Za-z0-9._-]+$/;
const NAME_RULE = 'must be letters, digits or . _ - (no spaces or commas)';

export {
  StrategyConfigurationFieldsSchema,
  VALIDATOR_TYPES,
  type NewStrategyConfiguration,
  type StrategyConfiguration,
  type StrategyConfigurationChanges,
  type StrategyConfigurationFields,
  type ValidatorType,
} from './strategy-config-fields.ts';

interface Row {
  name: string;
  type: string;
  parameters: string;
  instruments: string;
  active_brokers: string;
  enabled: number;
  validator_type: string;
  risk: string | null;
  created_at: number;
  updated_at: number;
}

const COLUMNS =
  'name, type, parameters, instruments, active_brokers, enabled, validator_type, risk, created_at, updated_at';

function prepare(db: Database.Database) {
  return {
    all: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM strategy_configurations ORDER BY name`),
    enabled: db.prepare<[], Row>(
      `SELECT ${COLUMNS} FROM strategy_configurations WHERE enabled = 1 ORDER BY name`,
    ),
    get: db.prepare<[string], Row>(`SELECT ${COLUMNS} FROM strategy_configurations WHERE name = ?`),
    insert: db.prepare<[Row]>(
      `INSERT INTO strategy_configurations (${COLUMNS})
       VALUES (@name, @type, @parameters, @instruments, @active_brokers, @enabled, @validator_type, @risk,
         @created_at, @updated_at)`,
    ),
    update: db.prepare<[Omit<Row, 'created_at'>]>(
      `UPDATE strategy_configurations SET type = @type, parameters = @parameters, instruments = @instruments,
         active_brokers = @active_brokers, enabled = @enabled, validator_type = @validator_type, risk = @risk,
         updated_at = @updated_at
       WHERE name = @name`,
    ),
    remove: db.prepare<[string]>('DELETE FROM strategy_configurations WHERE name = ?'),
  };
}

/**
 * The strategy configurations of a run database (`strategy_configurations`): one row per name, its JSON
 * columns checked on the way in and on the way out. Times come from the clock passed in.
 */
export class StrategyConfigRepository {
  /** The database file, or ':memory:'. */
  readonly path: string;
  readonly #where: string;
  readonly #clock: Clock;
  readonly #db: Database.Database;
  readonly #s: ReturnType<typeof prepare>;

  constructor(options: { readonly path: string; readonly clock: Clock }) {
    this.path = options.path;
    this.#clock = options.clock;
    this.#where = `strategy configurations in ${options.path}`;
    this.#db = openDatabase(options.path, `run store ${options.path}`);
    this.#s = prepare(this.#db);
  }

  /** Lists the configurations by name, or only the enabled ones. */
  list(options: { readonly enabledOnly?: boolean } = {}): StrategyConfiguration[] {
    return this.#guard('cannot list', () =>
      (options.enabledOnly ? this.#s.enabled : this.#s.all).all().map((r) => this.#decode(r)),
    );
  }

  /** Returns the configuration of that name, or undefined. */
  find(name: string): StrategyConfiguration | undefined {
    return this.#guard(`cannot read "${name}"`, () => {
      const row = this.#s.get.get(name);
      return row === undefined ? undefined : this.#decode(row);
    });
  }

  /** Returns the configuration of that name, or throws an error that says how to list the stored ones. */
  get(name: string): StrategyConfiguration {
    const found = this.find(name);
    if (found === undefined) {
      throw new TradeflowError(
        'TF_ERR_STORED_STRATEGY',
        `${this.#where}: no strategy configuration "${name}"; \`tradeflow strategies list\` shows the stored ones`,
      );
    }
    return found;
  }

  /** Stores a new configuration; throws when the name is taken or a field is invalid. */
  add(config: NewStrategyConfiguration): StrategyConfiguration {
    const name = checkName(config.name);
    const fields = checkFields(name, {
      type: config.type,
      parameters: config.parameters ?? {},
      instruments: config.instruments,
      active_brokers: config.active_brokers ?? [DEFAULT_ACCOUNT],
      enabled: config.enabled ?? true,
      validator_type: config.validator_type ?? 'schema',
      ...(config.risk === undefined ? {} : { risk: config.risk }),
    });
    return this.#guard(`cannot add "${name}"`, () => {
      this.checkNew(name);
      const now = this.#clock.now();
      const stored: StrategyConfiguration = { name, ...fields, created_at: now, updated_at: now };
      this.#s.insert.run(encode(stored));
      return stored;
    });
  }

  /** Throws unless the name is free for a new configuration (valid, and not stored yet). */
  checkNew(name: string): void {
    checkName(name);
    if (this.find(name) !== undefined) {
      throw new TradeflowError(
        'TF_ERR_STORED_STRATEGY',
        `${this.#where}: a strategy configuration "${name}" already exists; change it with \`tradeflow strategies set ${name}\``,
      );
    }
  }

  /** Changes the given fields of a stored configuration; returns it as stored. */
  update(name: string, changes: StrategyConfigurationChanges): StrategyConfiguration {
    const current = this.get(name);
    const { name: _n, created_at: _c, updated_at: _u, ...fields } = current;
    const merged: Record<string, unknown> = { ...fields, ...changes };
    if (changes.risk === null) delete merged['risk'];
    const next = checkFields(name, merged);
    return this.#guard(`cannot change "${name}"`, () => {
      const stored: StrategyConfiguration = {
        name,
        ...next,
        created_at: current.created_at,
        updated_at: this.#clock.now(),
      };
      const { created_at: _created, ...row } = encode(stored);
      this.#s.update.run(row);
      return stored;
    });
  }

  /** Deletes a stored configuration; throws when there is none of that name. */
  remove(name: string): void {
    this.get(name);
    this.#guard(`cannot remove "${name}"`, () => this.#s.remove.run(name));
  }

  /** Releases the database. */
  close(): void {
    if (this.#db.open) this.#db.close();
  }

  #decode(r: Row): StrategyConfiguration {
    const json = (column: string, text: string): unknown => {
      try {
        return JSON.parse(text) as unknown;
      } catch (e) {
        throw storageError(this.#where, `"${r.name}": ${column} is not JSON (${(e as Error).message})`, e);
      }
    };
    const fields = parseWith(
      StrategyConfigurationFieldsSchema,
      {
        type: r.type,
        parameters: json('parameters', r.parameters),
        instruments: json('instruments', r.instruments),
        active_brokers: json('active_brokers', r.active_brokers),
        enabled: r.enabled === 1,
        validator_type: r.validator_type,
        ...(r.risk === null ? {} : { risk: json('risk', r.risk) }),
      },
      { code: 'TF_ERR_STORAGE', source: `${this.#where}: stored "${r.name}"` },
    );
    return { name: r.name, ...fields, created_at: r.created_at, updated_at: r.updated_at };
  }

  /** Runs `fn`, passing coded errors through and wrapping SQLite's (a closed or broken database). */
  #guard<T>(doing: string, fn: () => T): T {
    if (!this.#db.open) throw storageError(this.#where, `${doing}: the repository is closed`);
    try {
      return fn();
    } catch (e) {
      if (isTradeflowError(e)) throw e;
      throw storageError(this.#where, `${doing}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
}

function checkName(name: string): string {
  if (!NAME.test(name)) {
    throw new TradeflowError('TF_ERR_STORED_STRATEGY', `strategy configuration name "${name}": ${NAME_RULE}`);
  }
  return name;
}

function checkFields(name: string, fields: unknown): StrategyConfigurationFields {
  return parseWith(StrategyConfigurationFieldsSchema, fields, {
    code: 'TF_ERR_STORED_STRATEGY',
    source: `strategy configuration "${name}"`,
  });
}

function encode(c: StrategyConfiguration): Row {
  return {
    name: c.name,
    type: c.type,
    parameters: JSON.stringify(c.parameters),
    instruments: JSON.stringify(c.instruments),
    active_brokers: JSON.stringify(c.active_brokers),
    enabled: c.enabled ? 1 : 0,
    validator_type: c.validator_type,
    risk: c.risk === undefined ? null : JSON.stringify(c.risk),
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}
