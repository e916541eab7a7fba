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

/** What of a stored configuration decides which strategy it runs and with what config. */
export type StrategyDefinition = Pick<StrategyConfiguration, 'name' | 'type' | 'parameters' | 'instruments'>;

/**
 * Returns the module a stored `type` names: a type with a `/` is a module path under strategies/, any other
 * is a registered type (an unknown one is an error listing the known types).
 */
export function moduleOfType(type: string, where: string): string {
  return type.includes('/') ? type : strategyType(type, where).module;
}

/**
 * Checks a configuration as `tradeflow strategies add` and `set` do: its type resolves to a strategy module,
 * and its parameters, with the instruments as `symbols`, pass that module's config schema. Errors name the
 * configuration and the path (`parameters.fast_period`, `instruments`).
 */
export async function checkStrategyDefinition(
  root: string,
  c: StrategyDefinition,
  source = '',
): Promise<void> {
  const where = `${source}strategy configuration "${c.name}"`;
  const module = await importStrategyModule(root, moduleOfType(c.type, `${where}: type`), `${where}: type`);
  const r = module.configSchema.safeParse({ ...c.parameters, symbols: c.instruments });
  if (!r.success) {
    throw new TradeflowError('TF_ERR_STRATEGY_CONFIG', `${where}: ${issueLines(r.error).join('; ')}`, {
      cause: r.error,
    });
  }
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

/** Returns the session strategy entry a stored configuration stands for (its instruments become `config.symbols`). */
export function storedStrategyEntry(c: StrategyConfiguration): Record<string, unknown> {
  return {
    ...(c.type.includes('/') ? { module: c.type } : { type: c.type }),
    name: c.name,
    active_brokers: [...c.active_brokers],
    config: { ...c.parameters, symbols: [...c.instruments] },
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
 * each checked first (type, parameters, accounts, a name no strategy of the file uses) so that an error
 * names the stored configuration and `source` (the database) rather than an index in the merged list.
 */
export async function appendStoredStrategies(
  session: LoadedSession,
  stored: readonly StrategyConfiguration[],
  source: string,
): Promise<LoadedSession> {
  const enabled = stored.filter((c) => c.enabled);
  const fileNames = new Map<string, number>();
  session.config.strategies.forEach((e, i) => {
    const name = e.enabled ? instanceName(e) : undefined;
    if (name !== undefined && !fileNames.has(name)) fileNames.set(name, i);
  });
  const accounts = [DEFAULT_ACCOUNT, ...session.config.accounts.map((a) => a.name)];
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
    await checkStrategyDefinition(session.root, c, `${source}: `);
  }
  const config = parseSessionConfig(
    { ...session.config, strategies: [...session.config.strategies, ...enabled.map(storedStrategyEntry)] },
    session.file,
  );
  return { ...session, config };
}
