// Checks a backtest request's session config before anything runs: data files under data/, strategies
// that load and accept their config, and only what the API allows.
import { existsSync, statSync } from 'node:fs';
import { basename, join, relative, resolve } from 'node:path';
import { type LoadedSession, type SessionConfig, SessionConfigSchema } from '../config/session-config.ts';
import { isTradeflowError } from '../core/errors.ts';
import { checkRealPathInside, isInside as inside } from '../core/paths.ts';
import { importStrategyModule, resolveStrategyFile } from '../strategy/loader.ts';
import { STRATEGY_TYPES } from '../strategy/registry.ts';
import { type FieldProblem, InvalidRequestError } from './errors.ts';
import { problemsOf } from './validate.ts';

/** Checks that every data file lies under `root/data` and exists: a request must not read other files. */
function dataProblems(config: SessionConfig, root: string): FieldProblem[] {
  const dataDir = resolve(root, 'data');
  return config.data.flatMap((d, i): FieldProblem[] => {
    const path = `config.data[${i}].file`;
    const file = resolve(root, d.file);
    if (!inside(dataDir, file)) {
      return [
        {
          path,
          message: `"${d.file}" is outside the project's data/ folder; the API reads bar files from data/ only`,
        },
      ];
    }
    try {
      checkRealPathInside(dataDir, file, { where: path, root });
    } catch (e) {
      if (!isTradeflowError(e, 'TF_ERR_PATH_OUTSIDE')) throw e;
      return [{ path, message: e.message.replace(`${path}: `, '') }];
    }
    if (!existsSync(file) || !statSync(file).isFile()) {
      return [{ path, message: `no file ${relative(root, file)} on the server` }];
    }
    return [];
  });
}

/**
 * Checks each enabled strategy before the run starts: a registered type or a module under strategies/ (the
 * loader refuses anything else), a module that loads, and a config its schema accepts. It imports the
 * modules, so the API calls it inside the run's worker thread (run-worker.ts).
 */
export async function strategyProblems(config: SessionConfig, root: string): Promise<FieldProblem[]> {
  const problems: FieldProblem[] = [];
  for (const [i, entry] of config.strategies.entries()) {
    if (!entry.enabled) continue;
    const at = `config.strategies[${i}]`;
    let modulePath: string;
    if (entry.type !== undefined) {
      const t = Object.hasOwn(STRATEGY_TYPES, entry.type) ? STRATEGY_TYPES[entry.type] : undefined;
      if (t === undefined) {
        problems.push({
          path: `${at}.type`,
          message: `unknown strategy type "${entry.type}"; known types: ${Object.keys(STRATEGY_TYPES).join(', ')}`,
        });
        continue;
      }
      modulePath = t.module;
    } else modulePath = entry.module ?? '';
    const where = entry.type === undefined ? `${at}.module` : `${at}.type`;
    try {
      resolveStrategyFile(root, modulePath, where);
      const module = await importStrategyModule(root, modulePath, where);
      const r = module.configSchema.safeParse(entry.config);
      if (!r.success) problems.push(...problemsOf(r.error, `${at}.config`));
    } catch (e) {
      if (!isTradeflowError(e)) throw e;
      problems.push({ path: where, message: e.message.replace(`${where}: `, '') });
    }
  }
  return problems;
}

/** The most strategy entries and data sources one backtest request may name, and how its strategies are checked. */
export interface RequestLimits {
  readonly strategies: number;
  readonly dataSources: number;
  /** How long a request's strategy modules may take to load and check, in ms. */
  readonly checkTimeoutMs: number;
}

/** Checks the request's size against the server's limits, before any strategy module is imported. */
function limitProblems(config: SessionConfig, limits: RequestLimits): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (config.strategies.length > limits.strategies) {
    problems.push({
      path: 'config.strategies',
      message:
        `${config.strategies.length} strategy entries; this server takes at most ${limits.strategies} per backtest: ` +
        'split the run, or start the server with a higher --max-strategies',
    });
  }
  if (config.data.length > limits.dataSources) {
    problems.push({
      path: 'config.data',
      message:
        `${config.data.length} data sources; this server takes at most ${limits.dataSources} per backtest: ` +
        'split the run, or start the server with a higher --max-data-sources',
    });
  }
  return problems;
}

/** Names an unnamed backtest after its enabled strategies: `sma_cross+buy_and_hold`. */
function defaultName(config: SessionConfig): string {
  const names = config.strategies
    .filter((s) => s.enabled)
    .map((s) => s.name ?? s.type ?? basename(s.module ?? 'strategy'));
  return names.join('+') || 'backtest';
}

/**
 * Validates a backtest request's session config and returns the session to run, rooted at the server's
 * project: `root` is refused (strategies and data resolve against the server's folders), data files must
 * lie under data/, strategies come from the registry or strategies/, and only data-driven runs are
 * accepted; a request over the server's limits (strategy entries, data sources) is refused before any
 * module is imported. The strategies are checked by `checkStrategies` (in the run's thread, as importing a
 * module runs its code). Throws a 400 naming every bad field.
 */
export async function checkBacktestConfig(
  raw: Record<string, unknown>,
  root: string,
  limits: RequestLimits,
  checkStrategies: (config: SessionConfig) => Promise<FieldProblem[]>,
): Promise<LoadedSession> {
  const parsed = SessionConfigSchema.safeParse(raw);
  if (!parsed.success) throw new InvalidRequestError(problemsOf(parsed.error, 'config'));
  const config = parsed.data;
  const tooBig = limitProblems(config, limits);
  if (tooBig.length > 0) throw new InvalidRequestError(tooBig);
  const problems: FieldProblem[] = [];
  if (config.root !== undefined) {
    problems.push({
      path: 'config.root',
      message: "not accepted by the API: strategies and data resolve against the server's project folder",
    });
  }
  if (config.speed_multiplier > 0) {
    problems.push({
      path: 'config.speed_multiplier',
      message: 'the API runs data-driven backtests only; set it to 0 (or leave it out)',
    });
  }
  problems.push(...dataProblems(config, root));
  if (problems.length === 0) problems.push(...(await checkStrategies(config)));
  if (problems.length > 0) throw new InvalidRequestError(problems);
  const name = config.name ?? defaultName(config);
  return { config, name, file: join(root, `${name}.api.json`), root };
}
