// `tradeflow strategies list|show|add|set|remove|enable|disable`: edits the strategy configurations stored
// in a run database.
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { findProjectRoot } from '../config/session-config.ts';
import type { Clock } from '../core/clock.ts';
import { TradeflowError } from '../core/errors.ts';
import type { RiskConfig } from '../config/orders-config.ts';
import {
  type StrategyConfiguration,
  type StrategyConfigurationChanges,
  StrategyConfigRepository,
  VALIDATOR_TYPES,
  type ValidatorType,
} from '../storage/strategy-configs.ts';
import { type CheckedDefinition, checkStrategyDefinition, droppedNote } from './stored-strategies.ts';

/** What the `strategies` commands write to and read the time from (the process, or a test's). */
export interface StrategiesIo {
  readonly stdout: (text: string) => void;
  readonly clock: Clock;
}

interface DbOpts {
  db?: string;
}

interface EditOpts extends DbOpts {
  type?: string;
  symbols?: string[];
  param?: [string, unknown][];
  unset?: string[];
  brokers?: string[];
  disabled?: boolean;
  validator?: ValidatorType;
  risk?: RiskConfig;
  unsetRisk?: boolean;
}

/** Parses `--validator`: one of the validator types. */
function validatorArgument(text: string): ValidatorType {
  const found = VALIDATOR_TYPES.find((v) => v === text);
  if (found === undefined) throw new InvalidArgumentError(`expected one of ${VALIDATOR_TYPES.join(', ')}.`);
  return found;
}

/** Parses `--risk`: a JSON object of risk limits (checked against the risk schema when stored). */
function riskArgument(text: string): RiskConfig {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidArgumentError('expected a JSON object, such as \'{"max_position_shares":100}\'.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError('expected a JSON object, such as \'{"max_position_shares":100}\'.');
  }
  return value;
}

/** Parses `A,B` into its non-empty, trimmed items. */
function list(text: string): string[] {
  const items = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) throw new InvalidArgumentError('expected a comma-separated list, such as A,B.');
  return items;
}

/**
 * Parses `--param key=value`: the value is read as JSON when it is JSON (`10`, `true`, `[1,2]`, `"10"`),
 * otherwise kept as text (`majority_vote`). Repeatable; collects pairs in order.
 */
export function paramArgument(text: string, previous: [string, unknown][] = []): [string, unknown][] {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(text);
  if (!m) throw new InvalidArgumentError('expected key=value, such as fast_period=10.');
  const [, key, raw] = m as unknown as [string, string, string];
  if (key === 'symbols')
    throw new InvalidArgumentError('give the symbols with --symbols, not as a parameter.');
  // These would reach the object's prototype, not a parameter of the strategy.
  if (key === '__proto__' || key === 'constructor' || key === 'prototype')
    throw new InvalidArgumentError(`"${key}" cannot be a parameter name; strategies' configs do not use it.`);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    value = raw;
  }
  return [...previous, [key, value]];
}

function collect(text: string, previous: string[] = []): string[] {
  return [...previous, text];
}

/** Returns the columns `strategies list` shows of a configuration. */
function columns(c: StrategyConfiguration): string[] {
  return [
    c.name,
    c.enabled ? 'enabled' : 'disabled',
    c.type,
    c.instruments.join(','),
    c.active_brokers.join(','),
    JSON.stringify(c.parameters),
  ];
}

