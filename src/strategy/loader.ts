// Finds, imports and checks strategy modules under strategies/, and makes a session's strategies from them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { TradeflowError } from '../core/errors.ts';
import { checkRealPathInside } from '../core/paths.ts';
import { parseWith } from '../core/zod-errors.ts';
import type { StrategyEntry } from '../config/session-config.ts';
import { BaseStrategy, type StrategyClass } from './base-strategy.ts';
import { classNameForModule, instanceNameForClass } from './names.ts';
import { strategyType } from './registry.ts';

/** A strategy module resolved and imported: its class, its config schema and where it lives. */
export interface StrategyModule {
  readonly file: string;
  readonly className: string;
  readonly cls: StrategyClass;
  readonly configSchema: z.ZodType;
}

/** A strategy instance ready for setup, with the entry it came from. */
export interface LoadedStrategy {
  readonly strategy: BaseStrategy;
  readonly entry: StrategyEntry;
  /** Position in the session's `strategies` list (also the order signals are gathered in). */
  readonly index: number;
  readonly module: StrategyModule;
}

const EXTENSIONS = ['.ts', '.mts', '.js', '.mjs'];

function isStrategyFile(name: string): boolean {
  return EXTENSIONS.includes(extname(name)) && !/\.(test|spec|d)\.[mc]?[jt]s$/.test(name);
}

/** Lists strategy files under `dir` by base name (without extension), to find names used twice. */
export function indexStrategyFiles(dir: string): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile() && isStrategyFile(entry.name)) {
        const name = basename(entry.name, extname(entry.name));
        byName.set(name, [...(byName.get(name) ?? []), p]);
      }
    }
  };
  if (existsSync(dir)) walk(dir);
  return byName;
}

/** Resolves a module path such as `strategies/examples/simple_ma_cross` to a file inside `root/strategies`. */
export function resolveStrategyFile(root: string, modulePath: string, where: string): string {
  const base = resolve(root, 'strategies');
  if (isAbsolute(modulePath)) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_NOT_FOUND',
      `${where}: "${modulePath}" is absolute; name a module relative to the project root, under strategies/`,
    );
  }
  const target = resolve(root, modulePath);
  if (!(target + sep).startsWith(base + sep) || target === base) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_NOT_FOUND',
      `${where}: "${modulePath}" leaves the strategies/ folder; strategy modules must live under strategies/`,
    );
  }
  const candidates = EXTENSIONS.includes(extname(target)) ? [target] : EXTENSIONS.map((e) => target + e);
  const file = candidates.find((c) => existsSync(c) && statSync(c).isFile() && isStrategyFile(basename(c)));
  if (!file) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_NOT_FOUND',
      `${where}: no strategy file for "${modulePath}" (looked for ${candidates.map((c) => relative(root, c)).join(', ')})`,
    );
  }
  // A symlink in strategies/ (to the file or a folder above it) must not import code from elsewhere.
  checkRealPathInside(base, file, { where, root });
  return file;
}

/** Imports a strategy module and checks that it exports the class named after the file and a config schema. */
export async function importStrategyModule(
  root: string,
  modulePath: string,
  where: string,
): Promise<StrategyModule> {
  const file = resolveStrategyFile(root, modulePath, where);
  const name = basename(file, extname(file));
  const others = indexStrategyFiles(resolve(root, 'strategies')).get(name) ?? [];
  if (others.length > 1) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_DUPLICATE',
      `${where}: strategy name "${name}" is used by ${others.map((o) => relative(root, o)).join(' and ')}`,
    );
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_INVALID',
      `${where}: ${relative(root, file)} failed to load: ${(e as Error).message}`,
      { cause: e },
    );
  }
  const className = classNameForModule(name);
  const cls = mod[className];
  if (cls === undefined) {
    const exported = Object.keys(mod).join(', ') || 'nothing';
    throw new TradeflowError(
      'TF_ERR_STRATEGY_INVALID',
      `${where}: ${relative(root, file)} does not export class ${className} (it exports ${exported})`,
    );
  }
  if (typeof cls !== 'function' || !(cls.prototype instanceof BaseStrategy)) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_INVALID',
      `${where}: ${className} in ${relative(root, file)} does not extend BaseStrategy`,
    );
  }
  const onBars = (cls.prototype as { onBars?: unknown }).onBars;
  if (typeof onBars === 'function' && onBars.constructor.name === 'AsyncFunction') {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_INVALID',
      `${where}: ${className} in ${relative(root, file)} declares onBars async; onBars must be synchronous and ` +
        'return its signals as an array (remove "async" and compute from the bars it is given)',
    );
  }
  const configSchema = mod['configSchema'];
  if (!isZodSchema(configSchema)) {
    throw new TradeflowError(
      'TF_ERR_STRATEGY_INVALID',
      `${where}: ${relative(root, file)} does not export a zod "configSchema" for its config`,
    );
  }
  return { file, className, cls: cls as StrategyClass, configSchema };
}

function isZodSchema(v: unknown): v is z.ZodType {
  return (
    typeof v === 'object' && v !== null && typeof (v as { safeParse?: unknown }).safeParse === 'function'
  );
}

/** Loads every enabled strategy of a session: resolves, imports, validates its config and instantiates it. */
export async function loadStrategies(
  root: string,
  entries: readonly StrategyEntry[],
): Promise<LoadedStrategy[]> {
  const loaded: LoadedStrategy[] = [];
  const names = new Map<string, number>();
  for (const [index, entry] of entries.entries()) {
    if (!entry.enabled) continue;
    const where = entry.type === undefined ? `strategies[${index}].module` : `strategies[${index}].type`;
    const modulePath = entry.type === undefined ? entry.module! : strategyType(entry.type, where).module;
    const module = await importStrategyModule(root, modulePath, where);
    const config = parseWith(module.configSchema, entry.config, {
      code: 'TF_ERR_STRATEGY_CONFIG',
      prefix: `strategies[${index}].config`,
    }) as never;
    const name = entry.name ?? instanceNameForClass(module.className);
    const prev = names.get(name);
    if (prev !== undefined) {
      throw new TradeflowError(
        'TF_ERR_CONFIG_INVALID',
        `strategies[${index}].name: "${name}" is already used by strategies[${prev}]; give each instance a distinct "name"`,
      );
    }
    names.set(name, index);
    let strategy: BaseStrategy;
    try {
      strategy = new module.cls(config, name);
    } catch (e) {
      throw new TradeflowError(
        'TF_ERR_STRATEGY_INVALID',
        `${where}: constructing ${module.className} failed: ${(e as Error).message}`,
        { cause: e },
      );
    }
    loaded.push({ strategy, entry, index, module });
  }
  return loaded;
}
