// Strategy configurations stored in the run database, as sessions use them: checking one against its
// strategy's schema, and turning the enabled ones into session strategy entries.
import { basename } from 'node:path';
import type { z } from 'zod';
import { type LoadedSession, parseSessionConfig, type StrategyEntry } from '../config/session-config.ts';
import { TradeflowError } from '../core/errors.ts';
import { formatIssuePath } from '../core/zod-errors.ts';
import { DEFAULT_ACCOUNT } from '../model/account.ts';
import type { StrategyConfiguration } from '../storage/strategy-configs.ts';
import { importStrategyModule } from '../strategy/loader.ts';
import { classNameForModule, instanceNameForClass } from '../strategy/names.ts';
import { STRATEGY_TYPES, strategyType } from '../strategy/registry.ts';

/** What of a stored configuration decides which strategy it runs, with what config, checked how. */
export type StrategyDefinition = Pick<StrategyConfiguration, 'name' | 'type' | 'parameters' | 'instruments'> &
  Partial<Pick<StrategyConfiguration, 'validator_type'>>;

/** A definition as checked: the parameters to run with, and those its validator dropped. */
export interface CheckedDefinition {
  readonly parameters: Readonly<Record<string, unknown>>;
  /** Parameters the strategy's schema does not know, dropped by `schema_loose`; empty otherwise. */
  readonly dropped: readonly string[];
}

/**
 * Returns the module a stored `type` names: a type with a `/` is a module path under strategies/, any other
 * is a registered type (an unknown one is an error listing the known types).
 */
export function moduleOfType(type: string, where: string): string {
  return type.includes('/') ? type : strategyType(type, where).module;
}

/**
 * Checks a configuration as `tradeflow strategies add` and `set` do, and as a session that loads it does,
 * by its `validator_type`: with `schema` (the default) its type resolves to a strategy module and its
 * parameters, with the instruments as `symbols`, pass that module's config schema; `schema_loose` first
 * drops the parameters the schema does not know; `none` checks nothing. Errors name the configuration and
 * the path (`parameters.fast_period`, `instruments`).
 */
export async function checkStrategyDefinition(
  root: string,
  c: StrategyDefinition,
  source = '',
): Promise<CheckedDefinition> {
  const validator = c.validator_type ?? 'schema';
  if (validator === 'none') return { parameters: c.parameters, dropped: [] };
  const where = `${source}strategy configuration "${c.name}"`;
  const module = await importStrategyModule(root, moduleOfType(c.type, `${where}: type`), `${where}: type`);
  let parameters = c.parameters;
  let r = module.configSchema.safeParse({ ...parameters, symbols: c.instruments });
  let dropped: string[] = [];
  if (!r.success && validator === 'schema_loose') {
    dropped = r.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [],
    );
    parameters = Object.fromEntries(Object.entries(parameters).filter(([k]) => !dropped.includes(k)));
    r = module.configSchema.safeParse({ ...parameters, symbols: c.instruments });
  }
  if (!r.success) {
    throw new TradeflowError('TF_ERR_STRATEGY_CONFIG', `${where}: ${issueLines(r.error).join('; ')}`, {
      cause: r.error,
    });
  }
  return { parameters, dropped };
}

function issueLines(error: z.ZodError): string[] {
  return error.issues.map((i) => {
    const path =
      i.path[0] === 'symbols'
        ? formatIssuePath(i.path.slice(1), 'instruments')
        : formatIssuePath(i.path, 'parameters');
    return `${path}: ${i.message}`;
  });
}

/**
 * Returns the session strategy entry a stored configuration stands for: its instruments become
 * `config.symbols`, its risk limits the entry's `risk`; `parameters` (the checked ones) default to its own.
 */
export function storedStrategyEntry(
  c: StrategyConfiguration,
  parameters: Readonly<Record<string, unknown>> = c.parameters,
): Record<string, unknown> {
  return {
    ...(c.type.includes('/') ? { module: c.type } : { type: c.type }),
    name: c.name,
    active_brokers: [...c.active_brokers],
    ...(c.risk === undefined ? {} : { risk: { ...c.risk } }),
    config: { ...parameters, symbols: [...c.instruments] },
  };
}

/** Returns the instance name an entry runs under, without importing it (undefined for an unknown type). */
function instanceName(e: StrategyEntry): string | undefined {
  if (e.name !== undefined) return e.name;
  const module =
    e.module ??
    (e.type === undefined || !Object.hasOwn(STRATEGY_TYPES, e.type)
      ? undefined
      : STRATEGY_TYPES[e.type]?.module);
  return module === undefined ? undefined : instanceNameForClass(classNameForModule(basename(module)));
}

/**
 * Returns the session with the enabled stored configurations appended to its strategies, in name order,
 * each checked first (type, parameters by its validator, accounts, a name no strategy of the file uses) so
 * that an error names the stored configuration and `source` (the database) rather than an index in the
 * merged list. Parameters a `schema_loose` validator drops are told to `note`.
 */
export async function appendStoredStrategies(
  session: LoadedSession,
  stored: readonly StrategyConfiguration[],
  source: string,
  note: (text: string) => void = () => {},
): Promise<LoadedSession> {
  const enabled = stored.filter((c) => c.enabled);
  const fileNames = new Map<string, number>();
  session.config.strategies.forEach((e, i) => {
    const name = e.enabled ? instanceName(e) : undefined;
    if (name !== undefined && !fileNames.has(name)) fileNames.set(name, i);
  });
  const accounts = [DEFAULT_ACCOUNT, ...session.config.accounts.map((a) => a.name)];
  const entries: Record<string, unknown>[] = [];
  for (const c of enabled) {
    const where = `${source}: strategy configuration "${c.name}"`;
    const clash = fileNames.get(c.name);
    if (clash !== undefined) {
      throw new TradeflowError(
        'TF_ERR_STORED_STRATEGY',
        `${where} has the name of strategies[${clash}] of ${session.file}; give that entry another "name", or store the configuration under another name`,
      );
    }
    const unknown = c.active_brokers.find((b) => !accounts.includes(b));
    if (unknown !== undefined) {
      throw new TradeflowError(
        'TF_ERR_CONFIG_INVALID',
        `${where}: active_brokers: unknown account "${unknown}"; the session's accounts: ${accounts.join(', ')} (add it to "accounts", or change the configuration with \`tradeflow strategies set ${c.name} --brokers\`)`,
      );
    }
    const checked = await checkStrategyDefinition(session.root, c, `${source}: `);
    if (checked.dropped.length > 0) note(droppedNote(where, checked.dropped));
    entries.push(storedStrategyEntry(c, checked.parameters));
  }
  const config = parseSessionConfig(
    { ...session.config, strategies: [...session.config.strategies, ...entries] },
    session.file,
  );
  return { ...session, config };
}

/** Says which parameters a `schema_loose` validator dropped, and how to remove them for good. */
export function droppedNote(where: string, dropped: readonly string[]): string {
  const unset = dropped.map((k) => `--unset ${k}`).join(' ');
  return `${where}: validator_type schema_loose dropped parameters its strategy does not know: ${dropped.join(', ')} (remove them with \`tradeflow strategies set <name> ${unset}\`)`;
}