/** Formats configurations as aligned lines under a header. */
function table(configs: readonly StrategyConfiguration[]): string {
  const rows = [['name', 'status', 'type', 'instruments', 'accounts', 'parameters'], ...configs.map(columns)];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Formats one configuration on one line, for the confirmation of an edit. */
function line(c: StrategyConfiguration): string {
  const [name, status, type, instruments, accounts, parameters] = columns(c);
  const validator = c.validator_type === 'schema' ? '' : `, validator ${c.validator_type}`;
  const risk = c.risk === undefined ? '' : `, risk ${JSON.stringify(c.risk)}`;
  return `${name} (${status}): ${type} on ${instruments}, accounts ${accounts}, parameters ${parameters}${validator}${risk}`;
}

/**
 * Adds `tradeflow strategies list|show|add|set|remove|enable|disable` to the program: they edit the
 * strategy configurations of a run database, checking a configuration's parameters against its strategy's
 * config schema before it is stored.
 */
export function addStrategiesCommand(program: Command, io: StrategiesIo): void {
  const root = () => findProjectRoot(process.cwd());
  const dbPath = (opts: DbOpts) => resolve(opts.db ?? resolve(root(), 'out/tradeflow.db'));
  const withRepository = async <T>(
    opts: DbOpts,
    fn: (r: StrategyConfigRepository) => T | Promise<T>,
  ): Promise<T> => {
    const repository = new StrategyConfigRepository({ path: dbPath(opts), clock: io.clock });
    try {
      return await fn(repository);
    } finally {
      repository.close();
    }
  };
  const out = (text: string) => io.stdout(text + '\n');
  const group = program
    .command('strategies')
    .description('list and edit the strategy configurations stored in the run database');
  const sub = (spec: string, description: string) =>
    group
      .command(spec)
      .description(description)
      .option('--db <path>', 'the SQLite database (default: out/tradeflow.db under the project root)');
  const fields = (cmd: Command, required: boolean) => {
    const symbols = ['--symbols <list>', 'the instruments, comma-separated: ORCL,NVDA', list] as const;
    const type = [
      '--type <type>',
      'a registered strategy type (momentum, rsi, ...) or a module path under strategies/',
    ] as const;
    if (required) cmd.requiredOption(...type).requiredOption(...symbols);
    else cmd.option(...type).option(...symbols);
    return cmd
      .option(
        '--param <key=value>',
        'a strategy parameter; repeat for more (values are JSON, or text)',
        paramArgument,
      )
      .option(
        '--brokers <list>',
        `the accounts its signals go to, comma-separated${required ? ' (default: default)' : ''}`,
        list,
      )
      .option(
        '--validator <type>',
        `how its parameters are checked: ${VALIDATOR_TYPES.join(', ')}${required ? ' (default: schema)' : ''}`,
        validatorArgument,
      )
      .option('--risk <json>', 'its own risk limits, as JSON: \'{"max_position_shares":100}\'', riskArgument);
  };
  const noted = (name: string, checked: CheckedDefinition) => {
    if (checked.dropped.length > 0) out(droppedNote(`strategy configuration "${name}"`, checked.dropped));
  };

  sub('list', 'list the stored configurations by name')
    .option('--json', 'print them as one JSON array')
    .action(async (opts: DbOpts & { json?: boolean }) => {
      const all = await withRepository(opts, (r) => r.list());
      if (opts.json) out(JSON.stringify(all));
      else out(all.length === 0 ? `no strategy configurations in ${dbPath(opts)}` : table(all));
    });

  sub('show <name>', 'print one configuration as JSON').action(async (name: string, opts: DbOpts) => {
    out(JSON.stringify(await withRepository(opts, (r) => r.get(name)), null, 2));
  });

  fields(sub('add <name>', 'store a new configuration (enabled unless --disabled)'), true)
    .option('--disabled', 'store it disabled')
    .action(async (name: string, opts: EditOpts) => {
      const stored = await withRepository(opts, async (r) => {
        r.checkNew(name);
        const definition = {
          name,
          type: opts.type ?? '',
          parameters: Object.fromEntries(opts.param ?? []),
          instruments: opts.symbols ?? [],
          ...(opts.validator === undefined ? {} : { validator_type: opts.validator }),
        };
        const checked = await checkStrategyDefinition(root(), definition);
        const added = r.add({
          ...definition,
          ...(opts.brokers === undefined ? {} : { active_brokers: opts.brokers }),
          ...(opts.risk === undefined ? {} : { risk: opts.risk }),
          enabled: opts.disabled !== true,
        });
        noted(name, checked);
        return added;
      });
      out(`added ${line(stored)}`);
    });

  fields(sub('set <name>', 'change a stored configuration: only the options given'), false)
    .option('--unset <key>', 'remove a parameter; repeat for more', collect)
    .option('--unset-risk', 'remove its risk limits')
    .action(async (name: string, opts: EditOpts) => {
      if (opts.unsetRisk === true && opts.risk !== undefined) {
        throw new TradeflowError(
          'TF_ERR_STORED_STRATEGY',
          `strategy configuration "${name}": give --risk or --unset-risk, not both`,
        );
      }
      const stored = await withRepository(opts, async (r) => {
        const current = r.get(name);
        const parameters: Record<string, unknown> = { ...current.parameters };
        for (const key of opts.unset ?? []) {
          if (!Object.hasOwn(parameters, key)) {
            throw new TradeflowError(
              'TF_ERR_STORED_STRATEGY',
              `strategy configuration "${name}": --unset ${key}: it has no such parameter (it has: ${Object.keys(parameters).join(', ') || 'none'})`,
            );
          }
          delete parameters[key];
        }
        for (const [key, value] of opts.param ?? []) parameters[key] = value;
        const changes: StrategyConfigurationChanges = {
          parameters,
          ...(opts.type === undefined ? {} : { type: opts.type }),
          ...(opts.symbols === undefined ? {} : { instruments: opts.symbols }),
          ...(opts.brokers === undefined ? {} : { active_brokers: opts.brokers }),
          ...(opts.validator === undefined ? {} : { validator_type: opts.validator }),
          ...(opts.risk === undefined ? {} : { risk: opts.risk }),
          ...(opts.unsetRisk === true ? { risk: null } : {}),
        };
        const { risk: _risk, ...definition } = { ...current, ...changes };
        const checked = await checkStrategyDefinition(root(), definition);
        const updated = r.update(name, changes);
        noted(name, checked);
        return updated;
      });
      out(`changed ${line(stored)}`);
    });

  sub('remove <name>', 'delete a stored configuration').action(async (name: string, opts: DbOpts) => {
    await withRepository(opts, (r) => r.remove(name));
    out(`removed ${name}`);
  });

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    sub(`${verb} <name>`, `${verb} a stored configuration (db_strategies runs the enabled ones)`).action(
      async (name: string, opts: DbOpts) => {
        const stored = await withRepository(opts, (r) => r.update(name, { enabled }));
        out(`${verb}d ${line(stored)}`);
      },
    );
  }
}
